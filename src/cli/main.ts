/**
 * The `inference-tracing` command (`npx @inference/tracing <command>`):
 *   serve                       local OTLP/HTTP collector + web view, spans kept on disk
 *   trace list | trace get <id> traces in the local store
 *   span list | span get <trace-id> <span-id> [--view attributes|messages|io|events]
 *   tail                        print each trace as it arrives
 *   import <file…>              load CATALYST_TRACES_FILE or OTLP/JSON files into the store
 * Exit codes: 0 ok, 1 failure (no store, not found, port taken), 2 bad arguments.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { SpanRecord } from "../export/span-json";
import { resolvePrices } from "../transforms/cost";
import { settingFromEnv } from "../config";
import { importFile } from "../local/import";
import { QueryError, buildQuery, matchesSummary, metadataValueMatches, type Query, type RawQuery } from "../local/query";
import { startServer } from "../local/server";
import { LocalStore, StoreError, defaultDataDir } from "../local/store";
import type { TraceSummary } from "../local/summary";
import {
  attributesView,
  dim,
  eventsView,
  formatCost,
  formatDuration,
  formatTime,
  ioView,
  kindLabel,
  messagesView,
  red,
  setColor,
  spanTable,
  traceTable,
  traceTree,
} from "./render";

export class UsageError extends Error {}

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}
const defaultIo: Io = {
  out: (t) => process.stdout.write(t + "\n"),
  err: (t) => process.stderr.write(t + "\n"),
};

const BIN = "inference-tracing";

const FILTER_HELP = `Filters:
  -k, --kind KIND            span kind: AGENT, LLM, TOOL, CHAIN, RETRIEVER, EMBEDDING (repeat or comma-separate)
  -m, --metadata KEY=VALUE   any attribute, e.g. session.id=conv-1, tool.name=lookup_order, app.tenant_id=acme
                             (VALUE* matches a prefix; repeat to require several)
  -f, --filter EXPR          numeric comparison on duration, tokens_prompt, tokens_completion, tokens_total,
                             cost_prompt, cost_completion, cost_total (traces also: spans, llm_calls, tool_calls,
                             errors), e.g. "cost_total>0.05", "duration>=2s", "tokens_total>1000,errors=0"
      --name TEXT            name contains TEXT
      --status STATUS        error, ok or unset
      --since WHEN           30m, 2h, 1d, or a date
      --sort FIELD           start_time (default), duration, tokens_total, cost_total, name, …
      --order asc|desc       default desc
  -n, --limit N              default 50 ("all" or 0: no limit)
      --json                 JSON for scripts`;

const COMMON = `Common options:
      --data-dir DIR         the local store (default $CATALYST_LOCAL_DIR or ~/.local/share/inference-tracing)
      --no-color             plain output`;

const HELP: Record<string, string> = {
  main: `Usage: ${BIN} <command> [options]

See your agent's traces locally, no account needed.

Commands:
  serve                         start the local collector (OTLP/HTTP on 127.0.0.1:4318) and the web view
  trace list                    list traces, newest first
  trace get <trace-id>          print one trace as a tree
  span list                     list spans
  span get <trace-id> <span-id> print one span (--view attributes|messages|io|events)
  tail                          print each trace as it arrives
  import <file>…                load a CATALYST_TRACES_FILE (or OTLP/JSON) file into the store

Send traces:  CATALYST_OTLP_ENDPOINT=http://127.0.0.1:4318 node --import @inference/tracing/register app.js
Run \`${BIN} <command> --help\` for a command's options.`,
  serve: `Usage: ${BIN} serve [options]

Starts an OTLP/HTTP trace receiver (JSON and protobuf) that keeps spans on disk, and a web
view of them at the same address.

Options:
  -p, --port PORT            default 4318 (the standard OTLP/HTTP port)
      --host HOST            default 127.0.0.1
      --max-traces N         keep the newest N traces (default 20000; 0 keeps all)
      --prices FILE          JSON price table for cost of spans that arrive without llm.cost.*
  -q, --quiet                do not print a line per trace
${COMMON}`,
  "trace list": `Usage: ${BIN} trace list [filters]

${FILTER_HELP}
  (for traces, --kind is the root span's kind and --metadata matches any span of the trace)
${COMMON}`,
  "trace get": `Usage: ${BIN} trace get <trace-id> [--json]

Prints the trace as a tree: kind, name, duration, model, tokens, cost, tool names and errors.
A unique prefix of the trace id is enough.
${COMMON}`,
  "span list": `Usage: ${BIN} span list [filters] [--trace <trace-id>]

${FILTER_HELP}
      --trace ID             only spans of this trace
${COMMON}`,
  "span get": `Usage: ${BIN} span get <trace-id> <span-id> [--view attributes|messages|io|events] [--json]

Views:
  attributes   every attribute and the resource (default)
  messages     an LLM span's input and output messages, with tool calls and tool results
  io           input.value and output.value, JSON pretty-printed
  events       events, such as recorded exceptions
${COMMON}`,
  tail: `Usage: ${BIN} tail [options]

Prints each trace as it arrives. Follows the collector on --host/--port when one runs;
otherwise starts one in this process.

Options:
  -p, --port PORT            default 4318
      --host HOST            default 127.0.0.1
  -k, --kind KIND            only traces whose root span has this kind
  -m, --metadata KEY=VALUE   only traces with a span carrying this attribute
  -f, --filter EXPR          only traces matching, e.g. "cost_total>0.01" or "errors>0"
      --json                 one JSON object per trace ({ trace, spans })
${COMMON}`,
  import: `Usage: ${BIN} import <file>…

Loads span files into the local store: CATALYST_TRACES_FILE files (one span per line) and
OTLP/JSON export requests (one per line, or a whole file). Spans already in the store are
replaced, not duplicated.

Options:
      --prices FILE          JSON price table for cost of spans that arrive without llm.cost.*
${COMMON}`,
};

const commonOptions = {
  "data-dir": { type: "string" },
  "no-color": { type: "boolean" },
  color: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
const filterOptions = {
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
} as const;

function parse<T extends Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true });
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

function query(command: string, v: Record<string, unknown>, target: "spans" | "traces"): Query {
  try {
    return buildQuery(toRaw(v), target, 50);
  } catch (err) {
    if (err instanceof QueryError) throw new UsageError(`${command}: ${err.message}`);
    throw err;
  }
}

function dataDir(v: Record<string, unknown>): string {
  return path.resolve((v["data-dir"] as string | undefined) ?? defaultDataDir());
}

function openForReading(v: Record<string, unknown>): LocalStore {
  return LocalStore.open({ dir: dataDir(v), readOnly: true });
}

function positionalCount(command: string, positionals: string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`${command}: missing ${what}. Usage: ${BIN} ${command} ${what}`);
  if (positionals.length > max) throw new UsageError(`${command}: unexpected argument "${positionals[max]}". Usage: ${BIN} ${command} ${what}`);
}

function parsePort(raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port ${raw}: expected a port number (0-65535)`);
  return n;
}

function useColor(v: Record<string, unknown>): void {
  setColor(v.color === true || (!v["no-color"] && !!process.stdout.isTTY && !process.env.NO_COLOR));
}

/* ---------------- commands ---------------- */

