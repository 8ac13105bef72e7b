/**
 * The one process-wide instance. It lives on globalThis under a Symbol.for key so the
 * --import door, the --require door, the Bun preload and the app's own setup() call
 * (even through a second copy of this package) all find the same pipeline.
 */
import { trace, type Tracer, type TracerProvider } from "@opentelemetry/api";
import type { Config } from "./config";
import type { InstallResult } from "./integrations/types";
import { TRACER_NAME, TRACER_VERSION } from "./package-info";

export interface TracingHandle {
  readonly tracer: Tracer;
  /** The tracer provider our spans go through (the app's own when we attached to it). */
  readonly provider: TracerProvider;
  readonly installResults: InstallResult[];
  readonly config: Readonly<Config>;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

export interface GlobalState {
  handle?: TracingHandle;
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
