/**
 * The agent's own diagnostics. Everything goes to stderr with one prefix;
 * debug lines only when CATALYST_DEBUG is on; warnings about our own faults are
 * printed once per key so a broken collector or extractor never floods the app's logs.
 * Any registered secret (the ingest token) is scrubbed from every line.
 */
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

function write(line: string): void {
  try {
    process.stderr.write(scrub(`${PREFIX} ${line}`) + "\n");
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
