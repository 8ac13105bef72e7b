/**
 * What the store accepts from outside (OTLP requests, imported files): one bad span is refused
 * or repaired on its own, never taking the good spans of its request or file down with it.
 *  - refused: a trace id that is not 32 hex characters (or all zeros), a span id that is not 16,
 *    a parent span id that is neither empty nor 16;
 *  - repaired: attribute values nested deeper than MAX_DEPTH levels are cut to a marker there.
 */
import type { SpanRecord } from "../trace-model/span-record";

export const MAX_DEPTH = 32;
export const TOO_DEEP = `…[nested deeper than ${MAX_DEPTH} levels]`;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const shown = (id: unknown) => {
  const s = String(id);
  return s.length > 40 ? `${s.slice(0, 40)}…(${s.length} characters)` : s;
};

/** Why a span cannot be stored, or undefined when it can. */
export function problemWith(r: SpanRecord): string | undefined {
  if (typeof r.traceId !== "string" || !TRACE_ID.test(r.traceId) || /^0+$/.test(r.traceId)) return `trace id "${shown(r.traceId)}" is not 32 hex characters`;
  if (typeof r.spanId !== "string" || !SPAN_ID.test(r.spanId) || /^0+$/.test(r.spanId)) return `span id "${shown(r.spanId)}" is not 16 hex characters`;
  if (r.parentSpanId !== undefined && (typeof r.parentSpanId !== "string" || !SPAN_ID.test(r.parentSpanId))) return `parent span id "${shown(r.parentSpanId)}" is not 16 hex characters`;
  if (typeof r.name !== "string") return "the span has no name";
  if (!Number.isFinite(r.startTimeMs) || !Number.isFinite(r.endTimeMs)) return "the span's start or end time is not a number";
  return undefined;
}

/** A value with everything below `MAX_DEPTH` levels replaced by TOO_DEEP. */
export function boundDepth(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => boundDepth(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = boundDepth(v, depth + 1);
  return out;
}

/** The record with its attribute maps' depth bounded (attribute maps count as the first level). */
export function repaired(r: SpanRecord): SpanRecord {
  const bound = (attrs: Record<string, unknown> | undefined) => (attrs ? (boundDepth(attrs) as Record<string, unknown>) : attrs);
  return {
    ...r,
    attributes: bound(r.attributes) ?? {},
    resource: bound(r.resource) ?? {},
    events: (r.events ?? []).map((e) => ({ ...e, attributes: bound(e.attributes) })),
  };
}
