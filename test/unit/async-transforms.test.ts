/** Export transforms that work off the main thread: spans wait for them, and the exit path never does. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { CompositeProcessor, type AsyncSpanTransform } from "../../src/export/pipeline";

function setup(delayMs: number) {
  const exporter = new InMemorySpanExporter();
  const order: string[] = [];
  const slow: AsyncSpanTransform = {
    wants: (a) => a["needs.async"] === true,
    run: async (a) => {
      await new Promise((r) => setTimeout(r, delayMs));
      a["async.done"] = true;
      order.push("async");
    },
  };
  const sync = (a: Record<string, unknown>) => {
    a["sync.saw.async"] = a["async.done"] === true;
    order.push("sync");
  };
  const composite = new CompositeProcessor([new SimpleSpanProcessor(exporter)], [sync], false, [slow]);
  const tracer = new BasicTracerProvider({ spanProcessors: [composite] }).getTracer("unit");
  return { exporter, order, composite, tracer };
}

describe("asynchronous export transforms", () => {
  it("a span that wants one reaches the processors after it, then the synchronous transforms; others pass at once", async () => {
    const { exporter, order, composite, tracer } = setup(30);
    tracer.startSpan("plain").end();
    tracer.startSpan("estimated", { attributes: { "needs.async": true } }).end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["plain"]);
    await composite.forceFlush();
    const estimated = exporter.getFinishedSpans().find((s) => s.name === "estimated")!;
    expect(estimated.attributes["async.done"]).toBe(true);
    expect(estimated.attributes["sync.saw.async"]).toBe(true);
    expect(order).toEqual(["sync", "async", "sync"]);
  });

  it("at exit a span still waiting goes out with the synchronous transforms (privacy never skipped), once", async () => {
    const { exporter, order, composite, tracer } = setup(200);
    tracer.startSpan("estimated", { attributes: { "needs.async": true } }).end();
    composite.releaseHeld();
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.attributes["sync.saw.async"]).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual(["sync", "async"]);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
