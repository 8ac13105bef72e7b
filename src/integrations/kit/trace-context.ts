/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) in and out of a plain key/value
 * carrier: an MCP request's `params._meta`, a header object. Writing uses the globally registered
 * OpenTelemetry propagator when there is one (our pipeline registers W3C trace context + baggage;
 * an app's own OpenTelemetry SDK may have registered another) and adds `traceparent` /
 * `tracestate` of our own when it wrote none; reading tries the registered one, then W3C.
 * Malformed values are ignored, never thrown about: the caller then simply has no remote parent.
 * The W3C parsing and formatting itself is src/runs/trace-context.ts's.
 */
import { isSpanContextValid, propagation, trace, type Context, type TextMapGetter } from "@opentelemetry/api";
import { formatTraceParent, formatTraceState, parseTraceParent } from "../../runs/trace-context";

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

/** `ctx` with the remote parent the carrier names, or undefined when it names none (or a malformed one). */
export function extractTraceContext(carrier: unknown, ctx: Context): Context | undefined {
  if (!carrier || typeof carrier !== "object") return undefined;
  const c = carrier as Carrier;
  if (appPropagator()) {
    const extracted = propagation.extract(ctx, c, getter);
    const sc = trace.getSpanContext(extracted);
    if (sc && sc.isRemote && isSpanContextValid(sc)) return extracted;
  }
  const sc = parseTraceParent(getter.get(c, TRACEPARENT), getter.get(c, TRACESTATE));
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
    out[TRACEPARENT] = formatTraceParent(sc);
    const state = formatTraceState(sc);
    if (state) out[TRACESTATE] = state;
  }
  return out;
}

/** An object literal's kind of object (a carrier we may copy with a spread without losing anything). */
export function isPlainRecord(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Whether a plain header object names `name` (lower case), in any case. */
export const namesHeader = (headers: unknown, name: string): boolean =>
  isPlainRecord(headers) && Object.keys(headers).some((k) => k.length === name.length && k.toLowerCase() === name);

/** `own` (a plain header object, or none) with `added` set on a copy. */
export function withHeaders(own: Record<string, unknown> | null | undefined, added: [string, string][]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...own };
  for (const [k, v] of added) out[k] = v;
  return out;
}
