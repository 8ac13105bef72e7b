/**
 * setup(): config -> instrumenter -> export pipeline (built lazily) -> handle. Idempotent across
 * every door: the preload, a second preload, and the app's own setup() calls all share one
 * instance; a later call only patches the new `modules` it brings.
 */
import { trace, type Span, type SpanOptions, type Tracer, type Context } from "@opentelemetry/api";
import { resolveConfig, type Config, type SetupOptions } from "./config";
import { CatalystInstrumentationError, ErrorCodes } from "./errors";
import type { Pipeline } from "./export/pipeline";
import { announce } from "./announce";
import { isMainThread } from "./util/runtime";
import { installExitHandlers, withTimeout } from "./export/lifecycle";
import { Instrumenter } from "./hooks/instrumenter";
import { installCjsHook } from "./hooks/cjs-hook";
import { patchAlreadyLoaded } from "./hooks/already-loaded";
import { INTEGRATIONS, MODULE_KEYS } from "./integrations/registry";
import type { InstallResult } from "./integrations/types";
import { exportTransforms } from "./transforms";
import { ensureContextManager } from "./spans/context-manager";
import { installPropagation } from "./runs/propagation";
import { installRequestRoots } from "./runs/request-root";
import { wrapBunServers } from "./runs/bun-servers";
import { RunAwareTracer } from "./runs/run-tracer";
import { endAllRuns } from "./runs/stitch";
import { TRACER_NAME, TRACER_VERSION } from "./package-info";
import { globalState, type TracingHandle } from "./state";
import { debug, setDebug } from "./util/log";

export type { TracingHandle };

/** The handle as our own code sees it: with the instrumenter the explicit helpers patch through. */
export interface InternalHandle extends TracingHandle {
  readonly instrumenter: Instrumenter;
}

/** A tracer that builds the OpenTelemetry pipeline the first time a span starts. */
class LazyTracer implements Tracer {
  private real?: Tracer;
  constructor(private readonly ensure: () => Tracer) {}
  private get t(): Tracer {
    return (this.real ??= this.ensure());
  }
  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    return this.t.startSpan(name, options, ctx);
  }
  startActiveSpan(...args: unknown[]): any {
    return (this.t.startActiveSpan as (...a: unknown[]) => unknown)(...args);
  }
}

function noopHandle(config: Config): InternalHandle {
  const tracer = trace.getTracer(TRACER_NAME, TRACER_VERSION);
  return {
    tracer,
    provider: trace.getTracerProvider(),
    installResults: [],
    config,
    instrumenter: new Instrumenter([], () => tracer, config),
    shutdown: async () => {},
    forceFlush: async () => {},
  };
}

export interface StartOptions {
  /** Build the OpenTelemetry pipeline on first span instead of now (the preload does). */
  lazy?: boolean;
  /** Which door started tracing, for the debug log. */
  startedBy?: string;
}

/** The handle of this process, starting tracing lazily if nothing has yet (explicit helpers call this). */
export function currentHandle(startedBy: string): InternalHandle {
  return (globalState().handle ?? start({}, { lazy: true, startedBy })) as InternalHandle;
}

