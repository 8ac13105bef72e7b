/**
 * The per-integration subpath helpers (`instrumentOpenAI`, `installOpenAIInstrumentation`, …),
 * built the same way for every integration so each folder only declares what it patches.
 */
import type { TracerProvider } from "@opentelemetry/api";
import { CatalystInstrumentationError, ErrorCodes } from "../errors";
import { globalState } from "../state";
import type { ModuleKey } from "./keys";
import type { InstallResult } from "./types";

export interface InstallOptions {
  /** The SDK module (or its main class) to patch. */
  module?: unknown;
  /** Use this provider's tracer for this integration's spans instead of ours. */
  tracerProvider?: TracerProvider;
}

function ensureStarted() {
  // required at call time: setup loads the registry, which loads the integration calling us
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { start } = require("../setup") as typeof import("../setup");
  return globalState().handle ?? start({}, { lazy: true, startedBy: "instrument" });
}

export function makeInstallHelpers(key: ModuleKey) {
  const run = (moduleOrClient: unknown, tracerProvider?: TracerProvider): InstallResult | undefined => {
    if (moduleOrClient === null || (typeof moduleOrClient !== "object" && typeof moduleOrClient !== "function")) {
      throw new CatalystInstrumentationError(ErrorCodes.INVALID_MODULE, `instrument(${key}): pass the SDK module, its main class or a client`);
    }
    const handle = ensureStarted() as any;
    const instrumenter = handle.instrumenter;
    const integration = instrumenter?.integrations.find((i: { key: string }) => i.key === key);
    if (!integration) return undefined;
    instrumenter.patch(integration, moduleOrClient, "explicit", integration.packages[0], undefined, undefined, tracerProvider);
    return instrumenter.results.get(key);
  };
  return {
    /** Patch this module (or class, or client) explicitly: for bundled apps and ESM apps without the preload. */
    instrument: (moduleOrClient: unknown) => run(moduleOrClient),
    /** Same, with an optional tracer provider of your own. */
    install: (options: InstallOptions = {}) => (options.module ? run(options.module, options.tracerProvider) : undefined),
  };
}
