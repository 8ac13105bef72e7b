/**
 * Counting tokens on a worker thread (tokenizer-worker.ts), started the first time a count is needed
 * and stopped when idle. While a count is pending the worker keeps the process alive (so a flush at
 * a natural exit still gets its counts); otherwise it never does. A failure or a count that takes
 * longer than COUNT_TIMEOUT_MS gives no count (the span goes out without an estimate), never an error.
 * Counts are remembered per text (a bounded cache): a text sent again is not counted again.
 */
import fs = require("node:fs");
import path = require("node:path");
import type { Worker } from "node:worker_threads";
import { debug } from "../util/log";
import { nodeRequire } from "../util/runtime";
import { TRACER_NAME } from "../package-info";

const COUNT_TIMEOUT_MS = 15_000;
/**
 * Loading a tokenizer costs 0.4–0.8 s of CPU and ~80–100 MB of RSS (o200k_base), and stopping the
 * worker gives back only part of the memory (17–56 MB stayed in measured runs). A short idle time makes
 * an app that streams every minute or so pay the load on each stream; five minutes bounds the reloads
 * to ~0.1% of a core.
 */
const IDLE_STOP_MS = 5 * 60_000;

let worker: Worker | undefined;
let failed = false;
let nextId = 1;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
const waiting = new Map<number, { resolve: (counts: number[] | undefined) => void; timer: ReturnType<typeof setTimeout> }>();

/**
 * The worker file beside this one (dist/transforms/), or under transforms/ beside the preload bundle
 * (dist/). Inlined into an app's bundle (dist/bundle-runtime.js), our code has no folder of its own
 * (an ES module bundle has no __dirname): the worker is then the one of our package as installed
 * where the app runs, if it is.
 */
function workerFile(): string | undefined {
  const here = typeof __dirname === "string" ? [path.join(__dirname, "tokenizer-worker.js"), path.join(__dirname, "transforms", "tokenizer-worker.js")] : [];
  for (const candidate of [...here, installedWorkerFile()]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function installedWorkerFile(): string | undefined {
  try {
    return path.join(path.dirname(nodeRequire().resolve(`${TRACER_NAME}/package.json`)), "dist", "transforms", "tokenizer-worker.js");
  } catch {
    return undefined;
  }
}

function settle(id: number, counts: number[] | undefined): void {
  const w = waiting.get(id);
  if (!w) return;
  waiting.delete(id);
  clearTimeout(w.timer);
  w.resolve(counts);
  if (waiting.size === 0 && worker) {
    worker.unref();
    idleTimer = setTimeout(stop, IDLE_STOP_MS);
    idleTimer.unref();
  }
}

function stop(): void {
  const w = worker;
  worker = undefined;
  void w?.terminate();
}

function start(): Worker | undefined {
  if (worker || failed) return worker;
  const file = workerFile();
  if (!file) {
    failed = true;
    debug(`token estimates are off: the tokenizer worker file is missing (${TRACER_NAME} is not installed where the app runs)`);
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require("node:worker_threads") as typeof import("node:worker_threads");
    // no preload of ours in it (execArgv), and nothing of the app's environment it needs
    const w = new Worker(file, { execArgv: [], env: {}, stdout: false, stderr: false });
    w.on("message", (m: { id: number; counts?: number[]; error?: string }) => {
      if (m.error) debug(`token estimate failed: ${m.error}`);
      settle(m.id, m.counts);
    });
    w.on("error", (err) => {
      debug(`token estimates are off: the tokenizer worker failed (${err.message})`);
      failed = true;
    });
    w.on("exit", () => {
      if (worker === w) worker = undefined;
      for (const id of [...waiting.keys()]) settle(id, undefined);
    });
    worker = w;
  } catch (err) {
    failed = true;
    debug(`token estimates are off: the tokenizer worker cannot start (${(err as Error).message})`);
  }
  return worker;
}

/**
 * Counts already had, per tokenizer family, most recently used last: the calls of a conversation
 * send its earlier messages and its system prompt again, and counting prose costs ~0.05–0.1 µs per
 * character once the tokenizer is warm (~1.6 µs for its first text).
 */
const known = new Map<string, Map<string, number>>();
/** Characters of text each family's cache holds at most (its keys); the least recently used go first. */
const KNOWN_MAX_CHARS = 2_000_000;
const knownChars = new Map<string, number>();

/** Texts counted on the worker and texts answered from the cache, since the process started. */
export const tokenizerStats = { counted: 0, fromCache: 0 };

function remember(family: string, cache: Map<string, number>, text: string, count: number): void {
  // a text two pending counts both sent is remembered once (its characters counted once)
  if (text.length > KNOWN_MAX_CHARS / 4 || cache.has(text)) return;
  let chars = (knownChars.get(family) ?? 0) + text.length;
  cache.set(text, count);
  for (const oldest of cache.keys()) {
    if (chars <= KNOWN_MAX_CHARS) break;
    cache.delete(oldest);
    chars -= oldest.length;
  }
  knownChars.set(family, chars);
}

/** Token counts of `texts` in a tokenizer family, or undefined when they cannot be had. */
export async function countTokens(family: string, texts: string[]): Promise<number[] | undefined> {
  let cache = known.get(family);
  if (!cache) known.set(family, (cache = new Map()));
  const counts: number[] = new Array(texts.length);
  const missing: string[] = [];
  const missingAt: number[] = [];
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    const n = cache.get(text);
    if (n === undefined) {
      missing.push(text);
      missingAt.push(i);
      continue;
    }
    // most recently used last
    cache.delete(text);
    cache.set(text, n);
    counts[i] = n;
  }
  tokenizerStats.fromCache += texts.length - missing.length;
  if (missing.length === 0) return counts;
  const fresh = await countOnWorker(family, missing);
  if (!fresh) return undefined;
  tokenizerStats.counted += missing.length;
  for (let j = 0; j < missing.length; j++) {
    counts[missingAt[j]!] = fresh[j] ?? 0;
    remember(family, cache, missing[j]!, fresh[j] ?? 0);
  }
  return counts;
}

function countOnWorker(family: string, texts: string[]): Promise<number[] | undefined> {
  const w = start();
  if (!w) return Promise.resolve(undefined);
  if (idleTimer) clearTimeout(idleTimer);
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(id, undefined), COUNT_TIMEOUT_MS);
    timer.unref();
    waiting.set(id, { resolve, timer });
    w.ref();
    w.postMessage({ id, family, texts });
  });
}
