/**
 * The local default: with no endpoint configured, each finished trace is printed to
 * stderr as a compact tree, and with CATALYST_TRACES_FILE every span is appended to a
 * file as one JSON line. Printing is rate-limited so a busy service cannot flood its logs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExportResult } from "@opentelemetry/core";

/** @opentelemetry/core's ExportResultCode values (a type-only import keeps core out of the first span's load). */
const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { ConsoleMode } from "../config";
import { Attr } from "../semconv";
import { internalError, warn, writeStderr } from "../util/log";
import { END_REASON_ATTR } from "../util/fault";
import { toSpanRecord, type SpanRecord } from "./span-json";

const MAX_PENDING_TRACES = 1000;
const WINDOW_MS = 10_000;
const MAX_TREES_PER_WINDOW = 20;

const useColor = () => !!process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
const dim = (s: string) => paint("2", s);
const red = (s: string) => paint("31", s);
const KIND_COLOR: Record<string, string> = {
  AGENT: "35",
  LLM: "36",
  TOOL: "33",
  CHAIN: "34",
  RETRIEVER: "32",
  EMBEDDING: "32",
};

export function formatDuration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Dollars with two significant digits below a cent ($0.000039), else cents ($0.42). */
export function formatCost(usd: number): string {
  if (!Number.isFinite(usd)) return "";
  return usd !== 0 && Math.abs(usd) < 0.01 ? `$${usd.toPrecision(2)}` : `$${usd.toFixed(2)}`;
}

function spanLine(r: SpanRecord): string {
  const a = r.attributes;
  const kind = String(a[Attr.SPAN_KIND] ?? "SPAN");
  const parts = [paint(KIND_COLOR[kind] ?? "0", kind.padEnd(5)), r.name, dim(formatDuration(r.durationMs))];
  const model = a[Attr.MODEL_NAME] ?? a[Attr.EMBEDDING_MODEL_NAME];
  if (model !== undefined) parts.push(String(model));
  const p = a[Attr.TOKEN_COUNT_PROMPT];
  const c = a[Attr.TOKEN_COUNT_COMPLETION];
  const t = a[Attr.TOKEN_COUNT_TOTAL];
  if (p !== undefined || c !== undefined || t !== undefined) {
    parts.push(`tokens ${p ?? "?"}→${c ?? "?"}${t !== undefined ? ` (${t})` : ""}`);
  }
  if (a[Attr.COST_TOTAL] !== undefined) parts.push(formatCost(Number(a[Attr.COST_TOTAL])));
  if (a[Attr.TOOL_NAME] !== undefined && kind !== "TOOL") parts.push(`tool=${a[Attr.TOOL_NAME]}`);
  else if (kind === "TOOL" && a[Attr.TOOL_NAME] !== undefined && a[Attr.TOOL_NAME] !== r.name) parts.push(`tool=${a[Attr.TOOL_NAME]}`);
  if (kind === "AGENT" && a[Attr.AGENT_ID] !== undefined) parts.push(dim(`agent.id=${a[Attr.AGENT_ID]}`));
  if (a[Attr.SESSION_ID] !== undefined && kind === "AGENT") parts.push(dim(`session=${a[Attr.SESSION_ID]}`));
  if (r.status.code === 2) parts.push(red(`✗ ${r.status.message ?? "error"}`));
  // ended by us because the process was ending under it (endOpenSpans in ./pipeline)
  if (typeof a[END_REASON_ATTR] === "string") parts.push(red(`⚠ cut short (${a[END_REASON_ATTR]})`));
  return parts.join("  ");
}

