/**
 * OTLP/JSON encoding of finished spans (ExportTraceServiceRequest). The output is byte-identical
 * to @opentelemetry/otlp-transformer's JsonTraceSerializer (a test holds both to that), which
 * builds one object per attribute and value and then JSON.stringifies the whole tree. Here the
 * pieces go straight into one array joined once: attribute names are encoded once per name, and
 * text that needs no escaping skips JSON.stringify.
 */
import type { Attributes, HrTime, Link } from "@opentelemetry/api";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";
import { parentSpanIdOf } from "./span-json";

const str = JSON.stringify;

/** Characters JSON must escape (quote, backslash, controls) and surrogates (JSON.stringify escapes lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `{"key":"…","value":` per attribute name: names repeat from span to span. */
const keyPrefixes = new Map<string, string>();
function keyPrefix(k: string): string {
  let out = keyPrefixes.get(k);
  if (out === undefined) {
    out = `{"key":${str(k)},"value":`;
    if (keyPrefixes.size < 10_000) keyPrefixes.set(k, out);
  }
  return out;
}

/** Low 8 bits: W3C trace flags; 0x100: "has is_remote"; 0x200: the parent is remote (OTLP spec). */
export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
}

/** Nanoseconds since the epoch as a JSON string, without BigInt for ordinary times. */
function nanos(t: HrTime): string {
  const s = Math.trunc(t[0]);
  const n = Math.trunc(t[1]);
  if (s > 0 && n >= 0 && n < 1e9 && Number.isSafeInteger(s)) return `"${s}${String(n).padStart(9, "0")}"`;
  return `"${(BigInt(s) * 1_000_000_000n + BigInt(n)).toString()}"`;
}

/** Appends JSON text to one array joined at the end (no intermediate strings). */
class Out {
  readonly parts: string[] = [];
  raw(s: string): void {
    this.parts.push(s);
  }
  /** A JSON string literal; most attribute text needs no escaping. */
  string(s: string): void {
    if (NEEDS_ESCAPE.test(s)) this.parts.push(str(s));
    else this.parts.push('"', s, '"');
  }
  /** `,"name":value`, or nothing when the value is undefined (as JSON.stringify leaves such a key out). */
  opt(name: string, value: unknown): void {
    if (value !== undefined) this.parts.push(`,"${name}":`, str(value));
  }
}

function anyValue(o: Out, value: unknown): void {
  switch (typeof value) {
    case "string":
      o.raw('{"stringValue":');
      o.string(value);
      o.raw("}");
      return;
    case "number":
      o.raw(Number.isInteger(value) ? '{"intValue":' : '{"doubleValue":');
      o.raw(str(value));
      o.raw("}");
      return;
    case "boolean":
      o.raw(value ? '{"boolValue":true}' : '{"boolValue":false}');
      return;
  }
  if (value instanceof Uint8Array) {
    o.raw(`{"bytesValue":${str(Buffer.from(value).toString("base64"))}}`);
  } else if (Array.isArray(value)) {
    o.raw('{"arrayValue":{"values":[');
    for (let i = 0; i < value.length; i++) {
      if (i) o.raw(",");
      anyValue(o, value[i]);
    }
    o.raw("]}}");
  } else if (typeof value === "object" && value !== null) {
    o.raw('{"kvlistValue":{"values":[');
    keyValues(o, value as Record<string, unknown>);
    o.raw("]}}");
  } else o.raw("{}");
}

function keyValues(o: Out, attrs: Record<string, unknown>): void {
  let first = true;
  for (const k of Object.keys(attrs)) {
    o.raw(first ? keyPrefix(k) : "," + keyPrefix(k));
    anyValue(o, attrs[k]);
    o.raw("}");
    first = false;
  }
}

function attributes(o: Out, attrs: Attributes | undefined): void {
  o.raw("[");
  if (attrs) keyValues(o, attrs);
  o.raw("]");
}

function event(o: Out, e: TimedEvent): void {
  o.raw('{"attributes":');
  attributes(o, e.attributes);
  o.raw(`,"name":`);
  o.string(e.name);
  o.raw(`,"timeUnixNano":${nanos(e.time)},"droppedAttributesCount":${e.droppedAttributesCount || 0}}`);
}

function link(o: Out, l: Link): void {
  o.raw('{"attributes":');
  attributes(o, l.attributes);
  o.raw(`,"spanId":${str(l.context.spanId)},"traceId":${str(l.context.traceId)}`);
  o.opt("traceState", l.context.traceState?.serialize());
  o.raw(`,"droppedAttributesCount":${l.droppedAttributesCount || 0},"flags":${spanFlags(l.context.traceFlags, l.context.isRemote)}}`);
}

