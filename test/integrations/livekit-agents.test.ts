/**
 * LiveKit Agents, zero-code: a real text-only AgentSession (no room, no audio) with the real
 * OpenAI plugin pointed at the mock OpenAI server, run as a subprocess under the preload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node } from "../helpers/run";
import { fixtureApp } from "../helpers/sdk-project";
import { byKind, byName, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const APP = fixtureApp("livekit-text/app.js");
const PRELOAD = ["--import", "@inference/tracing/register"];

let receiver: Receiver;
let mock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
});
afterAll(async () => {
  await receiver.close();
  await mock.close();
});

async function traced(extraEnv: Record<string, string> = {}) {
  receiver.clear();
  const env = { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", ...extraEnv };
  const r = await node([...PRELOAD, APP], { env, timeoutMs: 60_000 });
  expect(r.code, r.stderr).toBe(0);
  const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "agent_session"), 10_000);
  return { r, spans };
}

describe("LiveKit Agents through the zero-code preload", () => {
  let spans: ReceivedSpan[];
  let stdout: string;
  let modelCalls = 0;
  beforeAll(async () => {
    const before = mock.requests.length;
    const t = await traced();
    modelCalls = mock.requests.slice(before).filter((q: any) => q.path.endsWith("/chat/completions")).length;
    spans = t.spans;
    stdout = t.r.stdout;
  }, 90_000);

  it("leaves the app's output unchanged", async () => {
    const plain = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL }, timeoutMs: 60_000 });
    expect(plain.code).toBe(0);
    expect(stdout).toBe(plain.stdout);
    expect(stdout).toContain('assistant: Done: "sunny in sample city"');
  }, 90_000);

  it("maps agent_session to one AGENT root and keeps the whole LiveKit timeline in one trace", () => {
    const session = one(spans, (s) => s.name === "agent_session", "agent_session");
    expect(session.parentSpanId).toBeFalsy();
    expect(session.attributes["openinference.span.kind"]).toBe("AGENT");
    expect(session.attributes["agent.name"]).toBe("default_agent");
    // every LiveKit span is in the session's trace and carries a kind; the rest are CHAIN
    for (const s of spans) {
      expect(s.traceId).toBe(session.traceId);
      expect(s.attributes["openinference.span.kind"]).toBeTruthy();
    }
    for (const name of ["agent_turn", "user_turn", "start_agent_activity"]) {
      for (const s of byName(spans, name)) expect(s.attributes["openinference.span.kind"]).toBe("CHAIN");
    }
    const turns = byName(spans, "agent_turn");
    expect(turns.length).toBeGreaterThanOrEqual(1);
    expect(turns.every((t) => t.parentSpanId === session.spanId)).toBe(true);
    expect(turns.some((t) => t.attributes["input.value"] === "What's the weather in Paris?")).toBe(true);
    expect(turns.some((t) => t.attributes["output.value"] === 'Done: "sunny in sample city"')).toBe(true);
  });

  it("maps each model call to one LLM span (llm_request) with model, provider, messages and tokens; llm_node and llm_request_run are CHAIN", () => {
    for (const n of ["llm_node", "llm_request", "llm_request_run"]) expect(byName(spans, n)).toHaveLength(2);
    for (const s of byName(spans, "llm_request")) expect(s.attributes["openinference.span.kind"]).toBe("LLM");
    for (const s of [...byName(spans, "llm_node"), ...byName(spans, "llm_request_run")]) {
      expect(s.attributes["openinference.span.kind"]).toBe("CHAIN");
      expect(Object.keys(s.attributes).filter((k) => k.startsWith("llm."))).toEqual([]);
    }
    // the node keeps what went in and what came out
    const nodes = byName(spans, "llm_node");
    expect(nodes.every((n) => JSON.parse(n.attributes["input.value"]).some((m: any) => m.text === "What's the weather in Paris?"))).toBe(true);
    expect(nodes.some((n) => n.attributes["output.value"] === 'Done: "sunny in sample city"')).toBe(true);
    const requests = byName(spans, "llm_request");
    const first = requests.find((s) => s.attributes["llm.finish_reason"] === "tool_call")!;
    const second = requests.find((s) => s.attributes["llm.finish_reason"] === "stop")!;
    expect(first && second).toBeTruthy();
    expect(first.attributes).toMatchObject({
      "llm.model_name": "gpt-4o-mini",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "You are a helpful weather assistant.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "What's the weather in Paris?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookupWeather",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"city":"sample city"}',
      "input.mime_type": "application/json",
    });
    expect(typeof first.attributes["llm.provider"]).toBe("string");
    expect(first.attributes["llm.tools.0.tool.json_schema"]).toContain("lookupWeather");
    expect(second.attributes["output.value"]).toBe('Done: "sunny in sample city"');
    expect(second.attributes["llm.input_messages.3.message.role"]).toBe("tool");
    for (const s of requests) {
      expect(s.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
      expect(s.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
      expect(s.attributes["llm.token_count.total"]).toBe(s.attributes["llm.token_count.prompt"] + s.attributes["llm.token_count.completion"]);
    }
    // llm_node sits above llm_request, which sits above llm_request_run
    for (const r of requests) {
      const parent = spans.find((s) => s.spanId === r.parentSpanId)!;
      expect(parent.name).toBe("llm_node");
      expect(childrenOf(spans, r).map((c) => c.name)).toEqual(["llm_request_run"]);
    }
  });

  it("counts each model call once, with its tokens (no second LLM span from the OpenAI integration)", () => {
    expect(modelCalls).toBe(2);
    const llm = byKind(spans, "LLM");
    expect(llm.map((s) => s.name)).toEqual(["llm_request", "llm_request"]);
    expect(llm.every((s) => s.attributes["llm.token_count.total"] > 0)).toBe(true);
    expect(spans.filter((s) => s.attributes["llm.token_count.total"] !== undefined)).toHaveLength(2);
  });

  it("the console summary counts the model calls", async () => {
    const r = await node([...PRELOAD, APP], { env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_CONSOLE: "summary" }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = r.stderr.split("\n").find((l) => l.startsWith("◆ trace") && l.includes("LLM call"));
    expect(summary).toMatch(/ · 2 LLM calls · /);
  }, 90_000);

  it("maps function_tool to TOOL with name, call id, arguments and output", () => {
    const tool = one(byKind(spans, "TOOL"), () => true, "TOOL span");
    expect(tool.name).toBe("function_tool");
    expect(tool.attributes).toMatchObject({
      "tool.name": "lookupWeather",
      "tool.description": "Look up the weather in a city",
      "input.value": '{"city":"sample city"}',
      "input.mime_type": "application/json",
      "output.value": "sunny in sample city",
      "output.mime_type": "text/plain",
    });
    const first = byName(spans, "llm_request").find((s) => s.attributes["llm.finish_reason"] === "tool_call")!;
    expect(tool.attributes["tool_call.id"]).toBe(first.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
    expect(tool.status.code).not.toBe(2);
  });
});

describe("LiveKit Agents: the token dedupe is real", () => {
  it("without the LiveKit integration the OpenAI integration records the plugin's two calls itself", async () => {
    receiver.clear();
    const env = { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_DISABLED_INSTRUMENTATIONS: "livekitAgents" };
    const r = await node([...PRELOAD, APP], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "agent_turn"), 10_000);
    // so with it enabled (above), markFrameworkLLMSpan is what keeps these from being counted twice
    expect(byKind(spans, "LLM").filter((s) => !s.name.startsWith("llm_")).length).toBe(2);
    // LiveKit's own spans still reach the pipeline (global provider), unmapped: livekitAttributeTransform's case
    expect(spans.filter((s) => s.scope.name === "livekit-agents").length).toBeGreaterThan(0);
  }, 90_000);
});

describe("LiveKit Agents: failures", () => {
  it("marks a failing function tool as an ERROR TOOL span with its message", async () => {
    const { r, spans } = await traced({ TOOL_FAILS: "1" });
    expect(r.stdout).toContain("error=true");
    const tool = one(byKind(spans, "TOOL"), () => true, "TOOL span");
    expect(tool.status.code).toBe(2);
    expect(tool.status.message).toContain("weather service down for sample city");
    expect(tool.attributes["tool.name"]).toBe("lookupWeather");
  }, 90_000);

  it("with every extractor failing, the app's output is unchanged and spans are still exported, marked incomplete", async () => {
    const plain = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL }, timeoutMs: 60_000 });
    const { r, spans } = await traced({ CATALYST_TEST_FAULTS: "livekit.mapAttributes" });
    expect(r.stdout).toBe(plain.stdout);
    const session = one(spans, (s) => s.name === "agent_session");
    expect(session.attributes["inference.tracing.incomplete"]).toBe(true);
    expect(byName(spans, "llm_request").length).toBe(2);
  }, 120_000);
});
