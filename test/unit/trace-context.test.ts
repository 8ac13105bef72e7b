/**
 * W3C Trace Context in a plain carrier (kit/trace-context.ts): what MCP's `params._meta` carries,
 * and what HTTP header propagation can reuse. Values from the W3C specification's examples.
 */
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type TextMapPropagator } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { extractTraceContext, traceContextEntries } from "../../src/integrations/kit/trace-context";
import { parseTraceParent } from "../../src/runs/trace-context";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("parseTraceParent (runs/trace-context.ts)", () => {
  it("reads a version-00 value: ids, sampled flag, remote, trace state", () => {
    const sc = parseTraceParent(VALID, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")!;
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(sc.traceState!.get("congo")).toBe("t61rcWkgMzE");
    expect(sc.traceState!.serialize()).toBe("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    expect(parseTraceParent(`00-${TRACE}-${SPAN}-00`)!.traceFlags).toBe(TraceFlags.NONE);
  });

  it("accepts a later version with more fields, keeping only the flags it knows", () => {
    expect(parseTraceParent(`cc-${TRACE}-${SPAN}-09-what-the-future-holds`)).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1 });
  });

  it.each([
    ["not a string", 42],
    ["empty", ""],
    ["garbage", "hello"],
    ["upper case", VALID.toUpperCase()],
    ["all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["version 00 with a trailing field", `${VALID}-extra`],
    ["short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["non-hex flags", `00-${TRACE}-${SPAN}-0x`],
  ])("ignores a malformed value (%s)", (_what, value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });

  it("drops invalid or oversized tracestate, never the parent", () => {
    expect(parseTraceParent(VALID, "not a list member")!.traceState!.serialize()).toBe("");
    expect(parseTraceParent(VALID, `k=${"v".repeat(600)}`)!.traceState!.serialize()).toBe("");
    expect(parseTraceParent(VALID, ["a=1", "b=2"])!.traceState!.serialize()).toBe("a=1,b=2");
    expect(parseTraceParent(VALID, 7)!.traceState).toBeUndefined();
  });
});

describe("extractTraceContext / traceContextEntries", () => {
  afterEach(() => propagation.disable());

  it("round-trips a span context through a carrier", () => {
    const sc = { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: false };
    const entries = traceContextEntries(trace.setSpanContext(ROOT_CONTEXT, sc))!;
    expect(entries).toEqual({ traceparent: VALID });
    const back = trace.getSpanContext(extractTraceContext(entries, ROOT_CONTEXT)!)!;
    expect(back).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
  });

  it("writes nothing without a valid span, and reads nothing from an empty, foreign or malformed carrier", () => {
    expect(traceContextEntries(ROOT_CONTEXT)).toBeUndefined();
    expect(extractTraceContext(undefined, ROOT_CONTEXT)).toBeUndefined();
    expect(extractTraceContext("00-…", ROOT_CONTEXT)).toBeUndefined();
    expect(extractTraceContext({ progressToken: 3 }, ROOT_CONTEXT)).toBeUndefined();
    expect(extractTraceContext({ traceparent: "bogus", tracestate: "a=1" }, ROOT_CONTEXT)).toBeUndefined();
    expect(extractTraceContext({ traceparent: { nested: VALID } }, ROOT_CONTEXT)).toBeUndefined();
  });

  it("keeps what else the context holds", () => {
    const key = Symbol("app value");
    const base = context.active().setValue(key, "kept");
    expect(extractTraceContext({ traceparent: VALID }, base)!.getValue(key)).toBe("kept");
  });

  it("uses the app's registered propagator when there is one (its own keys, baggage included)", () => {
    const seen: string[] = [];
    const custom: TextMapPropagator = {
      inject(ctx, carrier: any) {
        const sc = trace.getSpanContext(ctx)!;
        carrier["x-trace"] = `${sc.traceId}:${sc.spanId}`;
      },
      extract(ctx, carrier: any, getter) {
        const v = getter.get(carrier, "x-trace");
        seen.push(String(v));
        if (typeof v !== "string") return ctx;
        const [traceId, spanId] = v.split(":");
        return trace.setSpanContext(ctx, { traceId: traceId!, spanId: spanId!, traceFlags: 1, isRemote: true });
      },
      fields: () => ["x-trace"],
    };
    propagation.setGlobalPropagator(custom);
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: 1 });
    // theirs wrote no traceparent: ours is added, so W3C peers still understand
    expect(traceContextEntries(ctx)).toEqual({ "x-trace": `${TRACE}:${SPAN}`, traceparent: VALID });
    expect(trace.getSpanContext(extractTraceContext({ "x-trace": `${TRACE}:${SPAN}` }, ROOT_CONTEXT)!)!.spanId).toBe(SPAN);
    // a carrier only W3C understands still works when theirs finds nothing in it
    expect(trace.getSpanContext(extractTraceContext({ traceparent: VALID }, ROOT_CONTEXT)!)!.traceId).toBe(TRACE);
    expect(seen).toEqual([`${TRACE}:${SPAN}`, "undefined"]);
  });
});