function list<T>(o: Out, items: readonly T[], each: (o: Out, item: T) => void): void {
  o.raw("[");
  for (let i = 0; i < items.length; i++) {
    if (i) o.raw(",");
    each(o, items[i]!);
  }
  o.raw("]");
}

function span(o: Out, s: ReadableSpan): void {
  const ctx = s.spanContext();
  const parent = s.parentSpanContext;
  const parentSpanId = parentSpanIdOf(s);
  o.raw(`{"traceId":${str(ctx.traceId)},"spanId":${str(ctx.spanId)}`);
  if (parentSpanId) o.raw(`,"parentSpanId":${str(parentSpanId)}`);
  o.opt("traceState", ctx.traceState?.serialize());
  o.raw(`,"name":`);
  o.string(s.name);
  o.raw(`,"kind":${s.kind == null ? 0 : s.kind + 1},"startTimeUnixNano":${nanos(s.startTime)},"endTimeUnixNano":${nanos(s.endTime)},"attributes":`);
  attributes(o, s.attributes);
  o.opt("droppedAttributesCount", s.droppedAttributesCount);
  o.raw(`,"events":`);
  list(o, s.events, event);
  o.opt("droppedEventsCount", s.droppedEventsCount);
  o.raw(`,"status":{"code":${str(s.status.code)}`);
  o.opt("message", s.status.message);
  o.raw(`},"links":`);
  list(o, s.links, link);
  o.opt("droppedLinksCount", s.droppedLinksCount);
  o.raw(`,"flags":${spanFlags(ctx.traceFlags, parent?.isRemote)}}`);
}

type Resource = ReadableSpan["resource"];
type Scope = ReadableSpan["instrumentationScope"];

/** The resource is one object for the life of the provider: encode it once. */
const encodedResources = new WeakMap<object, string>();
function resource(r: Resource): string {
  let out = encodedResources.get(r);
  if (out === undefined) {
    const o = new Out();
    o.raw('{"attributes":');
    attributes(o, r.attributes);
    o.raw(`,"droppedAttributesCount":0`);
    if (r.schemaUrl) o.raw(`,"schemaUrl":${str(r.schemaUrl)}`);
    o.raw("}");
    out = o.parts.join("");
    encodedResources.set(r, out);
  }
  return out;
}

function scope(o: Out, sc: Scope): void {
  o.raw(`{"scope":{"name":${str(sc.name)}`);
  o.opt("version", sc.version);
  const attrs = (sc as { attributes?: Attributes }).attributes;
  if (attrs && Object.keys(attrs).length > 0) {
    o.raw(`,"attributes":`);
    attributes(o, attrs);
    o.raw(`,"droppedAttributesCount":${(sc as { droppedAttributesCount?: number }).droppedAttributesCount ?? 0}`);
  }
  o.raw("}");
}

/** The request body for POST /v1/traces (Content-Type: application/json). */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): string {
  // group by resource, then by instrumentation scope, keeping first-seen order
  const byResource = new Map<Resource, Map<string, ReadableSpan[]>>();
  for (const s of spans) {
    let scopes = byResource.get(s.resource);
    if (!scopes) byResource.set(s.resource, (scopes = new Map()));
    const sc = s.instrumentationScope;
    const key = `${sc.name}@${sc.version || ""}:${sc.schemaUrl || ""}`;
    let group = scopes.get(key);
    if (!group) scopes.set(key, (group = []));
    group.push(s);
  }
  const o = new Out();
  o.raw('{"resourceSpans":[');
  let firstResource = true;
  for (const [r, scopes] of byResource) {
    o.raw(`${firstResource ? "" : ","}{"resource":${resource(r)},"scopeSpans":[`);
    firstResource = false;
    let firstScope = true;
    for (const group of scopes.values()) {
      const sc = group[0]!.instrumentationScope;
      if (!firstScope) o.raw(",");
      firstScope = false;
      scope(o, sc);
      o.raw(`,"spans":`);
      list(o, group, span);
      o.opt("schemaUrl", sc.schemaUrl);
      o.raw("}");
    }
    o.raw("]");
    if (r.schemaUrl) o.raw(`,"schemaUrl":${str(r.schemaUrl)}`);
    o.raw("}");
  }
  o.raw("]}");
  return o.parts.join("");
}
