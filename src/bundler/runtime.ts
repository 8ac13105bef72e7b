/**
 * Our code as a bundle carries it (dist/bundle-runtime.js, one self-contained file built by
 * scripts/build.mjs): the library API, which `import "@inference/tracing"` gets in a build using
 * our plugins, and startInBundle(), which the SDK proxies call when the plugin's `start` option is
 * on. Under the preload (or after the app's own setup()) starting again is a no-op: every copy of
 * our code shares one instance through globalThis.
 */
import { start, startsInThisThread } from "../setup";
import { warn } from "../util/log";

export * from "../index";

/** Start tracing (once per process) from inside a bundle: no load hooks to install, bundled SDKs hand themselves over. */
export function startInBundle(): void {
  if (!startsInThisThread()) return;
  try {
    start({}, { lazy: true, startedBy: "bundle" });
  } catch (err) {
    warn(`tracing could not start and is off for this process: ${(err as Error)?.message ?? err}`);
  }
}
