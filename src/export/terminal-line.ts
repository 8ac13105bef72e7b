/**
 * Where the app left the cursor. A tree printed right after the app wrote "…in Paris." without a
 * newline would start in the middle of that line; so the console sink notes whether the last write
 * to its terminal ended a line, and starts on a fresh one when it did not.
 *
 * Watched: stderr (where the trees go), and stdout too when both are the same terminal (a program
 * streaming tokens to stdout, trees on stderr, one screen). The streams' `write` is wrapped, not
 * replaced in behaviour: same arguments, same return value, same stream objects.
 */
import fs = require("node:fs");
import { internalError } from "../util/log";

let atLineStart = true;
let installed = false;

function endsLine(chunk: unknown): boolean | undefined {
  if (typeof chunk === "string") return chunk.length ? chunk.endsWith("\n") : undefined;
  if (chunk instanceof Uint8Array) return chunk.length ? chunk[chunk.length - 1] === 0x0a : undefined;
  return undefined;
}

function watch(stream: NodeJS.WriteStream): void {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const ends = endsLine(chunk);
    if (ends !== undefined) atLineStart = ends;
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
}

function sameTerminal(a: number, b: number): boolean {
  try {
    const [x, y] = [fs.fstatSync(a), fs.fstatSync(b)];
    return x.isCharacterDevice() && y.isCharacterDevice() && x.rdev === y.rdev;
  } catch {
    return false;
  }
}

/** Start watching (once per process). */
export function watchTerminalLine(): void {
  if (installed) return;
  installed = true;
  try {
    watch(process.stderr);
    if (process.stdout.isTTY && process.stderr.isTTY && sameTerminal(1, 2)) watch(process.stdout);
  } catch (err) {
    internalError("watchTerminalLine", err);
  }
}

/** "\n" when the last write we saw left the cursor mid-line, else "". */
export function freshLine(): string {
  return atLineStart ? "" : "\n";
}
