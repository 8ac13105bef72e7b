// Our OTLP/JSON encoder against the reference: @opentelemetry/otlp-transformer's JsonTraceSerializer
// must produce the very same bytes for the same finished spans (real SDK spans, every value type).
import { describe, expect, it } from "vitest";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { JsonTraceSerializer } from "@opentelemetry/otlp-transformer";
import { encodeTraceRequest } from "../../src/export/otlp-json";
import { everyKindOfSpan, record } from "../helpers/otel-spans";

const reference = (spans: ReadableSpan[]) => Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString("utf8");

describe("OTLP/JSON encoding", () => {
  it("is byte-identical to the OpenTelemetry serializer for spans with every kind of value, event and link", () => {
    const spans = everyKindOfSpan();
    const ours = encodeTraceRequest(spans);
    expect(ours).toBe(reference(spans));
    // and it is what an OTLP/JSON receiver reads: two resources, three scopes
    const parsed = JSON.parse(ours);
    expect(parsed.resourceSpans.length).toBe(2);
    expect(parsed.resourceSpans.flatMap((r: any) => r.scopeSpans.map((s: any) => s.scope.name))).toEqual(["@inference/tracing", "other-scope", "scope-b"]);
  });

  it("encodes times exactly (nanoseconds as decimal strings, no rounding)", () => {
    const spans = record(([a]) => {
      const t = a!.getTracer("t");
      t.startSpan("exact", { startTime: [1_700_000_000, 5] }).end([1_700_000_001, 999_999_999]);
      t.startSpan("epoch", { startTime: [0, 0] }).end([0, 123]);
    });
    expect(encodeTraceRequest(spans)).toBe(reference(spans));
    const s = JSON.parse(encodeTraceRequest(spans)).resourceSpans[0].scopeSpans[0].spans;
    expect(s[0].startTimeUnixNano).toBe("1700000000000000005");
    expect(s[0].endTimeUnixNano).toBe("1700000001999999999");
    expect(s[1].endTimeUnixNano).toBe("123");
  });

  it("encodes an empty batch like the reference", () => {
    expect(encodeTraceRequest([])).toBe(reference([]));
  });
});