async function traceList(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("trace list", args, filterOptions);
  if (v.help) return help("trace list", io);
  positionalCount("trace list", positionals, 0, 0, "[filters]");
  useColor(v);
  const q = query("trace list", v, "traces");
  const store = openForReading(v);
  try {
    const traces = store.listTraces(q);
    if (v.json) io.out(JSON.stringify(traces, null, 2));
    else if (!traces.length) io.err(dim(`no traces match (the store at ${store.dir} has ${store.traceCount()})`));
    else io.out(traceTable(traces));
  } finally {
    await store.close();
  }
  return 0;
}

async function traceGet(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("trace get", args, { json: { type: "boolean" } });
  if (v.help) return help("trace get", io);
  positionalCount("trace get", positionals, 1, 1, "<trace-id>");
  useColor(v);
  const store = openForReading(v);
  try {
    const id = store.resolveTraceId(positionals[0]!);
    const summary = store.getTraceSummary(id)!;
    const spans = store.getTraceSpans(id);
    if (v.json) io.out(JSON.stringify({ trace: summary, spans }, null, 2));
    else io.out(traceTree(summary, spans));
  } finally {
    await store.close();
  }
  return 0;
}

async function spanList(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("span list", args, { ...filterOptions, trace: { type: "string" } });
  if (v.help) return help("span list", io);
  positionalCount("span list", positionals, 0, 0, "[filters]");
  useColor(v);
  const q = query("span list", v, "spans");
  const store = openForReading(v);
  try {
    if (v.trace !== undefined) q.traceId = store.resolveTraceId(v.trace as string);
    const spans = store.listSpans(q);
    if (v.json) io.out(JSON.stringify(spans, null, 2));
    else if (!spans.length) io.err(dim(`no spans match (the store at ${store.dir} has ${store.traceCount()} traces)`));
    else io.out(spanTable(spans));
  } finally {
    await store.close();
  }
  return 0;
}

