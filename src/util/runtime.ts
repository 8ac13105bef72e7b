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
