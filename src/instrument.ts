/**
 * instrument(moduleOrClient): for bundled apps (esbuild, webpack, `bun build`) where no
 * load hook can fire. Finds the integration that recognises the object and patches it.
 */
import { CatalystInstrumentationError, ErrorCodes } from "./errors";
import type { InstallResult } from "./integrations/types";
import { start } from "./setup";
import { globalState } from "./state";

export function instrument(moduleOrClient: unknown): InstallResult {
  if (moduleOrClient === null || (typeof moduleOrClient !== "object" && typeof moduleOrClient !== "function")) {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_MODULE, "instrument(): pass an SDK module, its main class or a client");
  }
  const handle = (globalState().handle ?? start({}, { lazy: true, startedBy: "instrument" })) as any;
  const instrumenter = handle.instrumenter;
  for (const i of instrumenter?.integrations ?? []) {
    if (typeof i.detect === "function" && safeDetect(i.detect, moduleOrClient)) {
      instrumenter.patch(i, moduleOrClient, "explicit", i.packages[0]);
      return instrumenter.results.get(i.key);
    }
  }
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
