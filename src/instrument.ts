/**
 * Explicit patching, for apps where no load hook can fire (bundles, ESM without the preload):
 * instrument(x) finds the integration that recognises x; each subpath's instrument<Name>() /
 * install<Name>Instrumentation() patch through one named integration.
 */
import type { TracerProvider } from "@opentelemetry/api";
import { CatalystInstrumentationError, ErrorCodes } from "./errors";
import type { ModuleKey } from "./integrations/registry";
import type { InstallResult, Integration } from "./integrations/types";
import { currentHandle } from "./setup";

function checkTarget(what: string, moduleOrClient: unknown): void {
  if (moduleOrClient === null || (typeof moduleOrClient !== "object" && typeof moduleOrClient !== "function")) {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_MODULE, `${what}: pass the SDK module, its main class or a client`);
  }
}

function patchWith(integration: Integration, moduleOrClient: unknown, tracerProvider?: TracerProvider): InstallResult | undefined {
  const { instrumenter } = currentHandle("instrument");
  instrumenter.patch(integration, moduleOrClient, { format: "explicit", moduleName: integration.packages[0]!, tracerProvider });
  return instrumenter.results.get(integration.key);
}

export function instrument(moduleOrClient: unknown): InstallResult {
  checkTarget("instrument()", moduleOrClient);
  const { instrumenter } = currentHandle("instrument");
  const integration = instrumenter.integrations.find((i) => typeof i.detect === "function" && safeDetect(i.detect, moduleOrClient));
  if (integration) return patchWith(integration, moduleOrClient)!;
  throw new CatalystInstrumentationError(
    ErrorCodes.INVALID_MODULE,
    "instrument(): this object is not a module, class or client of a supported SDK (see the README's integration table)",
  );
}

function safeDetect(detect: (x: unknown) => boolean, x: unknown): boolean {
  try {
    return detect(x) === true;
  } catch {
    return false;
  }
}

export interface InstallOptions {
  /** The SDK module (or its main class) to patch. */
  module?: unknown;
  /** Use this provider's tracer for this integration's spans instead of ours. */
  tracerProvider?: TracerProvider;
}

/** The helpers every subpath publishes, bound to one integration. */
export function installHelpers(key: ModuleKey) {
  const run = (moduleOrClient: unknown, tracerProvider?: TracerProvider): InstallResult | undefined => {
    checkTarget(`instrument(${key})`, moduleOrClient);
    const integration = currentHandle("instrument").instrumenter.byKey(key);
    return integration ? patchWith(integration, moduleOrClient, tracerProvider) : undefined;
  };
  return {
    /** Patch this module (or class, or client) explicitly: for bundled apps and ESM apps without the preload. */
    instrument: (moduleOrClient: unknown) => run(moduleOrClient),
    /** Same, with an optional tracer provider of your own. */
    install: (options: InstallOptions = {}) => (options.module ? run(options.module, options.tracerProvider) : undefined),
  };
}
