/** Run stitching's bookkeeping, in process: runs are bounded in number, and a continuation joins the right run. */
import { context, ROOT_CONTEXT, trace, type Attributes } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { setInputMessages, setOutputMessages, setTools, type MessageLike } from "../../src/integrations/kit/messages";
import { endAllRuns, openRunCount, stitchCall } from "../../src/runs/stitch";

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("unit");
const settings = { stitch: true, stitchIdleMillis: 60_000 };

const TOOLS = [{ type: "function", function: { name: "lookup" } }];

/** One model call through stitching; `tools` false: a call that offers the model none. */
function call(messages: MessageLike[], output: MessageLike, tools = true) {
  const attrs: Attributes = {};
  setInputMessages(attrs, messages);
  if (tools) setTools(attrs, TOOLS);
  const stitched = stitchCall(ROOT_CONTEXT, attrs, tracer, settings);
  const span = tracer.startSpan("llm", {}, stitched?.parent ?? ROOT_CONTEXT);
  stitched?.started(span, Date.now());
  const out: Attributes = {};
  setOutputMessages(out, [output]);
  span.setAttributes(out);
  span.end();
  stitched?.ended(span, Date.now());
  return span;
}

afterEach(() => {
  endAllRuns();
  exporter.reset();
});

describe("stitching", () => {
  it("a call without tools that continues no run stays a trace of its own", () => {
    const span = call([{ role: "user", content: "hi" }], { role: "assistant", content: "hello" }, false);
    expect(span.parentSpanContext).toBeUndefined();
    expect(openRunCount()).toBe(0);
  });

  it("joins a continuation to its run and opens a new run for an unrelated conversation", () => {
    const system = { role: "system", content: "You are terse." };
    const user = { role: "user", content: "order?" };
    const asked = { role: "assistant", toolCalls: [{ id: "c1", name: "lookup", arguments: "{}" }] };
    const first = call([system, user], asked);
    const second = call([system, user, asked, { role: "tool", toolCallId: "c1", content: "shipped" }], { role: "assistant", content: "Shipped." });
    const other = call([{ role: "user", content: "unrelated" }], { role: "assistant", content: "ok" });
    expect(second.spanContext().traceId).toBe(first.spanContext().traceId);
    expect(other.spanContext().traceId).not.toBe(first.spanContext().traceId);
    endAllRuns();
    const spans = exporter.getFinishedSpans();
    const tool = spans.find((s) => s.attributes["openinference.span.kind"] === "TOOL")!;
    expect(tool.attributes["tool.name"]).toBe("lookup");
    expect(tool.attributes["output.value"]).toBe("shipped");
    const roots = spans.filter((s) => s.attributes["inference.run.kind"] === "stitched" && s.name !== "lookup");
    expect(roots.map((r) => r.attributes["openinference.span.kind"]).sort()).toEqual(["AGENT", "CHAIN"]);
  });

  it("does not apply inside a span (agentSpan, a framework run) or when switched off", () => {
    const attrs: Attributes = {};
    setInputMessages(attrs, [{ role: "user", content: "x" }]);
    const outer = tracer.startSpan("outer");
    expect(stitchCall(trace.setSpan(ROOT_CONTEXT, outer), attrs, tracer, settings)).toBeUndefined();
    expect(stitchCall(ROOT_CONTEXT, attrs, tracer, { ...settings, stitch: false })).toBeUndefined();
    expect(stitchCall(ROOT_CONTEXT, {}, tracer, settings)).toBeUndefined();
    outer.end();
    void context;
  });

  it("holds at most 256 open runs however many conversations start, ending the oldest", () => {
    for (let i = 0; i < 1000; i++) call([{ role: "user", content: `conversation ${i}` }], { role: "assistant", content: "ok" });
    expect(openRunCount()).toBe(256);
    const ended = exporter.getFinishedSpans().filter((s) => s.attributes["inference.run.kind"] === "stitched");
    expect(ended).toHaveLength(1000 - 256);
  });
});
