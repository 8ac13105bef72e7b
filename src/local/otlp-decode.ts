/**
 * OTLP/HTTP trace request bodies (JSON or protobuf) → span records in the same shape as
 * the CATALYST_TRACES_FILE lines (src/export/span-json.ts), so both feed one store.
 */
import type { SpanRecord } from "../trace-model/span-record";

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
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

let requestType: any;
function protoType(): any {
  if (!requestType) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const protobuf = require("protobufjs") as typeof import("protobufjs");
    requestType = protobuf.parse(PROTO, { keepCase: false }).root.lookupType("otlp.ExportTraceServiceRequest");
  }
  return requestType;
}

/** Trace and span ids: hex in OTLP/JSON (base64 from some SDKs), bytes in protobuf. */
function hex(v: unknown): string {
  if (v == null) return "";
  if (typeof v === "string") return /^[0-9a-f]*$/i.test(v) ? v.toLowerCase() : Buffer.from(v, "base64").toString("hex");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  return "";
}

/** Nanosecond timestamps: strings or numbers in JSON, Long-like or numbers in protobuf. */
function nanosToMs(v: unknown): number {
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

function anyValue(v: any): unknown {
  if (!v || typeof v !== "object") return undefined;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) {
    const n = v.intValue;
    if (typeof n === "object" && "low" in n) return Number((BigInt(n.high | 0) << 32n) | BigInt(n.low >>> 0));
    return Number(n);
  }
  if (v.doubleValue != null) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue) return attributes(v.kvlistValue.values);
  if (v.bytesValue != null) return hex(v.bytesValue);
  return undefined;
}

function attributes(list: any[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) if (kv && typeof kv.key === "string") out[kv.key] = anyValue(kv.value);
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

/** An OTLP ExportTraceServiceRequest (JSON-shaped, camelCase) → span records. */
export function flattenRequest(req: any): SpanRecord[] {
  const spans: SpanRecord[] = [];
  for (const rs of req?.resourceSpans ?? []) {
    const resource = attributes(rs?.resource?.attributes);
    for (const ss of rs?.scopeSpans ?? rs?.instrumentationLibrarySpans ?? []) {
      const scope = ss?.scope ?? ss?.instrumentationLibrary ?? {};
      for (const s of ss?.spans ?? []) {
        const traceId = hex(s.traceId);
        const spanId = hex(s.spanId);
        if (!traceId || !spanId) continue;
        const start = nanosToMs(s.startTimeUnixNano);
        const end = nanosToMs(s.endTimeUnixNano) || start;
        // span flags bits 8 and 9: "we know whether the parent is remote" and "it is"
        const flags = Number(s.flags ?? 0);
        const record: SpanRecord & { remoteParent?: boolean } = {
          traceId,
          spanId,
          parentSpanId: hex(s.parentSpanId) || undefined,
          name: String(s.name ?? ""),
          // OTLP kinds are 1-based (1 = INTERNAL); the SDK's ReadableSpan kind is 0-based
          kind: Math.max(0, enumValue(s.kind, SPAN_KINDS, 1) - 1),
          startTimeMs: start,
          endTimeMs: end,
          durationMs: Math.max(0, end - start),
          status: { code: enumValue(s.status?.code, STATUS_CODES, 0), message: s.status?.message || undefined },
          attributes: attributes(s.attributes),
          events: (s.events ?? []).map((e: any) => ({ name: String(e.name ?? ""), timeMs: nanosToMs(e.timeUnixNano), attributes: attributes(e.attributes) })),
          resource,
          scope: { name: String(scope.name ?? ""), version: scope.version || undefined },
        };
        if (record.parentSpanId && (flags & 0x300) === 0x300) record.remoteParent = true;
        spans.push(record);
      }
    }
  }
  return spans;
}

/** Decode an OTLP/HTTP body by content type (protobuf unless it says JSON). */
export function decodeTraceRequest(body: Buffer, contentType: string | undefined): SpanRecord[] {
  if ((contentType ?? "").toLowerCase().includes("json")) return flattenRequest(JSON.parse(body.toString("utf8")));
  const type = protoType();
  const msg = type.decode(body);
  return flattenRequest(type.toObject(msg, { longs: String, bytes: Buffer, defaults: false }));
}
