// Our OTLP/protobuf encoder against the reference: @opentelemetry/otlp-transformer's
// ProtobufTraceSerializer must produce the very same bytes for the same finished spans, and what
// we send must decode (with protobufjs, as the receiver does) to the values the spans hold.
import { describe, expect, it } from "vitest";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { encodeTraceRequestProto } from "../../src/export/otlp-proto";
import { decodeTraceRequest } from "../../src/local/otlp-decode";
import { everyKindOfSpan, record } from "../helpers/otel-spans";

const reference = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
/** Every span record the collector's decoder takes from a body (it hands them over in slices). */
const decodeAll = (body: Uint8Array) => [...decodeTraceRequest(body, "protobuf")].flatMap((slice) => slice.records);

describe("OTLP/protobuf encoding", () => {
  it("is byte-identical to the OpenTelemetry serializer for spans with every kind of value, event and link", () => {
    const spans = everyKindOfSpan();
    const ours = encodeTraceRequestProto(spans);
    expect(ours.equals(reference(spans))).toBe(true);
    const decoded = decodeAll(ours);
    expect(decoded.map((s) => s.name)).toEqual(spans.map((s) => s.name));
    const root = decoded.find((s) => s.name.startsWith("LLM call"))!;
    expect(root.attributes["input.value"]).toBe(spans.find((s) => s.name.startsWith("LLM call"))!.attributes["input.value"]);
    expect(root.attributes["llm.token_count.prompt"]).toBe(24);
    expect(root.attributes["numbers"]).toEqual([1, 2.5, -3]);
    expect(decoded[0]!.attributes["lone.surrogate"]).toBe("a\ufffdb"); // set on spans[0] after it ended
  });

  it("moves messages up when their lengths need more bytes (long text, big spans, many spans)", () => {
    const spans = record(([a]) => {
      const t = a!.getTracer("t");
      for (let i = 0; i < 300; i++) {
        const s = t.startSpan(`span ${i}`);
        s.setAttributes({
          "short.ascii": "x".repeat(i % 140),
          "long.ascii": "y".repeat(i * 61),
          "long.unicode": "é😀".repeat(i * 7),
          "short.unicode": "ü".repeat(i % 70),
          "many.items": Array.from({ length: i % 40 }, (_, k) => `item ${k}`),
        });
        s.end();
      }
    });
    const ours = encodeTraceRequestProto(spans);
    expect(ours.length).toBeGreaterThan(1_000_000);
    expect(ours.equals(reference(spans))).toBe(true);
    const decoded = decodeAll(ours);
    expect(decoded[299]!.attributes["long.unicode"]).toBe("é😀".repeat(299 * 7));
  });

  it("encodes times, negative and large integers exactly", () => {
    const spans = record(([a]) => {
      const t = a!.getTracer("t");
      const s = t.startSpan("exact", { startTime: [1_700_000_000, 5] });
      s.setAttributes({ neg: -1, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, big: 2 ** 62, huge: 2 ** 64, tiny: 1e-300 });
      s.end([1_700_000_001, 999_999_999]);
      t.startSpan("epoch", { startTime: [0, 0] }).end([0, 123]);
      t.startSpan("far", { startTime: [4_102_444_800, 1] }).end([4_294_967_295, 999_999_999]);
    });
    expect(encodeTraceRequestProto(spans).equals(reference(spans))).toBe(true);
  });

  it("encodes an empty batch like the reference", () => {
    expect(encodeTraceRequestProto([]).equals(reference([]))).toBe(true);
  });
});