const VIEWS = ["attributes", "messages", "io", "events"];

async function spanGet(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("span get", args, { view: { type: "string", short: "v" }, json: { type: "boolean" } });
  if (v.help) return help("span get", io);
  positionalCount("span get", positionals, 2, 2, "<trace-id> <span-id>");
  const view = (v.view as string | undefined) ?? "attributes";
  if (!VIEWS.includes(view)) throw new UsageError(`span get: --view ${view}: expected one of ${VIEWS.join(", ")}`);
  useColor(v);
  const store = openForReading(v);
  try {
    const traceId = store.resolveTraceId(positionals[0]!);
    const spanId = store.resolveSpanId(traceId, positionals[1]!);
    const r = store.getSpan(traceId, spanId)!;
    if (v.json) io.out(JSON.stringify(r, null, 2));
    else io.out(view === "messages" ? messagesView(r) : view === "io" ? ioView(r) : view === "events" ? eventsView(r) : attributesView(r));
  } finally {
    await store.close();
  }
  return 0;
}

function traceLine(t: TraceSummary): string {
  return [
    dim(formatTime(t.startTimeMs)),
    kindLabel(t.kind),
    t.name,
    formatDuration(t.durationMs),
    `${t.spanCount} span${t.spanCount === 1 ? "" : "s"}`,
    t.tokensTotal !== undefined ? `${t.tokensTotal} tokens` : "",
    t.costTotal !== undefined ? formatCost(t.costTotal) : "",
    t.errorCount ? red(`✗ ${t.error ?? "error"}`) : "",
    dim(t.traceId),
  ]
    .filter(Boolean)
    .join("  ");
}

