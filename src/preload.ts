/**
 * What every zero-code door runs: start tracing once (lazily: the OpenTelemetry SDK
 * loads on the first span), then install the CommonJS hook and the ESM coverage
 * chosen for this runtime. Never throws into the app.
 */
import { start, type InternalHandle } from "./setup";
import { settingFromEnv } from "./config";
import { globalState } from "./state";
import { chooseEsmMode, installEsmHook } from "./hooks/esm-hook";
import { debug, internalError, setPreloading, warn } from "./util/log";
import { codeCacheResult } from "./boot/code-cache";
import { isLoaderHooksThread, isMainThread } from "./util/runtime";

export interface PreloadOptions {
  door: "import" | "require" | "bun";
  loaderUrl: string;
}

/** `ready`: under Bun, settles once the SDKs the app imports are loaded and patched (the Bun door awaits it). */
export function preload(options: PreloadOptions): { ready?: Promise<void> } {
  // Node runs --require preloads again inside the ESM loader's hooks thread: nothing to do there.
  // The app's own worker threads are traced only when asked (CATALYST_WORKERS=on): each would pay
  // our start-up, and most workers of most apps never call an LLM.
  if (!isMainThread() && (isLoaderHooksThread() || !!process.versions.bun || !settingFromEnv("workers"))) return {};
  setPreloading(true);
  try {
    const state = globalState();
    if (state.handle) {
      debug(`preload via --${options.door}: tracing already started (by ${state.startedBy}); nothing more to do`);
      return {};
    }
    const handle = start({}, { lazy: true, startedBy: options.door }) as InternalHandle;
    if (handle.config.disabled) return {};
    const { instrumenter } = handle;
    const enabled = instrumenter.enabled();
    const requested = handle.config.autoInstrument ? chooseEsmMode(handle.config.esmMode, enabled) : "off";
    const { mode, ready } = installEsmHook(instrumenter, requested, options.loaderUrl, options.door === "bun" ? "import" : "require");
    const enabledKeys = enabled.map((i) => i.key);
    const codeCache = codeCacheResult("preload.js")?.status ?? "not used";
    debug(
      `started via ${options.door === "bun" ? "bun --preload" : `--${options.door}`} on ${process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`}; ` +
        `ESM mechanism: ${mode}; code cache: ${codeCache}; integrations: ${enabledKeys.join(", ") || "none"}`,
    );
    return { ready: ready?.catch((err) => internalError("preload.ready", err)) };
  } catch (err) {
    warn(`tracing could not start and is off for this process: ${(err as Error)?.message ?? err}`);
    return {};
  } finally {
    setPreloading(false);
  }
}
