/**
 * The local default: with no endpoint configured, each finished trace is printed to
 * stderr as a compact tree, and with CATALYST_TRACES_FILE every span is appended to a
 * file as one JSON line. Printing is rate-limited so a busy service cannot flood its logs.
 */
import fs = require("node:fs");
import path = require("node:path");
import type { ExportResult } from "@opentelemetry/core";

/** @opentelemetry/core's ExportResultCode values (a type-only import keeps core out of the first span's load). */
const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;
import type { ReadableSpan, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ConsoleMode } from "../config";
import { internalError, warn, writeStderr } from "../util/log";
import { ansiColors, plainText, traceHeader, treeLines, type Paint } from "../trace-model/render-text";
import type { SpanRecord } from "../trace-model/span-record";
import { summarizeSpan, summarizeTrace } from "../trace-model/summary";
import { toSpanRecord } from "./span-json";
import { freshLine, watchTerminalLine } from "./terminal-line";

const MAX_PENDING_TRACES = 1000;
const WINDOW_MS = 10_000;
const MAX_TREES_PER_WINDOW = 20;

const useColor = () => !!process.stderr.isTTY && !process.env.NO_COLOR;
const paint = (): Paint => (useColor() ? ansiColors : plainText);

/** The trace as the console prints it: the header (`summary` mode stops there) and the tree. */
export function renderTree(records: SpanRecord[], incomplete = false): string {
  const p = paint();
  const summary = summarizeTrace(records.map(summarizeSpan));
  const head = traceHeader({ ...summary, complete: !incomplete }, { paint: p, traceIdLength: 16, openNote: "(root span still open)" });
  return [head, ...treeLines(records, { paint: p })].join("\n");
}

export class ConsoleTreeExporter implements SpanExporter {
  private pending = new Map<string, SpanRecord[]>();
  private windowStart = 0;
  private printedInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly mode: ConsoleMode,
    private readonly write: (text: string) => void = (t) => writeStderr(freshLine() + t + "\n"),
  ) {
    if (mode !== "off") watchTerminalLine();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      for (const s of spans) {
        const r = toSpanRecord(s);
        const list = this.pending.get(r.traceId) ?? [];
        list.push(r);
        this.pending.set(r.traceId, list);
        if (!r.parentSpanId || r.remoteParent) {
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
        this.write(paint().dim(`… ${this.suppressed} more trace(s) not printed (rate limit; set CATALYST_TRACES_FILE to keep them all)`));
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
      this.write(paint().dim(`… ${this.suppressed} more trace(s) not printed (rate limit)`));
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
      // private like the local store: spans hold prompts and answers
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    } catch {
      /* reported on first write */
    }
  }
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      const text = spans.map((s) => JSON.stringify(toSpanRecord(s))).join("\n") + "\n";
      fs.appendFileSync(this.file, text, { mode: 0o600 });
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

const SAMPLED = 1;

/**
 * Hands each sampled span to a local sink (the console tree, the JSONL file) as it ends, at once.
 * Not OpenTelemetry's SimpleSpanProcessor: that exports inside a context that suppresses tracing,
 * and entering that first context switches promise hooks on for the whole process on Node 20/22
 * (spans/context-manager.ts). These sinks write locally and synchronously: nothing to suppress.
 */
export class LocalSinkProcessor implements SpanProcessor {
  constructor(private readonly sink: SpanExporter) {}
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
    this.sink.export([span], () => {});
  }
  forceFlush(): Promise<void> {
    return this.sink.forceFlush?.() ?? Promise.resolve();
  }
  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }
}
