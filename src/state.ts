/**
 * The one process-wide instance. It lives on globalThis under a Symbol.for key so the
 * --import door, the --require door, the Bun preload and the app's own setup() call
 * (even through a second copy of this package) all find the same pipeline.
 */
import { trace, type Tracer } from "@opentelemetry/api";
import type { TracingHandle } from "./setup";

export const TRACER_NAME = "@inference/tracing";
export const TRACER_VERSION = "0.1.0";

export interface GlobalState {
  handle?: TracingHandle;
  /** Set while setup() is running, so concurrent callers await the same promise. */
  starting?: Promise<TracingHandle>;
  /** Which entry started tracing first (import, require, bun, setup). */
  startedBy?: string;
}

const KEY = Symbol.for("@inference/tracing.state");
export function globalState(): GlobalState {
  const g = globalThis as unknown as Record<symbol, GlobalState | undefined>;
  return (g[KEY] ??= {});
}

/** Our tracer after setup(); before it, whatever the global OpenTelemetry API gives. */
export function activeTracer(): Tracer {
  return globalState().handle?.tracer ?? trace.getTracer(TRACER_NAME, TRACER_VERSION);
}
