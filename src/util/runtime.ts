/**
 * Runtime facts the preload needs before the app runs, read without loading a builtin module
 * under Bun: there `require("node:worker_threads")` costs ~5 ms and `node:url` ~1.5 ms at start-up,
 * while Bun.isMainThread and Bun.pathToFileURL are already there. On Node both modules are cheap.
 */
import type { pathToFileURL as PathToFileURL } from "node:url";

const bun = (globalThis as { Bun?: { isMainThread: boolean; pathToFileURL: typeof PathToFileURL } }).Bun;

export function isMainThread(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return bun ? bun.isMainThread : (require("node:worker_threads") as typeof import("node:worker_threads")).isMainThread;
}

export function pathToFileURL(file: string): URL {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return bun ? bun.pathToFileURL(file) : (require("node:url") as typeof import("node:url")).pathToFileURL(file);
}

/**
 * Node's own loader-hooks thread (module.register, or the hooks thread of a worker), where --require
 * preloads run again: never a thread of the app. Node 22.14+ says so; on Node 20 an app's worker is
 * told apart by its parentPort, which the hooks thread does not have.
 */
export function isLoaderHooksThread(): boolean {
  if (bun) return false;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wt = require("node:worker_threads") as typeof import("node:worker_threads") & { isInternalThread?: boolean };
  if (wt.isMainThread) return false;
  if (typeof wt.isInternalThread === "boolean") return wt.isInternalThread;
  return wt.parentPort === null;
}

let ownRequire: NodeRequire | undefined;

/**
 * Node's own require, for what is named at run time (an SDK's ES module entry by path, require.cache,
 * resolving from the app's folder). Our code may be inlined into an app's bundle
 * (dist/bundle-runtime.js), where a free `require` is the bundler's stand-in (webpack) or missing (an
 * ES module bundle); the one node:module makes is always Node's.
 */
export function nodeRequire(): NodeRequire {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (ownRequire ??= (require("node:module") as typeof import("node:module")).createRequire(`${process.cwd()}/`));
}