/** Render one trace's spans as a tree (children ordered by start time). */
export function renderTree(records: SpanRecord[], incomplete = false): string {
  const byId = new Map(records.map((r) => [r.spanId, r]));
  const children = new Map<string | undefined, SpanRecord[]>();
  for (const r of records) {
    const parent = r.parentSpanId && byId.has(r.parentSpanId) ? r.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((x, y) => x.startTimeMs - y.startTimeMs);
  const roots = children.get(undefined) ?? [];
  const llmCalls = records.filter((r) => r.attributes[Attr.SPAN_KIND] === "LLM").length;
  const tokens = records.reduce((n, r) => {
    const t = r.attributes[Attr.TOKEN_COUNT_TOTAL];
    return n + (typeof t === "number" ? t : 0);
  }, 0);
  const duration = roots.reduce((m, r) => Math.max(m, r.durationMs), 0);
  const head = [
    `trace ${records[0]?.traceId.slice(0, 16) ?? ""}`,
    formatDuration(duration),
    `${records.length} span${records.length === 1 ? "" : "s"}`,
  ];
  if (llmCalls) head.push(`${llmCalls} LLM call${llmCalls === 1 ? "" : "s"}`);
  if (tokens) head.push(`${tokens} tokens`);
  if (incomplete) head.push("(root span still open)");
  const lines = [paint("1", `◆ ${head.join(" · ")}`)];
  const walk = (r: SpanRecord, prefix: string, last: boolean, top: boolean) => {
    lines.push(`${prefix}${top ? "" : last ? "└─ " : "├─ "}${spanLine(r)}`);
    const kids = children.get(r.spanId) ?? [];
    kids.forEach((k, i) => walk(k, top ? prefix : prefix + (last ? "   " : "│  "), i === kids.length - 1, false));
  };
  roots.forEach((r, i) => walk(r, "", i === roots.length - 1, true));
  return lines.join("\n");
}

export class ConsoleTreeExporter implements SpanExporter {
  private pending = new Map<string, SpanRecord[]>();
  private windowStart = 0;
  private printedInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly mode: ConsoleMode,
    private readonly write: (text: string) => void = (t) => writeStderr(t + "\n"),
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      for (const s of spans) {
        const r = toSpanRecord(s);
        const list = this.pending.get(r.traceId) ?? [];
        list.push(r);
        this.pending.set(r.traceId, list);
        const remoteParent = (s as any).parentSpanContext?.isRemote === true;
        if (!r.parentSpanId || remoteParent) {
          this.pending.delete(r.traceId);
          this.print(list, false);
        }
      }
      while (this.pending.size > MAX_PENDING_TRACES) {
        const oldest = this.pending.keys().next().value as string;
        this.pending.delete(oldest);
      }
    } catch (err) {
      internalError("ConsoleTreeExporter", err);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  private print(records: SpanRecord[], incomplete: boolean): void {
    if (this.mode === "off") return;
    const now = Date.now();
    if (now - this.windowStart > WINDOW_MS) {
      if (this.suppressed > 0) {
        this.write(dim(`… ${this.suppressed} more trace(s) not printed (rate limit; set CATALYST_TRACES_FILE to keep them all)`));
      }
      this.windowStart = now;
      this.printedInWindow = 0;
      this.suppressed = 0;
    }
    if (this.printedInWindow >= MAX_TREES_PER_WINDOW) {
      this.suppressed++;
      return;
    }
    this.printedInWindow++;
    if (this.mode === "summary") {
      this.write(renderTree(records, incomplete).split("\n")[0]!);
    } else {
      this.write(renderTree(records, incomplete));
    }
  }

  /** Print traces whose root never ended (the process is going away). */
  flushIncomplete(): void {
    for (const [id, records] of this.pending) {
      this.pending.delete(id);
      this.print(records, true);
    }
    if (this.suppressed > 0) {
      this.write(dim(`… ${this.suppressed} more trace(s) not printed (rate limit)`));
      this.suppressed = 0;
    }
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {
    this.flushIncomplete();
  }
}

/** Appends one JSON line per span to a file (synchronously: small writes, safe at exit). */
export class JsonlFileExporter implements SpanExporter {
  private warned = false;
  constructor(readonly file: string) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch {
      /* reported on first write */
    }
  }
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const text = spans.map((s) => JSON.stringify(toSpanRecord(s))).join("\n") + "\n";
      fs.appendFileSync(this.file, text);
      resultCallback({ code: ExportResultCode.SUCCESS });
    } catch (err) {
      if (!this.warned) {
        this.warned = true;
        warn(`cannot write CATALYST_TRACES_FILE=${this.file}: ${(err as Error).message}`);
      }
      resultCallback({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}
