/**
 * The agent's own diagnostics. Everything goes to stderr with one prefix;
 * debug lines only when CATALYST_DEBUG is on; warnings about our own faults are
 * printed once per key so a broken collector or extractor never floods the app's logs.
 * Any registered secret (the ingest token) and any URL's credentials are scrubbed from every
 * line, and nothing written here can raise in the app (see writeStderr).
 */
import fs = require("node:fs");

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

/** A URL: scheme, userinfo (credentials travel there: `https://user:pass@host`), the rest, and its query. */
const URL_IN_LINE = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#@"'<>]*@)?([^\s?#"'<>]*)(\?[^\s#"'<>]*)?/gi;

/** Registered secrets, and URLs' userinfo and query values (`?api_key=…`, `?tenant=…`), become "***". */
function scrub(line: string): string {
  let out = line;
  for (const s of secrets) out = out.split(s).join("***");
  if (out.includes("://")) {
    out = out.replace(URL_IN_LINE, (_whole, scheme: string, userinfo: string | undefined, rest: string, query: string | undefined) =>
      scheme + (userinfo ? "***@" : "") + rest + (query ? query.replace(/=[^&]*/g, "=***") : ""),
    );
  }
  return out;
}

/** Our own 'error' listener on stderr while one of our writes may fail (see writeStderr). */
const ignoreWriteError = () => {};

/**
 * Write to process.stderr without ever raising in the app. A closed stream (the reader of a pipe
 * went away: `app 2>&1 | head -n 1`) makes the write fail with EPIPE and the stream emit 'error';
 * with no listener that is an uncaught exception and the app would exit 1. As Node's own console
 * does for console.error: while the app has no 'error' listener of its own, a one-shot no-op one
 * covers our write, and stays only until the failure it is there for has been emitted (the stream
 * is then destroyed, and later writes of ours are skipped). An app listener, if any, sees the error.
 */
export function writeStderr(text: string | Uint8Array): void {
  const stream = process.stderr;
  try {
    if (!stream || stream.destroyed || stream.writableEnded) return;
    if (stream.listenerCount("error") === 0) stream.once("error", ignoreWriteError);
    stream.write(text, (err) => {
      // a failure reported after the write returned is emitted later: keep the listener for it
      const emitted = (stream as { _writableState?: { errorEmitted?: boolean } })._writableState?.errorEmitted;
      if (err && !emitted && stream.listenerCount("error") === 0) stream.once("error", ignoreWriteError);
    });
  } catch {
    // stderr unusable: nothing sensible left to do
  } finally {
    stream?.removeListener("error", ignoreWriteError);
  }
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
 * synchronous write because it is busy (a non-blocking pipe: EAGAIN), the stream takes the rest;
 * if it is closed, the line is dropped.
 */
function write(line: string): void {
  const bytes = Buffer.from(scrub(`${PREFIX} ${line}`) + "\n");
  let off = 0;
  if (preloading) {
    try {
      while (off < bytes.length) off += fs.writeSync(2, bytes, off);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== "EAGAIN") return;
    }
  }
  writeStderr(off === 0 ? bytes.toString() : bytes.subarray(off));
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
