/**
 * The `inference-tracing` command (`npx @inference/tracing <command>`):
 *   serve                       local OTLP/HTTP collector + web view, spans kept on disk
 *   trace list | trace get <id> traces in the local store
 *   span list | span get <trace-id> <span-id> [--view attributes|messages|io|events]
 *   tail                        print each trace as it arrives
 *   import <file…>              load CATALYST_TRACES_FILE or OTLP/JSON files into the store
 * Exit codes: 0 ok, 1 failure (no store, not found, port taken), 2 bad arguments; always a
 * one-line message (the stack trace of an unexpected error only with CATALYST_DEBUG=1).
 */
import fs = require("node:fs");
import path = require("node:path");
import { QueryError } from "../local/query";
import { StoreError } from "../local/store";
import { BIN, defaultIo, UsageError, type Io } from "./args";
import { CollectorError } from "./commands/collector";
import { importCommand } from "./commands/import";
import { serve } from "./commands/serve";
import { spanGet, spanList } from "./commands/spans";
import { tail } from "./commands/tail";
import { traceGet, traceList } from "./commands/traces";
import { help } from "./help";

export { UsageError } from "./args";

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

async function dispatch(command: string | undefined, rest: string[], io: Io, signal?: AbortSignal): Promise<number> {
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return help(rest[0] ? [rest[0], rest[1]].filter(Boolean).join(" ") : "main", io);
    case "--version":
    case "-v":
    case "version":
      io.out(version());
      return 0;
    case "serve":
      return serve(rest, io, signal);
    case "tail":
      return tail(rest, io, signal);
    case "import":
      return importCommand(rest, io);
    case "doctor":
      return (await import("./doctor")).doctor(rest, io);
    case "trace":
    case "traces":
    case "span":
    case "spans": {
      const noun = command.startsWith("trace") ? "trace" : "span";
      const [sub, ...args] = rest;
      if (sub === undefined || isHelp(sub)) return help(noun, io);
      if (sub === "list" || sub === "ls") return noun === "trace" ? traceList(args, io) : spanList(args, io);
      if (sub === "get" || sub === "show") return noun === "trace" ? traceGet(args, io) : spanGet(args, io);
      throw new UsageError(`${noun}: unknown subcommand "${sub}". Use \`${BIN} ${noun} list\` or \`${BIN} ${noun} get\`.`);
    }
    default:
      throw new UsageError(`unknown command "${command}". Commands: serve, trace list|get, span list|get, tail, import, doctor. Run \`${BIN} --help\`.`);
  }
}

/** Run the CLI; resolves with the exit code. `signal` stops `serve` and `tail` (tests). */
export async function run(argv: string[], io: Io = defaultIo, signal?: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
    return await dispatch(command, rest, io, signal);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${BIN} ${err.message}`);
      return 2;
    }
    if (err instanceof CollectorError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof QueryError || err instanceof StoreError) {
      io.err(`${BIN}: ${err.message}`);
      return 1;
    }
    const e = err as Error;
    io.err(`${BIN}: ${process.env.CATALYST_DEBUG === "1" || process.env.CATALYST_DEBUG === "true" ? (e?.stack ?? String(err)) : (e?.message ?? String(err)).split("\n")[0]}`);
    return 1;
  }
}

export function main(argv = process.argv.slice(2)): void {
  run(argv).then(
    (code) => {
      process.exitCode = code;
      // serve/tail close their handles; a short-lived command simply ends
    },
    (err) => {
      process.stderr.write(`${BIN}: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
