/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) in and out of a plain key/value
 * carrier: an MCP request's `params._meta`, a header object. Writing uses the globally registered
 * OpenTelemetry propagator when there is one (our pipeline registers W3C trace context + baggage;
 * an app's own OpenTelemetry SDK may have registered another) and adds `traceparent` /
 * `tracestate` of our own when it wrote none; reading tries the registered one, then W3C.
 * Malformed values are ignored, never thrown about: the caller then simply has no remote parent.
 */
import { createTraceState, isSpanContextValid, propagation, trace, TraceFlags, type Context, type SpanContext, type TextMapGetter } from "@opentelemetry/api";

export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";

type Carrier = Record<string, unknown>;

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const v = carrier[key];
    if (typeof v === "string") return v;
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
  },
};

/** Whether a propagator is registered (the API's default one propagates nothing). */
const appPropagator = () => propagation.fields().length > 0;

/** The version-00 form, and later versions (which may carry more fields after a dash). */
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "00000000000000000000000000000000";
const ZERO_SPAN = "0000000000000000";

/** A remote span context from a traceparent (and tracestate) value, or undefined when malformed. */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== "string") return undefined;
  const m = TRACEPARENT_RE.exec(traceparent.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  const state = typeof tracestate === "string" ? tracestate : Array.isArray(tracestate) ? tracestate.filter((x) => typeof x === "string").join(",") : undefined;
  return {
    traceId,
    spanId,
    traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    // the API's parser keeps only valid list members, and nothing from a value over the spec's 512 characters
    traceState: state ? createTraceState(state) : undefined,
  };
}

/** `ctx` with the remote parent the carrier names, or undefined when it names none (or a malformed one). */
export function extractTraceContext(carrier: unknown, ctx: Context): Context | undefined {
  if (!carrier || typeof carrier !== "object") return undefined;
  const c = carrier as Carrier;
  if (appPropagator()) {
    const extracted = propagation.extract(ctx, c, getter);
    const sc = trace.getSpanContext(extracted);
    if (sc && sc.isRemote && isSpanContextValid(sc)) return extracted;
  }
  const sc = parseTraceparent(getter.get(c, TRACEPARENT)?.toString(), getter.get(c, TRACESTATE));
  return sc ? trace.setSpanContext(ctx, sc) : undefined;
}

/**
 * The trace context of `ctx` as carrier entries (`traceparent`, `tracestate`, and whatever else
 * the app's propagator writes), or undefined when `ctx` holds no valid span.
 */
export function traceContextEntries(ctx: Context): Record<string, string> | undefined {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !isSpanContextValid(sc)) return undefined;
  const out: Record<string, string> = {};
  if (appPropagator()) propagation.inject(ctx, out);
  if (out[TRACEPARENT] === undefined) {
    out[TRACEPARENT] = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
    const state = sc.traceState?.serialize();
    if (state) out[TRACESTATE] = state;
  }
  return out;
}
