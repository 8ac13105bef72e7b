/**
 * Runtime facts the preload needs before the app runs, read without loading a builtin module
 * where that costs start-up time: under Bun `require("node:worker_threads")` costs ~5 ms and
 * `node:url` ~1.5 ms, while Bun.isMainThread and Bun.pathToFileURL are already there; on Node,
 * node:worker_threads loads the whole streams stack with it (~2 ms).
 */
import type { pathToFileURL as PathToFileURL } from "node:url";

const bun = (globalThis as { Bun?: { isMainThread: boolean; pathToFileURL: typeof PathToFileURL } }).Bun;

export function isMainThread(): boolean {
  if (bun) return bun.isMainThread;
  // Node gives every thread but the main one a process.chdir that throws, marked `disabled` (Node 10
  // to 26); test/preload/workers.test.ts checks it still tells an app's worker and the hooks thread apart
  return (process.chdir as { disabled?: boolean }).disabled !== true;
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
