/**
 * On Node 20 and 22 the first context entered switches promise hooks on for the whole process
 * (spans/context-manager.ts). A model call made while nothing needs a context to flow leaves them
 * off, with the same spans; an agent run, another tracer that can start spans inside our calls, or
 * outgoing trace context (on by default: the call's own request names its span) makes calls enter
 * their span's context as before.
 */
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, run } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
import { byKind, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const app = path.join(FIXTURES, "apps/core/context-cost.mjs");
/** Runtimes whose AsyncLocalStorage carries context through promise hooks. */
const HOOK_BASED: RuntimeName[] = ["node20", "node22"];
let receiver: Receiver;
let mock: any;
let anthropicMock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
});
afterAll(async () => {
  await mock?.close();
  await anthropicMock?.close();
  await receiver?.close();
});
beforeEach(() => {
  receiver.clear();
  mock.requests.length = 0;
});

async function runApp(runtime: RuntimeName, env: Record<string, string> = {}) {
  const door = runtime === "bun" ? "--preload" : "--import";
  const r = await run(runtimePath(runtime), [door, "@inference/tracing/register", app], {
    env: { OPENAI_BASE_URL: mock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url, CATALYST_OTLP_ENDPOINT: receiver.url, ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, boolean>;
}
const prompt = (s: ReceivedSpan) => s.attributes["llm.input_messages.0.message.content"];
const llm = (spans: ReceivedSpan[], text: string) => one(byKind(spans, "LLM"), (s) => prompt(s) === text, `LLM span for "${text}"`);

describe("promise hooks and the context of a model call", () => {
  it.each(selectedRuntimes())("outgoing trace context off: lone calls leave them off (on hook-based runtimes) until an agent run; the spans are the same (%s)", async (runtime) => {
    const report = await runApp(runtime, { CATALYST_PROPAGATION: "off" });
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    // one span for the Anthropic stream helper and the create() it makes (the claim is taken without a context too)
    for (const text of ["lone 1", "lone 2", "lone 3", "lone stream", "after run"]) expect(llm(spans, text).parentSpanId).toBeUndefined();
    const agent = one(byKind(spans, "AGENT"), () => true, "agent span");
    expect(llm(spans, "in run").parentSpanId).toBe(agent.spanId);
    expect(llm(spans, "in run").traceId).toBe(agent.traceId);
    if (HOOK_BASED.includes(runtime)) expect(report).toEqual({ afterLoneCalls: false, afterRun: true });
    else expect(report.afterLoneCalls).toBe(false);
  });

  it.each(selectedRuntimes())("outgoing trace context on (the default): each lone call's request names its span, so calls enter their context (%s)", async (runtime) => {
    const report = await runApp(runtime);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    for (const text of ["lone 1", "lone 2", "lone 3", "after run"]) {
      const span = llm(spans, text);
      const requests = mock.requests.filter((q: any) => q.body?.messages?.[0]?.content === text);
      expect(requests.map((q: any) => q.headers.traceparent)).toEqual([`00-${span.traceId}-${span.spanId}-01`]);
    }
    if (HOOK_BASED.includes(runtime)) expect(report.afterLoneCalls).toBe(true);
  });

  it.each(selectedRuntimes())("once another tracer can start spans, calls enter their span's context: its spans inside a call are the call's children (%s)", async (runtime) => {
    const report = await runApp(runtime, { OTHER_TRACER: "1" });
    const spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === "fetch").length >= 2 && byKind(s, "LLM").length >= 3);
    const fetches = spans.filter((s) => s.name === "fetch");
    const parents = new Set(fetches.map((f) => f.parentSpanId));
    expect(parents).toEqual(new Set([llm(spans, "fetching 1").spanId, llm(spans, "fetching 2").spanId]));
    if (HOOK_BASED.includes(runtime)) expect(report.afterOtherTracer).toBe(true);
  });
});
