// Spans still open when the process ends are ended by us (marked incomplete); the tracking of open
// spans must not keep alive a span the app dropped without ending it.
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { CompositeProcessor } from "../../src/export/pipeline";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

function pipeline() {
  const exporter = new InMemorySpanExporter();
  const composite = new CompositeProcessor([new SimpleSpanProcessor(exporter)]);
  const tracer = new BasicTracerProvider({ spanProcessors: [composite] }).getTracer("t");
  return { exporter, composite, tracer };
}

describe("open spans at exit", () => {
  it("ends only the spans still open, innermost first, marked incomplete with the reason", () => {
    const { exporter, composite, tracer } = pipeline();
    tracer.startSpan("finished").end();
    const outer = tracer.startSpan("outer");
    tracer.startSpan("inner");
    expect(composite.endOpenSpans("SIGTERM")).toBe(2);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s: ReadableSpan) => s.name)).toEqual(["finished", "inner", "outer"]);
    expect(spans[0]!.attributes["inference.tracing.incomplete"]).toBeUndefined();
    for (const s of spans.slice(1)) expect(s.attributes).toMatchObject({ "inference.tracing.incomplete": true, "inference.tracing.end_reason": "SIGTERM" });
    expect(outer.isRecording()).toBe(false);
    expect(composite.endOpenSpans("process exit")).toBe(0); // nothing twice
  });

  it("does not keep alive spans the app dropped without ending them", async () => {
    const { composite, tracer } = pipeline();
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 3000; i++) refs.push(new WeakRef(tracer.startSpan(`dropped ${i}`, { attributes: { big: "x".repeat(1000) + i } })));
    // spans are held strongly for their first second only (most end by then)
    await new Promise((r) => setTimeout(r, 1100));
    const kept = tracer.startSpan("kept");
    for (let i = 0; i < 5 && refs.some((r) => r.deref()); i++) {
      await new Promise((r) => setTimeout(r, 10)); // WeakRef targets stay alive until the current job ends
      gc();
    }
    expect(refs.filter((r) => r.deref()).length).toBe(0);
    expect(composite.endOpenSpans("process exit")).toBe(1);
    expect(kept.isRecording()).toBe(false);
  });
});
