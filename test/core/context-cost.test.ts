/**
 * On Node 20 and 22 the first context entered switches promise hooks on for the whole process
 * (spans/context-manager.ts). A model call made while nothing needs a context to flow leaves them
 * off, with the same spans; an agent run, or another tracer that can start spans inside our calls,
 * makes calls enter their span's context as before. Outgoing trace context (on by default: the call's
 * own request names its span) does not: the openai and Anthropic calls carry it in their request options.
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
// @ts-expect-error plain ESM fixture without types
import { startMockGoogle } from "../../fixtures/mock-providers/google.mjs";

const app = path.join(FIXTURES, "apps/core/context-cost.mjs");
/** Runtimes whose AsyncLocalStorage carries context through promise hooks. */
const HOOK_BASED: RuntimeName[] = ["node20", "node22"];
let receiver: Receiver;
let mock: any;
let anthropicMock: any;
let googleMock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
  googleMock = await startMockGoogle();
});
afterAll(async () => {
  await mock?.close();
  await anthropicMock?.close();
  await googleMock?.close();
  await receiver?.close();
});
beforeEach(() => {
  receiver.clear();
  mock.requests.length = 0;
  anthropicMock.requests.length = 0;
  googleMock.requests.length = 0;
});

async function runApp(runtime: RuntimeName, env: Record<string, string> = {}) {
  const door = runtime === "bun" ? "--preload" : "--import";
  const r = await run(runtimePath(runtime), [door, "@inference/tracing/register", app], {
    env: { OPENAI_BASE_URL: mock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url, CATALYST_OTLP_ENDPOINT: receiver.url, ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  return { report: JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, boolean>, stderr: r.stderr };
}
const prompt = (s: ReceivedSpan) => s.attributes["llm.input_messages.0.message.content"];
const llm = (spans: ReceivedSpan[], text: string) => one(byKind(spans, "LLM"), (s) => prompt(s) === text, `LLM span for "${text}"`);

describe("promise hooks and the context of a model call", () => {
  it.each(selectedRuntimes())("outgoing trace context off: lone calls leave them off (on hook-based runtimes) until an agent run; the spans are the same (%s)", async (runtime) => {
    const { report } = await runApp(runtime, { CATALYST_PROPAGATION: "off" });
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    // one span for the Anthropic stream helper and the create() it makes (the claim is taken without a context too)
    for (const text of ["lone 1", "lone 2", "lone 3", "lone stream", "after run"]) expect(llm(spans, text).parentSpanId).toBeUndefined();
    const agent = one(byKind(spans, "AGENT"), () => true, "agent span");
    expect(llm(spans, "in run").parentSpanId).toBe(agent.spanId);
    expect(llm(spans, "in run").traceId).toBe(agent.traceId);
    if (HOOK_BASED.includes(runtime)) expect(report).toEqual({ afterLoneCalls: false, afterRun: true });
    else expect(report.afterLoneCalls).toBe(false);
  });

  it.each(selectedRuntimes())("outgoing trace context on (the default): each lone call's request names its span, and the hooks stay off until the run (%s)", async (runtime) => {
    const { report } = await runApp(runtime);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    const header = (span: ReceivedSpan) => `00-${span.traceId}-${span.spanId}-01`;
    for (const text of ["lone 1", "lone 2", "lone 3", "in run", "after run"]) {
      const requests = mock.requests.filter((q: any) => q.body?.messages?.[0]?.content === text);
      expect(requests.map((q: any) => q.headers.traceparent)).toEqual([header(llm(spans, text))]);
    }
    // the stream helper's span, adopted by the create() it makes
    expect(anthropicMock.requests.map((q: any) => q.headers.traceparent)).toEqual([header(llm(spans, "lone stream"))]);
    // the app's own headers are all still sent
    expect(mock.requests.every((q: any) => q.headers["x-app"] === "kept")).toBe(true);
    if (HOOK_BASED.includes(runtime)) expect(report).toEqual({ afterLoneCalls: false, afterRun: true });
    else expect(report.afterLoneCalls).toBe(false);
  });

  it.each(selectedRuntimes())("no endpoint: the traces are printed as they end, and lone calls still leave the hooks off (%s)", async (runtime) => {
    const { report, stderr } = await runApp(runtime, { CATALYST_OTLP_ENDPOINT: "", NO_COLOR: "1" });
    for (const text of ["lone 1", "lone 2", "lone 3"]) expect(mock.requests.find((q: any) => q.body?.messages?.[0]?.content === text)?.headers.traceparent).toMatch(/^00-/);
    // one tree per lone call and the stream, then the run's
    expect(stderr.match(/^◆ trace /gm)?.length).toBeGreaterThanOrEqual(5);
    if (HOOK_BASED.includes(runtime)) expect(report).toEqual({ afterLoneCalls: false, afterRun: true });
    else expect(report.afterLoneCalls).toBe(false);
  });

  it.each(selectedRuntimes())("a host list: only requests to a listed host carry it, and lone calls still leave the hooks off (%s)", async (runtime) => {
    const lone = () => mock.requests.filter((q: any) => q.body?.messages?.[0]?.content.startsWith("lone"));
    const { report: other } = await runApp(runtime, { CATALYST_PROPAGATION: "api.example.com" });
    await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    expect(lone().map((q: any) => q.headers.traceparent)).toEqual([undefined, undefined, undefined]);
    receiver.clear();
    mock.requests.length = 0;
    const { report: listed } = await runApp(runtime, { CATALYST_PROPAGATION: "api.example.com,127.0.0.1" });
    await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    expect(lone().every((q: any) => /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/.test(q.headers.traceparent))).toBe(true);
    if (HOOK_BASED.includes(runtime)) expect([other.afterLoneCalls, listed.afterLoneCalls]).toEqual([false, false]);
  });

  it.each(selectedRuntimes())("a traceparent the app sets itself is the one sent (%s)", async (runtime) => {
    await runApp(runtime, { APP_TRACEPARENT: "1" });
    await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 6);
    const own = mock.requests.filter((q: any) => q.body?.messages?.[0]?.content.startsWith("lone"));
    expect(own.map((q: any) => q.headers.traceparent)).toEqual(["00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01"]);
  });

  it.each(selectedRuntimes())("once another tracer can start spans, calls enter their span's context: its spans inside a call are the call's children (%s)", async (runtime) => {
    const { report } = await runApp(runtime, { OTHER_TRACER: "1" });
    const spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === "fetch").length >= 2 && byKind(s, "LLM").length >= 3);
    const fetches = spans.filter((s) => s.name === "fetch");
    const parents = new Set(fetches.map((f) => f.parentSpanId));
    expect(parents).toEqual(new Set([llm(spans, "fetching 1").spanId, llm(spans, "fetching 2").spanId]));
    if (HOOK_BASED.includes(runtime)) expect(report.afterOtherTracer).toBe(true);
  });

  describe.each([
    ["3.x", "@google/genai"],
    ["1.1", "google-genai-v1"],
  ])("Google GenAI %s", (_v, sdk) => {
    const googleApp = path.join(FIXTURES, "apps/core/context-cost-google.mjs");
    const runGoogle = async (runtime: RuntimeName, env: Record<string, string> = {}) => {
      const door = runtime === "bun" ? "--preload" : "--import";
      const r = await run(runtimePath(runtime), [door, "@inference/tracing/register", googleApp], {
        env: { GOOGLE_SDK: sdk, GOOGLE_GENAI_BASE_URL: googleMock.url, CATALYST_OTLP_ENDPOINT: receiver.url, ...env },
      });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    };

    it.each(selectedRuntimes())("lone calls carry their trace context in the request's httpOptions, the hooks stay off, the answers are the same (%s)", async (runtime) => {
      const report = await runGoogle(runtime);
      expect(report).toMatchObject({ answer: "Echo: lone 1", vectors: 1 });
      expect(String(report.streamed)).toContain("lone stream");
      const spans = await receiver.waitForSpans((s) => s.filter((x) => x.name.startsWith("Google GenAI")).length >= 3);
      const google = spans.filter((x) => x.name.startsWith("Google GenAI"));
      const sent = googleMock.requests.map((q: any) => q.headers.traceparent);
      expect(sent.sort()).toEqual(google.map((x) => `00-${x.traceId}-${x.spanId}-01`).sort());
      // the client's own headers still go, and nothing of ours reaches the request body
      expect(googleMock.requests.every((q: any) => q.headers["x-app"] === "kept" && !JSON.stringify(q.body).includes("traceparent"))).toBe(true);
      if (HOOK_BASED.includes(runtime)) expect(report.afterLoneCalls).toBe(false);
    });

    it.each(selectedRuntimes())("a traceparent in the client's headers is the one sent (%s)", async (runtime) => {
      await runGoogle(runtime, { APP_TRACEPARENT: "1" });
      await receiver.waitForSpans((s) => s.filter((x) => x.name.startsWith("Google GenAI")).length >= 3);
      expect(googleMock.requests.map((q: any) => q.headers.traceparent)).toEqual(Array(3).fill("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    });
  });
});