async function serve(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values: v, positionals } = parse("serve", args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    "max-traces": { type: "string" },
    prices: { type: "string" },
    quiet: { type: "boolean", short: "q" },
  });
  if (v.help) return help("serve", io);
  positionalCount("serve", positionals, 0, 0, "[options]");
  useColor(v);
  const port = parsePort(v.port, 4318);
  const host = (v.host as string | undefined) ?? "127.0.0.1";
  const maxTraces = v["max-traces"] === undefined ? 20000 : Number(v["max-traces"]);
  if (!Number.isInteger(maxTraces) || maxTraces < 0) throw new UsageError(`serve: --max-traces ${v["max-traces"]}: expected a whole number`);
  if (v.prices !== undefined && !fs.existsSync(v.prices as string)) throw new UsageError(`serve: --prices ${v.prices}: no such file`);
  const prices = resolvePrices({ pricesFile: (v.prices as string | undefined) ?? settingFromEnv("pricesFile") });
  const store = LocalStore.open({ dir: dataDir(v), prices });
  let server;
  try {
    server = await startServer({ store, port, host, maxTraces, log: (l) => io.err(dim(l)) });
  } catch (err) {
    await store.close();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      io.err(`${BIN} serve: ${host}:${port} is already in use (another collector?). Use --port to pick another port.`);
      return 1;
    }
    throw err;
  }
  io.out(
    [
      `@inference/tracing local collector`,
      `  OTLP/HTTP  ${server.url}/v1/traces  (JSON and protobuf)`,
      `  web view   ${server.url}/`,
      `  store      ${store.dir} (${store.traceCount()} traces)`,
      ``,
      `Send traces: CATALYST_OTLP_ENDPOINT=${server.url} node --import @inference/tracing/register app.js`,
    ].join("\n"),
  );
  if (!/^(127\.|localhost$|::1$)/.test(host)) io.err(red(`warning: listening on ${host}: anyone who can reach this address can send and read traces`));
  if (!v.quiet) {
    server.events.on("spans", (e: { completed: string[] }) => {
      for (const id of e.completed) {
        const t = store.getTraceSummary(id);
        if (t) io.out(traceLine(t));
      }
    });
  }
  await waitForStop(signal);
  await server.close();
  await store.close();
  return 0;
}

function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}

function getJson(url: string, timeoutMs = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        try {
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${url}: HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function tailMatcher(q: Query): (t: TraceSummary, spans: SpanRecord[]) => boolean {
  return (t, spans) => {
    if (!matchesSummary(t, q)) return false;
    return q.metadata.every((f) => spans.some((s) => metadataValueMatches(s.attributes?.[f.key] ?? s.resource?.[f.key], f)));
  };
}

async function tail(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values: v, positionals } = parse("tail", args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    kind: filterOptions.kind,
    metadata: filterOptions.metadata,
    filter: filterOptions.filter,
    json: { type: "boolean" },
  });
  if (v.help) return help("tail", io);
  positionalCount("tail", positionals, 0, 0, "[options]");
  useColor(v);
  const port = parsePort(v.port, 4318);
  const host = (v.host as string | undefined) ?? "127.0.0.1";
  const q = query("tail", { kind: v.kind, metadata: v.metadata, filter: v.filter }, "traces");
  const matches = tailMatcher(q);
  const printed = new Set<string>();
  const print = (t: TraceSummary, spans: SpanRecord[]) => {
    if (printed.has(t.traceId) || !matches(t, spans)) return;
    printed.add(t.traceId);
    if (printed.size > 10000) printed.delete(printed.values().next().value as string);
    io.out(v.json ? JSON.stringify({ trace: t, spans }) : traceTree(t, spans) + "\n");
  };
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let running = false;
  try {
    const health = await getJson(`${base}/api/health`, 1500);
    running = health?.ok === true;
  } catch {
    running = false;
  }
  if (running) {
    io.err(dim(`following the collector at ${base} (Ctrl-C to stop)`));
    return followRemote(base, print, io, signal);
  }
  const store = LocalStore.open({ dir: dataDir(v), prices: resolvePrices({ pricesFile: settingFromEnv("pricesFile") }) });
  let server;
  try {
    server = await startServer({ store, port, host, maxTraces: 20000 });
  } catch (err) {
    await store.close();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      io.err(`${BIN} tail: ${host}:${port} is in use by something that is not a collector of ours. Use --port.`);
      return 1;
    }
    throw err;
  }
  io.err(dim(`no collector was running: collecting on ${server.url}/v1/traces (web view ${server.url}/). Ctrl-C to stop.`));
  server.events.on("spans", (e: { completed: string[] }) => {
    for (const id of e.completed) {
      const t = store.getTraceSummary(id);
      if (t) print(t, store.getTraceSpans(id));
    }
  });
  await waitForStop(signal);
  await server.close();
  await store.close();
  return 0;
}

