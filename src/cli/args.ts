/** What every command shares: output streams, option parsing, argument checks, how output looks. */
import path = require("node:path");
import { parseArgs } from "node:util";
import { QueryError, buildQuery, type Query, type RawQuery } from "../local/query";
import { LocalStore, defaultDataDir } from "../local/store";
import { ansiColors, plainText } from "../trace-model/render-text";
import type { View } from "./render";

export const BIN = "inference-tracing";

/** A bad argument: exit code 2 with a one-line message. */
export class UsageError extends Error {}

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}
export const defaultIo: Io = {
  out: (t) => process.stdout.write(t + "\n"),
  err: (t) => process.stderr.write(t + "\n"),
};

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

export const commonOptions = {
  "data-dir": { type: "string" },
  "no-color": { type: "boolean" },
  color: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
export const filterOptions = {
  kind: { type: "string", short: "k", multiple: true },
  metadata: { type: "string", short: "m", multiple: true },
  filter: { type: "string", short: "f", multiple: true },
  name: { type: "string" },
  status: { type: "string" },
  since: { type: "string" },
  sort: { type: "string" },
  order: { type: "string" },
  limit: { type: "string", short: "n" },
  json: { type: "boolean" },
  wide: { type: "boolean", short: "w" },
} as const;

/**
 * An option value that starts with a dash (`-n -5`) is taken as the option's value, so the
 * option's own check answers it ("--limit -5: expected a whole number") rather than the parser.
 */
function attachDashValues(args: string[], options: Record<string, OptionSpec>): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (takesValue.has(a) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a.startsWith("--") ? a : `--${Object.entries(options).find(([, o]) => `-${o.short}` === a)![0]}`}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parse(command: string, args: string[], options: Record<string, OptionSpec>): Parsed {
  const all: Record<string, OptionSpec> = { ...commonOptions, ...options };
  try {
    return parseArgs({ args: attachDashValues(args, all), options: all, allowPositionals: true, strict: true }) as Parsed;
  } catch (err) {
    const msg = (err as Error).message.replace(/\. To specify a positional argument.*$/s, "");
    throw new UsageError(`${command}: ${msg}`);
  }
}

function toRaw(v: Record<string, unknown>): RawQuery {
  return {
    kind: v.kind as string[] | undefined,
    metadata: v.metadata as string[] | undefined,
    filter: v.filter as string[] | undefined,
    name: v.name as string | undefined,
    status: v.status as string | undefined,
    since: v.since as string | undefined,
    sort: v.sort as string | undefined,
    order: v.order as string | undefined,
    limit: v.limit as string | undefined,
  };
}

export function query(command: string, v: Record<string, unknown>, target: "spans" | "traces"): Query {
  try {
    return buildQuery(toRaw(v), target, 50);
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(`${command}: ${err.message}`);
    throw err;
  }
}

export function dataDir(v: Record<string, unknown>): string {
  return path.resolve((v["data-dir"] as string | undefined) ?? defaultDataDir());
}

export function openForReading(v: Record<string, unknown>): LocalStore {
  return LocalStore.open({ dir: dataDir(v), readOnly: true });
}

export function positionalCount(command: string, positionals: string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`${command}: missing ${what}. Usage: ${BIN} ${command} ${what}`);
  if (positionals.length > max) throw new UsageError(`${command}: unexpected argument "${positionals[max]}". Usage: ${BIN} ${command} ${what}`);
}

/** A trace id as typed: 32 hex characters or a prefix of at least 4 (resolved against the store later). */
export function traceIdArg(command: string, raw: string): string {
  if (!/^[0-9a-f]{4,32}$/i.test(raw.trim())) throw new UsageError(`${command}: "${raw}" is not a trace id (32 hex characters, or a unique prefix of at least 4)`);
  return raw.trim().toLowerCase();
}

export function spanIdArg(command: string, raw: string): string {
  if (!/^[0-9a-f]{1,16}$/i.test(raw.trim())) throw new UsageError(`${command}: "${raw}" is not a span id (16 hex characters, or a unique prefix)`);
  return raw.trim().toLowerCase();
}

export function parsePort(raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${raw}: expected a port number (0-65535)`);
  return n;
}

/**
 * Colours on a terminal (unless --no-color or NO_COLOR); tables as wide as $COLUMNS, else the
 * terminal, else (output to a file or a pipe) unlimited; `--wide` prints everything whole.
 */
export function viewOf(v: Record<string, unknown>): View {
  const color = v.color === true || (!v["no-color"] && !!process.stdout.isTTY && !process.env.NO_COLOR);
  const columns = Number(process.env.COLUMNS);
  const width = v.wide ? Infinity : Number.isInteger(columns) && columns > 0 ? columns : process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : Infinity;
  return { paint: color ? ansiColors : plainText, width };
}
