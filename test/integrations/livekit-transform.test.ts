/**
 * The export-time mapping (livekitAttributeTransform) on the real spans LiveKit emits through
 * its own tracer when the app hands LiveKit a tracer provider of its own: no setup() here,
 * an in-memory exporter collects what LiveKit produced, then the transform maps it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { livekitAttributeTransform } from "../../src/subpaths/livekit-agents";
import { mapLiveKitAttributes } from "../../src/integrations/livekit-agents/mapping";
import { MESSAGE_KEY_BUDGET } from "../../src/integrations/livekit-agents/mapping";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let mock: any;
const exporter = new InMemorySpanExporter();
let spans: ReadableSpan[] = [];

beforeAll(async () => {
  mock = await startMockOpenAI();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // as an app does: registered, so context (LiveKit's own "inference recorded" marker among it) flows
  provider.register();
  const { initializeLogger, llm, telemetry, voice } = await import("@livekit/agents");
  const openai = await import("@livekit/agents-plugin-openai");
  const { z } = await import("zod");
  initializeLogger({ pretty: false, level: "error" });
  telemetry.setTracerProvider(provider as any, { registerSpanProcessor: () => {} });
  const add = llm.tool({ description: "Add two numbers", parameters: z.object({ a: z.number(), b: z.number() }), execute: async ({ a, b }) => a + b });
  const session = new voice.AgentSession({ llm: new openai.LLM({ model: "gpt-4o-mini", baseURL: mock.baseURL, apiKey: "sk-test" }) });
  await session.start({ agent: new voice.Agent({ instructions: "Be brief.", tools: { add } }) });
  await session.run({ userInput: "add 2 and 3" }).wait();
  await session.close();
  await provider.forceFlush();
  spans = exporter.getFinishedSpans();
}, 60_000);
afterAll(async () => {
  await mock?.close();
});

describe("livekitAttributeTransform on LiveKit's own spans", () => {
  it("maps every span of the livekit-agents scope, and only those", () => {
    expect(spans.length).toBeGreaterThan(8);
    expect(spans.every((s) => s.instrumentationScope.name === "livekit-agents")).toBe(true);
    const mapped = spans.map((s) => {
      const attrs = { ...s.attributes } as Record<string, unknown>;
      livekitAttributeTransform(attrs, s);
      return { name: s.name, attrs };
    });
    const kind = (n: string) => mapped.filter((m) => m.name === n).map((m) => m.attrs["openinference.span.kind"]);
    expect(kind("agent_session")).toEqual(["AGENT"]);
    // one LLM span per model call: the request; the node and each attempt are CHAIN
    expect(new Set(kind("llm_request"))).toEqual(new Set(["LLM"]));
    expect(kind("llm_request").length).toBe(mock.requests.filter((q: any) => q.path.endsWith("/chat/completions")).length);
    expect(new Set(kind("llm_node"))).toEqual(new Set(["CHAIN"]));
    expect(new Set(kind("llm_request_run"))).toEqual(new Set(["CHAIN"]));
    expect(kind("function_tool")).toEqual(["TOOL"]);
    expect(new Set(kind("agent_turn"))).toEqual(new Set(["CHAIN"]));
    const tool = mapped.find((m) => m.name === "function_tool")!.attrs;
    expect(tool["tool.name"]).toBe("add");
    expect(tool["output.value"]).toBe("84"); // the mock fills numbers with 42
    const req = mapped.filter((m) => m.name === "llm_request");
    expect(req.every((m) => (m.attrs["llm.token_count.total"] as number) > 0)).toBe(true);

    // another scope is left alone; a mapped span is not mapped twice
    const foreign = { ...spans[0]!, instrumentationScope: { name: "my-app" } } as unknown as ReadableSpan;
    const a: Record<string, unknown> = { "lk.agent_label": "x" };
    livekitAttributeTransform(a, foreign);
    expect(a).toEqual({ "lk.agent_label": "x" });
    const b: Record<string, unknown> = { "openinference.span.kind": "LLM" };
    expect(mapLiveKitAttributes("agent_session", b)).toEqual({});
  });
});

describe("a custom llmNode that calls a model itself", () => {
  it("makes the node the LLM span: LiveKit puts the GenAI request attributes on it when no llm_request recorded the call", () => {
    const node = mapLiveKitAttributes("llm_node", {
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "my-model",
      "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: "hi" }] }]),
      "lk.pii.response.text": "hello",
    });
    expect(node["openinference.span.kind"]).toBe("LLM");
    expect(node["llm.model_name"]).toBe("my-model");
    expect(node["llm.input_messages.0.message.content"]).toBe("hi");
    // the node around a recorded call carries only the configured model: CHAIN
    expect(mapLiveKitAttributes("llm_node", { "gen_ai.request.model": "my-model", "lk.pii.response.text": "hello" })["openinference.span.kind"]).toBe("CHAIN");
  });
});

describe("long sessions", () => {
  it("keeps the most recent messages within the attribute budget and the whole list in input.value", () => {
    const messages = Array.from({ length: 400 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", parts: [{ type: "text", content: `m${i}` }] }));
    const out = mapLiveKitAttributes("llm_request", {
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.input.messages": JSON.stringify(messages),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "ok" }] }]),
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 2,
    });
    const msgKeys = Object.keys(out).filter((k) => k.startsWith("llm.input_messages.") || k.startsWith("llm.output_messages."));
    expect(msgKeys.length).toBeLessThanOrEqual(MESSAGE_KEY_BUDGET);
    expect(Object.keys(out).length).toBeLessThan(128 - 30);
    // the last message is kept, at the end of the kept window
    const lastIdx = Math.max(...msgKeys.filter((k) => k.startsWith("llm.input_messages.")).map((k) => Number(k.split(".")[2])));
    expect(out[`llm.input_messages.${lastIdx}.message.content`]).toBe("m399");
    expect(JSON.parse(out["input.value"] as string)).toHaveLength(400);
    expect(out["llm.token_count.total"]).toBe(12);
  });
});
