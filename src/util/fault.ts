/**
 * Fault injection for tests (issue: "our own faults"). With CATALYST_TEST_FAULTS=1 (or a
 * comma list of point names), every faultPoint() throws, so tests can prove that a bug in
 * an attribute extractor or a stream accumulator never reaches the app.
 *
 * guarded() is how call-time code runs its own logic: a throw is logged once (debug) and
 * the span is marked incomplete instead of failing the app's call.
 */
import type { Span } from "@opentelemetry/api";
import { internalError } from "./log";

/** Set on a span whose attributes could not all be recorded because our code failed. */
export const INCOMPLETE_ATTR = "inference.tracing.incomplete";
/** Why a span was ended by us rather than by its code: "process exit", "SIGTERM", … */
export const END_REASON_ATTR = "inference.tracing.end_reason";

let points: Set<string> | "all" | undefined;
function enabledPoints(): Set<string> | "all" | undefined {
  if (points !== undefined) return points;
  const raw = process.env.CATALYST_TEST_FAULTS?.trim();
  if (!raw || raw === "0" || raw === "false") points = new Set();
  else if (raw === "1" || raw === "true" || raw === "all") points = "all";
  else points = new Set(raw.split(",").map((s) => s.trim()));
  return points;
}

export class InjectedFault extends Error {
  constructor(point: string) {
    super(`injected fault at ${point}`);
    this.name = "InjectedFault";
  }
}

/** Throws when fault injection is on for this point. Call it inside extractors and accumulators. */
export function faultPoint(name: string): void {
  const p = enabledPoints();
  if (p === "all" || (p && p.size > 0 && p.has(name))) throw new InjectedFault(name);
}

/** Say on the span that some of its attributes could not be recorded (our code failed). */
export function markIncomplete(span: Span | undefined): void {
  try {
    span?.setAttribute(INCOMPLETE_ATTR, true);
  } catch {
    /* ignore */
  }
}

/** Run our own span-shaping code; on failure mark the span incomplete and carry on. */
export function guarded<T>(span: Span | undefined, what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    internalError(what, err);
    markIncomplete(span);
    return undefined;
  }
}
