/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` and `tracestate`
 * headers, read and written without the OpenTelemetry SDK (which loads only with the first span).
 * A malformed header is ignored, never thrown on.
 */
import { TraceFlags, type SpanContext } from "@opentelemetry/api";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE = "0".repeat(32);
const INVALID_SPAN = "0".repeat(16);
/** The spec's limits: at most 32 list members; we also cap the text a peer can make us carry. */
const MAX_TRACESTATE = 512;

/** The remote parent a `traceparent` names, or undefined when the header is absent or malformed. */
export function parseTraceParent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  const raw = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  if (typeof raw !== "string" || raw.length > 512) return undefined;
  const m = TRACEPARENT.exec(raw.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m;
  // version ff is invalid; version 00 has exactly four fields; later versions may carry more
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE || spanId === INVALID_SPAN) return undefined;
  const ctx: SpanContext = { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) & TraceFlags.SAMPLED, isRemote: true };
  const state = Array.isArray(tracestate) ? tracestate.join(",") : tracestate;
  if (typeof state === "string" && state.length > 0 && state.length <= MAX_TRACESTATE) {
    (ctx as { traceState?: unknown }).traceState = new RawTraceState(state);
  }
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

/** A tracestate carried through unchanged (we add no member of our own). */
class RawTraceState {
  constructor(private readonly raw: string) {}
  set(): RawTraceState {
    return this;
  }
  unset(): RawTraceState {
    return this;
  }
  get(key: string): string | undefined {
    for (const member of this.raw.split(",")) {
      const eq = member.indexOf("=");
      if (eq > 0 && member.slice(0, eq).trim() === key) return member.slice(eq + 1).trim();
    }
    return undefined;
  }
  serialize(): string {
    return this.raw;
  }
}
