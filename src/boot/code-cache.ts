/**
 * Loads the preload bundle with a V8 code cache, so a traced process does not parse and
 * compile our ~230 KB bundle again on every start (about half of what the preload costs on
 * Node 20–24). The cache is made once, after the app's first tick (so it also holds the
 * functions that ran while the app loaded its SDKs), in a private per-user directory.
 *
 * The doors load this file on its own (dist/boot/code-cache.js); the preload bundle also carries a
 * copy for the OpenTelemetry SDK bundle (src/otel-sdk-loader.ts). Results are kept on globalThis, so
 * either copy reads what the other recorded. It requires nothing of ours and stays small. Every failure
 * (no permission, a full disk, a cache V8 rejects) falls back to compiling as usual.
 * `CATALYST_CODE_CACHE=off` turns it off; `CATALYST_CODE_CACHE_DIR` moves it.
 */
import fs = require("node:fs");
import type * as osTypes from "node:os";
import path = require("node:path");
import type * as vmTypes from "node:vm";
import Module = require("node:module");

// loaded only where a code cache is made or read (never under Bun, where loading them costs ~2 ms)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const os = (): typeof osTypes => require("node:os");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vm = (): typeof vmTypes => require("node:vm");

/** What one load did, for the debug log and tests. */
export interface CodeCacheResult {
  status: "off" | "used" | "created" | "rejected" | "unavailable";
  file?: string;
}

const RESULT_KEY = Symbol.for("@inference/tracing.codeCache");

function cacheDirectory(env: NodeJS.ProcessEnv): string {
  if (env.CATALYST_CODE_CACHE_DIR) return env.CATALYST_CODE_CACHE_DIR;
  const uid = typeof process.getuid === "function" ? process.getuid() : "user";
  return path.join(os().tmpdir(), `inference-tracing-code-cache-${uid}`);
}

/** A short hash of what makes a cache valid for this bundle and this runtime. */
function cacheKey(file: string, stat: fs.Stats): string {
  // V8 itself rejects a cache made by another V8 version or with other flags; this keeps installs apart
  const text = `${file}|${stat.size}|${stat.mtimeMs}|${process.version}|${process.arch}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Only a directory we own and nobody else can write to is trusted with compiled code. */
function privateDirectory(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.statSync(dir);
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) return false;
  return (st.mode & 0o022) === 0;
}

/**
 * `require(file)` of a CommonJS bundle, compiled with a V8 code cache when the runtime has
 * one. The module lands in require.cache, so a second door requiring it gets the same instance.
 */
export function requireWithCodeCache(file: string, env: NodeJS.ProcessEnv = process.env, provided: Record<string, unknown> = {}): any {
  const cached = require.cache[file];
  if (cached) return cached.exports;
  const off = /^(0|off|false|no)$/i.test(env.CATALYST_CODE_CACHE ?? "");
  // Bun keeps its own cache and its vm has no V8 code cache
  if (off || process.versions.bun) {
    record(file, { status: off ? "off" : "unavailable" });
    return require(file);
  }
  let source: string;
  let cacheFile: string | undefined;
  let cachedData: Buffer | undefined;
  try {
    source = fs.readFileSync(file, "utf8");
    const dir = cacheDirectory(env);
    if (privateDirectory(dir)) {
      cacheFile = path.join(dir, `${path.basename(file)}-${cacheKey(file, fs.statSync(file))}.v8`);
      try {
        cachedData = fs.readFileSync(cacheFile);
      } catch {
        /* first run: no cache yet */
      }
    }
  } catch {
    record(file, { status: "unavailable" });
    return require(file);
  }
  const script = new (vm().Script)(Module.wrap(source), { filename: file, cachedData });
  const status: CodeCacheResult["status"] = !cacheFile ? "unavailable" : !cachedData ? "created" : script.cachedDataRejected ? "rejected" : "used";
  record(file, { status, file: cacheFile });

  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = (Module as any)._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod;
  try {
    const req = Module.createRequire(file);
    // packages the caller hands in (an instance it already holds) instead of loading them again
    const requireProvided = Object.assign((id: string) => (Object.prototype.hasOwnProperty.call(provided, id) ? provided[id] : req(id)), req);
    script.runInThisContext().call(mod.exports, mod.exports, requireProvided, mod, file, path.dirname(file));
    mod.loaded = true;
  } catch (err) {
    delete require.cache[file];
    throw err;
  }
  if (cacheFile && status !== "used") {
    const target = cacheFile;
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      process.removeListener("exit", write);
      writeCache(script, target);
    };
    // after the app's first tick: the cache then also covers what ran while the app loaded its SDKs;
    // a script that is done before that tick (the immediate is unref'd) writes it as it exits
    setImmediate(write).unref();
    process.once("exit", write);
  }
  return mod.exports;
}

/** Caches kept per bundle name (other installs, other Node versions); older ones are removed. */
const KEEP = 8;

function writeCache(script: vmTypes.Script, file: string): void {
  try {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, file); // atomic: a concurrent start reads the old file or the new one
    pruneOldCaches(file);
  } catch {
    /* a read-only or full disk: compile next time too */
  }
}

function pruneOldCaches(file: string): void {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file).replace(/-[0-9a-f]{8}\.v8$/, "")}-`;
  const caches = fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".v8"))
    .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of caches.slice(KEEP)) fs.rmSync(path.join(dir, f), { force: true });
}

/** What the load of each bundle did, by file name (the preload's debug line reads "preload.js"). */
function record(file: string, result: CodeCacheResult): void {
  ((globalThis as any)[RESULT_KEY] ??= {})[path.basename(file)] = result;
}

export function codeCacheResult(file: string): CodeCacheResult | undefined {
  return (globalThis as any)[RESULT_KEY]?.[path.basename(file)];
}
