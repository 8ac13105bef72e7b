/** Module-level flush()/shutdown() for code that did not keep the setup() handle. */
import { globalState } from "./state";
import { CatalystInstrumentationError, ErrorCodes } from "./errors";

/** Export every finished span now. Await it before process.exit(). */
export async function flush(): Promise<void> {
  await globalState().handle?.forceFlush();
}
export async function shutdown(): Promise<void> {
  await globalState().handle?.shutdown();
}

/**
 * For platforms that may freeze or end a function once its response is sent (Vercel, Netlify,
 * Cloudflare): give us the platform's waitUntil, and whenever a root span ends (a request's, an
 * invocation's) what is queued is exported at once and that export is handed to waitUntil, which
 * keeps the function alive until it settles (bounded by the shutdown timeout). The same per-request
 * export as CATALYST_FLUSH=request, which this turns on. undefined stops it.
 */
export function setWaitUntil(waitUntil: ((promise: Promise<unknown>) => void) | undefined): void {
  if (waitUntil !== undefined && typeof waitUntil !== "function") {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_OPTIONS, "setWaitUntil(waitUntil): pass the platform's waitUntil function (or undefined)");
  }
  globalState().waitUntil = waitUntil;
}
