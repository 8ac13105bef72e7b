/** LiveKit Agents through setup({ modules: { livekitAgents } }) in-process, inside an agentSpan(). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, byName, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let receiver: Receiver;
let mock: any;
let tracing: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
});
afterAll(async () => {
  await tracing?.shutdown();
  await receiver.close();
  await mock.close();
});

describe("setup({ modules: { livekitAgents } })", () => {
  it("routes LiveKit's spans through our tracer, under the app's own agentSpan", async () => {
    const lk = await import("@livekit/agents");
    const openai = await import("@livekit/agents-plugin-openai");
    const api = await import("../../src/index");
    tracing = await api.setup({ batching: "simple", modules: { livekitAgents: lk } });
    expect(tracing.installResults.find((r: any) => r.key === "livekitAgents")?.patched).toBe(true);
    lk.initializeLogger({ pretty: false, level: "error" });

    const answer = await api.agentSpan({ agentId: "front-desk", sessionId: "visit-9" }, async () => {
      const session = new lk.voice.AgentSession({ llm: new openai.LLM({ model: "gpt-4o-mini", baseURL: mock.baseURL, apiKey: "sk-test" }) });
      await session.start({ agent: new lk.voice.Agent({ instructions: "Be brief." }) });
      const result = session.run({ userInput: "hello there" });
      await result.wait();
      await session.close();
      return result.events.map((e: any) => e.item?.textContent).filter(Boolean).join("");
    });
    expect(answer).toBe("Echo: hello there");
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "agent_session"));
    const outer = one(spans, (s) => s.name === "front-desk");
    const session = one(byName(spans, "agent_session"), () => true);
    expect(session.parentSpanId).toBe(outer.spanId);
    expect(session.traceId).toBe(outer.traceId);
    // identity from the enclosing agentSpan reaches LiveKit's spans
    const req = one(byName(spans, "llm_request"), () => true);
    expect(req.attributes["session.id"]).toBe("visit-9");
    expect(req.attributes["llm.output_messages.0.message.content"]).toBe("Echo: hello there");
    expect(byKind(spans, "LLM").every((s) => s.name.startsWith("llm_"))).toBe(true);
  }, 60_000);
});
