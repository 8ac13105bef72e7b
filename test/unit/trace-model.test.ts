/** The shared trace model: which run a trace belongs to, as the console, CLI and web view group it. */
import { describe, expect, it } from "vitest";
import { runLabel, summarizeSpan, summarizeTrace, type SpanRecord } from "../../src/trace-model";

function record(spanId: string, parentSpanId: string | undefined, name: string, attributes: Record<string, unknown>): SpanRecord {
  return { traceId: "t1", spanId, parentSpanId, name, kind: 1, startTimeMs: 0, endTimeMs: 5, durationMs: 5, status: { code: 1 }, attributes, events: [], resource: {}, scope: { name: "@inference/tracing" } };
}

describe("runs in the trace model", () => {
  it("a request root, a stitched loop and an agentSpan are runs; a lone model call is not", () => {
    const summary = (...spans: SpanRecord[]) => summarizeTrace(spans.map(summarizeSpan));
    const request = summary(record("a", undefined, "GET /ask", { "openinference.span.kind": "CHAIN", "inference.run.kind": "request" }), record("b", "a", "OpenAI Chat Completions", { "openinference.span.kind": "LLM" }));
    expect(request.runKind).toBe("request");
    expect(runLabel(request)).toBe("HTTP requests");
    const stitched = summary(record("a", undefined, "You are a support agent…", { "openinference.span.kind": "CHAIN", "inference.run.kind": "stitched" }), record("b", "a", "OpenAI Chat Completions", { "openinference.span.kind": "LLM" }));
    expect(runLabel(stitched)).toBe("You are a support agent…");
    const agent = summary(record("a", undefined, "support", { "openinference.span.kind": "AGENT", "agent.id": "a-1", "agent.name": "support" }));
    expect(runLabel(agent)).toBe("support (a-1)");
    const lone = summary(record("a", undefined, "OpenAI Chat Completions", { "openinference.span.kind": "LLM" }));
    expect(runLabel(lone)).toBeUndefined();
  });
});
