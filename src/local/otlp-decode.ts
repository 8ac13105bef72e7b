/**
 * OTLP/HTTP trace request bodies (JSON or protobuf) → span records in the same shape as
 * the CATALYST_TRACES_FILE lines (src/trace-model/span-record.ts), so both feed one store.
 *
 * Spans are decoded one at a time, in slices: a span that cannot be decoded or stored is
 * rejected alone (src/local/validate.ts), and a large request can be stored slice by slice.
 * A protobuf body is walked field by field down to each Span, so a malformed span is found
 * without decoding (or failing) the whole request. The schema below also holds the metrics
 * messages that ./otlp-metrics reads.
 */
import type { SpanRecord } from "../trace-model/span-record";
import { MAX_DEPTH, TOO_DEEP, problemWith } from "./validate";

const PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10; repeated Event events = 11;
  uint32 dropped_events_count = 12; repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Status { string message = 2; int32 code = 3; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10; Summary summary = 11; }
}
message Gauge { repeated bytes data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message ExponentialHistogram { repeated ExponentialHistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Summary { repeated bytes data_points = 1; }
message NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; oneof value { double as_double = 4; sfixed64 as_int = 6; } }
message HistogramDataPoint { repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5; }
message ExponentialHistogramDataPoint { repeated KeyValue attributes = 1; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
`;

let proto: { root: import("protobufjs").Root; Reader: typeof import("protobufjs").Reader } | undefined;
/** OTLP's trace and metrics messages (the fields we read), parsed once. */
export function protoRoot() {
  if (!proto) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const protobuf = require("protobufjs") as typeof import("protobufjs");
    proto = { root: protobuf.parse(PROTO, { keepCase: false }).root, Reader: protobuf.Reader };
  }
  return proto;
}
export const TO_OBJECT = { longs: String, bytes: Buffer, defaults: false } as const;

/** Trace and span ids: hex in OTLP/JSON (base64 from some SDKs), bytes in protobuf. */
function hex(v: unknown): string {
  if (v == null) return "";
  if (typeof v === "string") return /^[0-9a-f]*$/i.test(v) ? v.toLowerCase() : Buffer.from(v, "base64").toString("hex");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  return "";
}

/** Nanosecond timestamps: strings or numbers in JSON, Long-like or numbers in protobuf. */
export function nanosToMs(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === "object" && v !== null && "low" in v) {
    const l = v as { low: number; high: number };
    return Number((BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0)) / 1e6;
  }
  if (typeof v === "string") {
    try {
      return Number(BigInt(v) / 1000n) / 1000;
    } catch {
      return Number(v) / 1e6;
    }
  }
  return Number(v) / 1e6;
}

/** An OTLP AnyValue at nesting `level` (an attribute's own value is level 1). */
function anyValue(v: any, level = 1): unknown {
  if (!v || typeof v !== "object") return undefined;
  // a value nested deeper than the store keeps is cut there (validate.ts)
  if (level >= MAX_DEPTH && (v.arrayValue || v.kvlistValue)) return TOO_DEEP;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) {
    const n = v.intValue;
    if (typeof n === "object" && "low" in n) return Number((BigInt(n.high | 0) << 32n) | BigInt(n.low >>> 0));
    return Number(n);
  }
  if (v.doubleValue != null) return Number(v.doubleValue);
  if (v.arrayValue) return (Array.isArray(v.arrayValue.values) ? v.arrayValue.values : []).map((x: unknown) => anyValue(x, level + 1));
  if (v.kvlistValue) return attributes(v.kvlistValue.values, level + 1);
  if (v.bytesValue != null) return hex(v.bytesValue);
  return undefined;
}

export function attributes(list: any[] | undefined, level = 1): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of Array.isArray(list) ? list : []) if (kv && typeof kv.key === "string") out[kv.key] = anyValue(kv.value, level);
  return out;
}

const SPAN_KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];
const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];
/** Enums are numbers in OTLP/JSON, but the protobuf JSON mapping also allows their names. */
function enumValue(v: unknown, names: string[], fallback: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    const n = Number(v);
    if (Number.isInteger(n)) return n;
  }
  return fallback;
}

/** A span of an OTLP request (JSON-shaped, camelCase) → its record. */
function recordOf(s: any, resource: Record<string, unknown>, scope: any): SpanRecord {
  const start = nanosToMs(s.startTimeUnixNano);
  const end = nanosToMs(s.endTimeUnixNano) || start;
  // span flags bits 8 and 9: "we know whether the parent is remote" and "it is"
  const flags = Number(s.flags ?? 0);
  const record: SpanRecord = {
    traceId: hex(s.traceId),
    spanId: hex(s.spanId),
    parentSpanId: hex(s.parentSpanId) || undefined,
    name: String(s.name ?? ""),
    // OTLP kinds are 1-based (1 = INTERNAL); the SDK's ReadableSpan kind is 0-based
    kind: Math.max(0, enumValue(s.kind, SPAN_KINDS, 1) - 1),
    startTimeMs: start,
    endTimeMs: end,
    durationMs: Math.max(0, end - start),
    status: { code: enumValue(s.status?.code, STATUS_CODES, 0), message: s.status?.message || undefined },
    attributes: attributes(s.attributes),
    events: (Array.isArray(s.events) ? s.events : []).map((e: any) => ({ name: String(e?.name ?? ""), timeMs: nanosToMs(e?.timeUnixNano), attributes: attributes(e?.attributes) })),
    resource,
    scope: { name: String(scope?.name ?? ""), version: scope?.version || undefined },
  };
  if (record.parentSpanId && (flags & 0x300) === 0x300) record.remoteParent = true;
  return record;
}

/** Spans decoded so far: the good ones, and why each bad one was rejected. */
export interface DecodedSlice {
  records: SpanRecord[];
  rejected: string[];
}

/** Adds one span to the slice: its record when it has a valid one, else the reason it is rejected. */
function take(slice: DecodedSlice, make: () => SpanRecord): void {
  let record: SpanRecord;
  try {
    record = make();
  } catch (err) {
    // protobuf decoding stops at 100 nested messages (protoc's limit; a kvlist level is three)
    const tooDeep = err instanceof RangeError || /nesting depth/.test((err as Error).message);
    const reason = tooDeep ? "its values are nested too deeply to decode" : (err as Error).message;
    slice.rejected.push(`cannot decode a span: ${reason}`);
    return;
  }
  const problem = problemWith(record);
  if (problem) slice.rejected.push(problem);
  else slice.records.push(record);
}

/** The spans of an OTLP ExportTraceServiceRequest (JSON-shaped, camelCase), `sliceSize` at a time. */
function* jsonSlices(req: any, sliceSize: number): Generator<DecodedSlice> {
  let slice: DecodedSlice = { records: [], rejected: [] };
  for (const rs of Array.isArray(req?.resourceSpans) ? req.resourceSpans : []) {
    const resource = attributes(rs?.resource?.attributes);
    for (const ss of rs?.scopeSpans ?? rs?.instrumentationLibrarySpans ?? []) {
      const scope = ss?.scope ?? ss?.instrumentationLibrary ?? {};
      for (const s of Array.isArray(ss?.spans) ? ss.spans : []) {
        take(slice, () => recordOf(s, resource, scope));
        if (slice.records.length + slice.rejected.length >= sliceSize) {
          yield slice;
          slice = { records: [], rejected: [] };
        }
      }
    }
  }
  if (slice.records.length || slice.rejected.length) yield slice;
}

/** An OTLP ExportTraceServiceRequest (JSON-shaped, camelCase) → span records, and the reasons for those rejected. */
export function flattenRequest(req: any): DecodedSlice {
  const all: DecodedSlice = { records: [], rejected: [] };
  for (const slice of jsonSlices(req, Infinity)) {
    all.records.push(...slice.records);
    all.rejected.push(...slice.rejected);
  }
  return all;
}

/** The length-delimited fields `field` of a protobuf message, as sub-buffers (other fields skipped). */
export function* fields(buf: Uint8Array, field: number): Generator<Uint8Array> {
  const reader = protoRoot().Reader.create(buf);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === 2) yield reader.bytes();
    else reader.skipType(tag & 7);
  }
}

/** The spans of an OTLP/protobuf ExportTraceServiceRequest, `sliceSize` at a time. */
function* protobufSlices(body: Uint8Array, sliceSize: number): Generator<DecodedSlice> {
  const { root } = protoRoot();
  const types = {
    resource: root.lookupType("otlp.Resource"),
    scope: root.lookupType("otlp.InstrumentationScope"),
    span: root.lookupType("otlp.Span"),
  };
  const decode = (type: import("protobufjs").Type, bytes: Uint8Array) => type.toObject(type.decode(bytes), TO_OBJECT);
  let slice: DecodedSlice = { records: [], rejected: [] };
  for (const rs of fields(body, 1)) {
    const [resourceBytes] = fields(rs, 1);
    const resource = resourceBytes ? attributes(decode(types.resource, resourceBytes).attributes) : {};
    for (const ss of fields(rs, 2)) {
      const [scopeBytes] = fields(ss, 1);
      const scope = scopeBytes ? decode(types.scope, scopeBytes) : {};
      for (const spanBytes of fields(ss, 2)) {
        take(slice, () => recordOf(decode(types.span, spanBytes), resource, scope));
        if (slice.records.length + slice.rejected.length >= sliceSize) {
          yield slice;
          slice = { records: [], rejected: [] };
        }
      }
    }
  }
  if (slice.records.length || slice.rejected.length) yield slice;
}

/**
 * Decode an OTLP/HTTP body, `sliceSize` spans at a time. Throws when the body as a whole is not
 * OTLP (not JSON, not protobuf); a bad span is rejected in its slice instead.
 */
export function decodeTraceRequest(body: Uint8Array, format: "json" | "protobuf", sliceSize = 500): Generator<DecodedSlice> {
  if (format === "json") return jsonSlices(JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")), sliceSize);
  // the walk is lazy: check the framing of the whole body before the first slice is taken
  for (const rs of fields(body, 1)) for (const ss of fields(rs, 2)) for (const span of fields(ss, 2)) void span;
  return protobufSlices(body, sliceSize);
}

const PARTIAL_SUCCESS = {
  traces: { response: "otlp.ExportTraceServiceResponse", count: "rejectedSpans" },
  metrics: { response: "otlp.ExportMetricsServiceResponse", count: "rejectedDataPoints" },
} as const;

/** The OTLP answer for a request with rejected spans or data points: partial success (JSON or protobuf). */
export function partialSuccess(signal: keyof typeof PARTIAL_SUCCESS, format: "json" | "protobuf", rejected: number, errorMessage: string): string | Uint8Array {
  const { response, count } = PARTIAL_SUCCESS[signal];
  if (format === "json") return JSON.stringify({ partialSuccess: { [count]: String(rejected), errorMessage } });
  const type = protoRoot().root.lookupType(response);
  return type.encode(type.fromObject({ partialSuccess: { [count]: rejected, errorMessage } })).finish();
}
