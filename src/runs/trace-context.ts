/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): `traceparent` and `tracestate` read
 * and written without the OpenTelemetry SDK (which loads only with the first span), for HTTP
 * headers (src/runs) and MCP's `params._meta` (integrations/kit/trace-context.ts).
 * A malformed value is ignored, never thrown on.
 */
import { createTraceState, TraceFlags, type SpanContext } from "@opentelemetry/api";

/** Lower-case hex only, as the spec requires; later versions may carry more fields after a dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE = "0".repeat(32);
const INVALID_SPAN = "0".repeat(16);
/** The spec's limit on the tracestate a peer can make us carry. */
const MAX_TRACESTATE = 512;

/** The remote parent a `traceparent` names, or undefined when the value is absent or malformed. */
export function parseTraceParent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  const raw = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  if (typeof raw !== "string" || raw.length > 512) return undefined;
  const m = TRACEPARENT.exec(raw.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  // version ff is invalid; version 00 has exactly four fields
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE || spanId === INVALID_SPAN) return undefined;
  const ctx: SpanContext = { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) & TraceFlags.SAMPLED, isRemote: true };
  const state = Array.isArray(tracestate) ? tracestate.filter((x) => typeof x === "string").join(",") : tracestate;
  // the API's parser keeps only valid list members, and nothing of a value over 512 characters
  if (typeof state === "string" && state.length > 0) ctx.traceState = createTraceState(state);
  return ctx;
}

/** `traceparent` for a span context. */
export function formatTraceParent(ctx: SpanContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** The `tracestate` to send on, if any. */
export function formatTraceState(ctx: SpanContext): string | undefined {
  const s = ctx.traceState?.serialize();
  return s && s.length <= MAX_TRACESTATE ? s : undefined;
}
