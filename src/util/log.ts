/**
 * The agent's own diagnostics. Everything goes to stderr with one prefix;
 * debug lines only when CATALYST_DEBUG is on; warnings about our own faults are
 * printed once per key so a broken collector or extractor never floods the app's logs.
 * Any registered secret (the ingest token) is scrubbed from every line.
 */
import * as fs from "node:fs";

const PREFIX = "[@inference/tracing]";
const secrets = new Set<string>();
const onceKeys = new Set<string>();
let debugEnabled = false;

export function setDebug(on: boolean): void {
  debugEnabled = on;
}
export function isDebug(): boolean {
  return debugEnabled;
}
/** Register a value that must never be printed (the ingest token). */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

function scrub(line: string): string {
  let out = line;
  for (const s of secrets) out = out.split(s).join("***");
  return out;
}

/** While the zero-code preload runs (before the app's code): see write(). */
let preloading = false;
export function setPreloading(on: boolean): void {
  preloading = on;
}

/**
 * Lines printed while the preload runs go straight to file descriptor 2: creating process.stderr
 * just for our start-up line cost ~10 ms under Bun (~2–3 ms on Node), and no app code that could
 * be watching the stream has run yet. Every later line goes through process.stderr, in order with
 * the app's own output and visible to whatever the app hooked onto the stream. If fd 2 refuses a
 * synchronous write (a non-blocking pipe: EAGAIN), the stream takes the rest.
 */
function write(line: string): void {
  const bytes = Buffer.from(scrub(`${PREFIX} ${line}`) + "\n");
  let off = 0;
  if (preloading) {
    try {
      while (off < bytes.length) off += fs.writeSync(2, bytes, off);
      return;
    } catch {
      /* the rest goes through the stream */
    }
  }
  try {
    process.stderr.write(off === 0 ? bytes.toString() : bytes.subarray(off));
  } catch {
    // stderr closed: nothing sensible left to do
  }
}

export function debug(message: string): void {
  if (debugEnabled) write(message);
}
/** A line the user should always see (bad configuration, where traces go). */
export function info(message: string): void {
  write(message);
}
export function warn(message: string): void {
  write(`warning: ${message}`);
}
export function warnOnce(key: string, message: string): void {
  if (onceKeys.has(key)) return;
  onceKeys.add(key);
  warn(message);
}
/** Our own internal faults: once per key, in the debug log only. */
export function internalError(key: string, err: unknown): void {
  if (onceKeys.has(`internal:${key}`)) return;
  onceKeys.add(`internal:${key}`);
  if (debugEnabled) {
    const e = err as { stack?: string; message?: string } | undefined;
    write(`internal error in ${key} (the app is unaffected): ${e?.stack ?? e?.message ?? String(err)}`);
  }
}
/** Test hook: forget which once-only messages were printed. */
export function resetLogOnce(): void {
  onceKeys.clear();
}
