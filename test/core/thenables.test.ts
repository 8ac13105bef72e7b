/**
 * agentSpan / manualSpan return the callback's thenable itself when it is more than a plain Promise
 * (the OpenAI SDK's APIPromise, a Promise subclass, a lazy query builder), observing it in place:
 * real openai against the mock server, zero-code subprocess, spans from the OTLP receiver.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { byKind, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const APP = path.join(FIXTURES, "apps", "core", "thenables.mjs");

let mock: { baseURL: string; close(): Promise<void> };
let receiver: Receiver;
let spans: ReceivedSpan[];
let stdout: string;

beforeAll(async () => {
  mock = await startMockOpenAI();
  receiver = await startOtlpReceiver();
  const plain = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL } });
  expect(plain.code, plain.stderr).toBe(0);
  const traced = await node(["--import", "@inference/tracing/register", APP], {
    env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" },
  });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(plain.stdout);
  stdout = traced.stdout;
  spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "query"));
}, 90_000);
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

describe("thenables keep their type", () => {
  it("the app's helpers work on what agentSpan / manualSpan return", () => {
    expect(stdout).toContain("withResponse: Echo: with response 200");
    expect(stdout).toContain("asResponse: Echo: raw please");
    expect(stdout).toContain("awaited: Echo: awaited");
    expect(stdout).toContain("failing: InternalServerError 500");
    expect(stdout).toContain("subclass: true cancelled 7");
    // the query builder ran once, when the app awaited it
    expect(stdout).toContain('query: true true ["row"] runs=1');
  });

  it("each span ends when the app's thenable settles, with its outcome, around the LLM span inside", () => {
    for (const agentId of ["with-response", "awaited"]) {
      const agent = one(spans, (s) => s.attributes["agent.id"] === agentId && s.attributes["openinference.span.kind"] === "AGENT", agentId);
      expect(agent.status.code).toBe(1);
      const llm = one(byKind(spans, "LLM"), (s) => s.parentSpanId === agent.spanId, `${agentId}'s LLM span`);
      expect(llm.attributes["llm.token_count.total"]).toBeGreaterThan(0);
      // started before the call, ended once the app had its answer (durations are exact; absolute times are not, within 1 ms)
      expect(agent.durationMs).toBeGreaterThan(llm.durationMs);
    }
    const failing = one(spans, (s) => s.attributes["agent.id"] === "failing" && s.attributes["openinference.span.kind"] === "AGENT", "failing");
    expect(failing.status.code).toBe(2);
    expect(failing.events.some((e) => e.name === "exception")).toBe(true);
    // the OpenAI integration still sees the failure of the same APIPromise (both observe it)
    const failedCall = one(byKind(spans, "LLM"), (s) => s.parentSpanId === failing.spanId, "the failing LLM span");
    expect(failedCall.status.code).toBe(2);
    expect(failedCall.attributes["inference.tracing.incomplete"]).toBeUndefined();
    for (const name of ["as-response", "subclass", "query"]) expect(one(spans, (s) => s.name === name, name).status.code).toBe(1);
    // no span waited for the process to end: each one ended when its call did
    expect(byKind(spans, "LLM")).toHaveLength(4);
    expect(spans.filter((s) => s.attributes["inference.tracing.incomplete"])).toEqual([]);
  });
});
