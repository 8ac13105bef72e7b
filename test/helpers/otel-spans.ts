// Finished spans from a real OpenTelemetry SDK, for the OTLP encoders' tests (JSON and protobuf).
import { context, SpanKind, SpanStatusCode, trace, TraceFlags, createTraceState, type Span } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";

export function record(build: (providers: BasicTracerProvider[]) => void): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const providers = [
    new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": "svc-a", "deployment.environment": "test" }), spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": "svc-b", n: 3 }), spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  ];
  build(providers);
  return exporter.getFinishedSpans();
}

/** Five spans over two resources and three scopes: every kind of value, event, link, status and parent. */
export function everyKindOfSpan(): ReadableSpan[] {
  const spans = record(([a, b]) => {
    const t1 = a!.getTracer("@inference/tracing", "1.2.3");
    const t2 = a!.getTracer("other-scope", undefined, { schemaUrl: "https://opentelemetry.io/schemas/1.26.0" });
    const t3 = b!.getTracer("scope-b");
    const remoteParent = trace.setSpanContext(context.active(), {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState("vendor=abc,other=1"),
    });
    const root = t1.startSpan("LLM call \"quoted\" ✓", { kind: SpanKind.CLIENT }, remoteParent);
    root.setAttributes({
      "openinference.span.kind": "LLM",
      "input.value": '{"messages":[{"role":"user","content":"héllo \\n \u2028 😀"}]}',
      "text.controls": "tab\tnewline\nnul\u0000 bell\u0007 quote\" backslash\\",
      "llm.token_count.prompt": 24,
      "llm.cost.total": 0.0000084,
      "big.int": 2 ** 53 + 2,
      "negative": -7,
      "llm.streaming": false,
      "flag.true": true,
      "tags": ["a", "b", "ü"],
      "numbers": [1, 2.5, -3],
      "bools": [true, false],
      "with.nulls": ["x", null as unknown as string, "y"],
      "empty.string": "",
    });
    root.addEvent("first token", { "chunk.index": 0, note: "ok" });
    root.addEvent("no attributes");
    root.recordException(Object.assign(new Error("boom: \"bad\""), { code: "E_BAD" }));
    root.setStatus({ code: SpanStatusCode.ERROR, message: "HTTP 500 – upstream" });
    const child = t1.startSpan(
      "tool",
      { kind: SpanKind.INTERNAL, links: [{ context: root.spanContext(), attributes: { why: "follows" } }, { context: { traceId: "1".repeat(32), spanId: "2".repeat(16), traceFlags: 0, isRemote: true } }] },
      trace.setSpan(context.active(), root),
    );
    child.setStatus({ code: SpanStatusCode.OK });
    child.end();
    root.end();
    t2.startSpan("server", { kind: SpanKind.SERVER }).end();
    const c = t3.startSpan("consumer", { kind: SpanKind.CONSUMER }) as Span;
    c.setAttribute("k", "v");
    c.end();
    t3.startSpan("producer", { kind: SpanKind.PRODUCER }).end();
  });
  if (spans.length !== 5) throw new Error(`expected 5 spans, got ${spans.length}`);
  // values our export-time transforms may leave that setAttribute would refuse
  (spans[0]!.attributes as Record<string, unknown>)["bytes"] = new Uint8Array([0, 1, 2, 250, 255]);
  (spans[0]!.attributes as Record<string, unknown>)["kv"] = { a: 1, b: ["x", { c: true }] };
  (spans[0]!.attributes as Record<string, unknown>)["nan"] = Number.NaN;
  (spans[0]!.attributes as Record<string, unknown>)["undef"] = undefined;
  (spans[0]!.attributes as Record<string, unknown>)["lone.surrogate"] = "a\ud800b";
  return spans;
}