function followRemote(base: string, print: (t: TraceSummary, spans: SpanRecord[]) => void, io: Io, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    let req: http.ClientRequest | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      req?.destroy();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
    let warned = false;
    const connect = () => {
      if (stopped) return;
      req = http.get(`${base}/api/events`, (res) => {
        warned = false;
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== "spans" || !data) continue;
            const e = JSON.parse(data) as { completed: string[] };
            for (const id of e.completed) {
              getJson(`${base}/api/traces/${id}`)
                .then((d) => print(d.trace, d.spans))
                .catch((err) => io.err(dim(`could not read trace ${id}: ${(err as Error).message}`)));
            }
          }
        });
        res.on("end", () => reconnect());
      });
      req.on("error", () => reconnect());
    };
    const reconnect = () => {
      if (stopped) return;
      if (!warned) io.err(dim(`lost the collector at ${base}; retrying…`));
      warned = true;
      retry = setTimeout(connect, 2000);
    };
    connect();
  });
}

async function importCommand(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("import", args, { prices: { type: "string" } });
  if (v.help) return help("import", io);
  positionalCount("import", positionals, 1, Infinity, "<file>…");
  for (const file of positionals) if (!fs.existsSync(file)) throw new UsageError(`import: ${file}: no such file`);
  const store = LocalStore.open({ dir: dataDir(v), prices: resolvePrices({ pricesFile: (v.prices as string | undefined) ?? settingFromEnv("pricesFile") }) });
  let code = 0;
  try {
    for (const file of positionals) {
      const r = await importFile(store, file);
      io.out(`${file}: imported ${r.spans} span${r.spans === 1 ? "" : "s"} (${r.traces} trace${r.traces === 1 ? "" : "s"})${r.skipped ? `, skipped ${r.skipped}` : ""}`);
      for (const p of r.problems) io.err(`  ${p}`);
      if (r.spans === 0) code = 1;
    }
    io.err(dim(`store: ${store.dir} (${store.traceCount()} traces)`));
  } finally {
    await store.close();
  }
  return code;
}

function help(topic: string, io: Io): number {
  io.out(HELP[topic] ?? HELP.main!);
  return 0;
}

function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** Run the CLI; resolves with the exit code. `signal` stops `serve` and `tail` (tests). */
export async function run(argv: string[], io: Io = defaultIo, signal?: AbortSignal): Promise<number> {
  const [command, ...rest] = argv;
  try {
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
        return await serve(rest, io, signal);
      case "tail":
        return await tail(rest, io, signal);
      case "import":
        return await importCommand(rest, io);
      case "trace":
      case "traces":
      case "span":
      case "spans": {
        const noun = command.startsWith("trace") ? "trace" : "span";
        const [sub, ...args] = rest;
        if (sub === undefined || sub === "--help" || sub === "-h") return help(`${noun} list`, io);
        if (sub === "list" || sub === "ls") return noun === "trace" ? await traceList(args, io) : await spanList(args, io);
        if (sub === "get" || sub === "show") return noun === "trace" ? await traceGet(args, io) : await spanGet(args, io);
        throw new UsageError(`${noun}: unknown subcommand "${sub}". Use \`${BIN} ${noun} list\` or \`${BIN} ${noun} get\`.`);
      }
      default:
        throw new UsageError(`unknown command "${command}". Commands: serve, trace list|get, span list|get, tail, import. Run \`${BIN} --help\`.`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${BIN} ${err.message}`);
      return 2;
    }
    if (err instanceof QueryError || err instanceof StoreError) {
      io.err(`${BIN}: ${err.message}`);
      return 1;
    }
    io.err(`${BIN}: ${(err as Error)?.stack ?? String(err)}`);
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