/** Synchronous core of setup(), shared with the preload. */
export function start(options: SetupOptions = {}, startOptions: StartOptions = {}): TracingHandle {
  const state = globalState();
  if (state.handle) {
    if (options.modules) patchExplicit((state.handle as InternalHandle).instrumenter, options.modules);
    return state.handle;
  }
  const config = resolveConfig(options);
  setDebug(config.debug);
  if (config.disabled) {
    debug("disabled (CATALYST_DISABLED / OTEL_SDK_DISABLED): nothing is patched or exported");
    state.handle = noopHandle(config);
    return state.handle;
  }

  ensureContextManager();
  let pipeline: Pipeline | undefined;
  let realTracer: Tracer | undefined;
  // read at call time: the tracer is set just below, once the pipeline (or its lazy stand-in) exists
  let tracer: Tracer;
  const instrumenter = new Instrumenter(INTEGRATIONS, () => tracer, config);
  const ensurePipeline = (): Pipeline => {
    if (!pipeline) {
      // loaded on first use: the OpenTelemetry SDK is the largest part of our start-up cost
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createPipeline } = require("./export/pipeline") as typeof import("./export/pipeline");
      pipeline = createPipeline(config, {
        spanProcessors: options.spanProcessors,
        exporter: options.exporter,
        ...exportTransforms(config, instrumenter.enabled()),
      });
      realTracer = pipeline.provider.getTracer(TRACER_NAME, TRACER_VERSION);
      debug(`tracing pipeline ready (${pipeline.mode}) → ${pipeline.destination}`);
    }
    return pipeline;
  };
  tracer = new RunAwareTracer(startOptions.lazy ? new LazyTracer(() => (ensurePipeline(), realTracer!)) : (ensurePipeline(), realTracer!));
  instrumenter.runSetupHooks();
  if (config.requestRoots) (process.versions.bun ? wrapBunServers : installRequestRoots)();
  installPropagation(config.propagation);

  let shutdownPromise: Promise<void> | undefined;
  const forceFlush = async () => {
    if (pipeline) await withTimeout(pipeline.composite.forceFlush(), config.shutdownTimeoutMillis);
  };
  const handle: InternalHandle = {
    tracer,
    get provider() {
      return ensurePipeline().provider;
    },
    get installResults(): InstallResult[] {
      return instrumenter.snapshot();
    },
    config,
    instrumenter,
    forceFlush,
    shutdown: () =>
      (shutdownPromise ??= (async () => {
        if (!pipeline) return;
        const p = pipeline;
        await withTimeout(
          (async () => {
            await p.composite.forceFlush();
            await p.composite.shutdown();
          })(),
          config.shutdownTimeoutMillis,
        );
      })()),
  };
  state.handle = handle;
  state.startedBy = startOptions.startedBy ?? "setup";

  installExitHandlers({
    flush: forceFlush,
    // nothing more can happen in a process about to exit on its own: its stitched runs are done
    beforeExit: endAllRuns,
    hasPending: () => !!pipeline && pipeline.composite.endedSinceFlush > 0,
    exitSync: () => {
      pipeline?.composite.releaseHeld();
      pipeline?.consoleSink?.flushIncomplete();
    },
    endOpenSpans: (reason) => {
      endAllRuns();
      pipeline?.composite.endOpenSpans(reason);
    },
  });

  // one line per process: a traced worker thread (CATALYST_WORKERS=on) does not repeat it
  if (isMainThread()) announce(config);
  if (options.modules) patchExplicit(instrumenter, options.modules);
  if (config.autoInstrument) {
    installCjsHook(instrumenter);
    if (!startOptions.startedBy || startOptions.startedBy === "setup") patchAlreadyLoaded(instrumenter);
  }
  return handle;
}

/**
 * Initialise tracing and return the handle. Safe to call more than once and after the
 * zero-code preload: the same handle comes back, with any new `modules` patched.
 */
export async function setup(options: SetupOptions = {}): Promise<TracingHandle> {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_OPTIONS, "setup(options): options must be an object");
  }
  validateModules(options.modules);
  return start(options, { lazy: false, startedBy: "setup" });
}

function validateModules(modules: SetupOptions["modules"]): void {
  if (modules === undefined) return;
  if (typeof modules !== "object" || modules === null) {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_OPTIONS, "setup({ modules }): modules must be an object such as { openai: OpenAI }");
  }
  for (const [key, value] of Object.entries(modules)) {
    if (!(MODULE_KEYS as readonly string[]).includes(key)) {
      throw new CatalystInstrumentationError(
        ErrorCodes.UNKNOWN_MODULE_KEY,
        `setup({ modules }): unknown key "${key}" (expected one of ${MODULE_KEYS.join(", ")})`,
      );
    }
    if (value === null || (typeof value !== "object" && typeof value !== "function")) {
      throw new CatalystInstrumentationError(ErrorCodes.INVALID_MODULE, `setup({ modules }): "${key}" must be the SDK module or its main class`);
    }
  }
}

function patchExplicit(instrumenter: Instrumenter, modules: SetupOptions["modules"]): void {
  for (const [key, value] of Object.entries(modules ?? {})) {
    const integration = instrumenter.byKey(key);
    if (!integration || !value) continue;
    instrumenter.patch(integration, value, { format: "explicit", moduleName: integration.packages[0]! });
  }
}
