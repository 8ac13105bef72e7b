/**
 * The local trace store: LMDB (the `lmdb` package: a memory-mapped, transactional
 * key-value store whose binaries ship inside npm packages) in one directory on disk.
 * Several processes may open it at once: `serve` writes while `trace list` reads.
 *
 * Databases inside the environment:
 *   spans   "<traceId>:<spanId>" → SpanRecord (the full span)
 *   sums    "<traceId>:<spanId>" → SpanSummary (the rows span lists return)
 *   traces  "<traceId>"          → TraceSummary
 *   idx     "<key>\x1f<value>\x1f<traceId>:<spanId>" → null: an inverted index of short attribute
 *           values, so `--metadata key=value` looks up matching spans instead of scanning.
 *   cols    "<traceId>" → the numbers filters and sorts read, for the trace and each span
 *   tcols   "<traceId>" → the trace's numbers alone (what trace lists scan)
 * and, opened by the collector only, the GenAI usage that metrics bring (./usage-store).
 */
import fs = require("node:fs");
import os = require("node:os");
import path = require("node:path");
import type { SpanRecord } from "../trace-model/span-record";
import { applyCost, type PriceTable } from "../transforms/cost";
import { settingFromEnv } from "../config";
import {
  KINDS,
  QueryError,
  compare,
  metadataValueMatches,
  sortAndLimit,
  type MetadataFilter,
  type Query,
} from "./query";
import { summarizeSpan, summarizeTrace, type SpanSummary, type TraceSummary } from "../trace-model/summary";
import { problemWith, repaired } from "./validate";
import { DEFAULT_USAGE_LIMITS, UsageStore, type UsageLimits } from "./usage-store";

const SEP = "\x1f";
/** Index at most this many characters of a string value (longer ones: this prefix, marked). */
const INDEX_CHARS = 200;
const TRUNCATED = "\x1e";
/** Attributes too bulky or too numerous to index (still filterable, by scanning). */
const UNINDEXED = /^(llm\.(input|output)_messages\.|llm\.tools\.|llm\.prompts?\.|llm\.prompt_template\.|embedding\.embeddings\.|retrieval\.documents\.|reranker\.(input|output)_documents\.)/;

export function defaultDataDir(env: Record<string, string | undefined> = process.env): string {
  const dir = settingFromEnv("localDir", env);
  if (dir) return path.resolve(dir);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), ".local", "share");
  return path.join(base, "inference-tracing");
}

const STORE_FILE = "traces.mdb";

export class StoreError extends Error {}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split("\n")[0];

/**
 * The store's directory (0700) and files (0600): spans hold prompts, answers and tool results, for
 * the user's eyes only. LMDB opens files that exist as they are, so they are created first.
 */
function createPrivately(dir: string, file: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST" || code === "ENOTDIR") throw new StoreError(`the data directory ${dir} is a file (or lies under one): choose another with --data-dir`);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new StoreError(`cannot create the data directory ${dir}: not allowed (${code}); choose another with --data-dir`);
    throw new StoreError(`cannot create the data directory ${dir}: ${firstLine(err)}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new StoreError(`the data directory ${dir} is a file: choose another with --data-dir`);
  for (const f of [file, `${file}-lock`]) {
    try {
      fs.closeSync(fs.openSync(f, "a", 0o600));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new StoreError(`cannot write the trace store in ${dir}: not allowed (${code}); choose another directory with --data-dir`);
      throw new StoreError(`cannot write the trace store in ${dir}: ${firstLine(err)}`);
    }
  }
}

function loadLmdb(): typeof import("lmdb") {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("lmdb") as typeof import("lmdb");
  } catch (err) {
    throw new StoreError(
      `the local store needs the "lmdb" package, which is not installed here (${(err as Error).message.split("\n")[0]}). ` +
        `It is an optional dependency of @inference/tracing: install it with \`npm install lmdb\`.`,
    );
  }
}

const incLast = (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
const spanKey = (traceId: string, spanId: string) => `${traceId}:${spanId}`;

function indexValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  if (text === undefined || text.includes(SEP) || text.includes(TRUNCATED)) return undefined;
  return text.length > INDEX_CHARS ? text.slice(0, INDEX_CHARS) + TRUNCATED : text;
}

/** The index keys of one span: its attributes and its resource's, with array elements. */
function indexKeys(r: SpanRecord): string[] {
  const keys = new Set<string>();
  const add = (k: string, v: unknown) => {
    if (UNINDEXED.test(k) || k.includes(SEP) || k.length > 200) return;
    for (const item of Array.isArray(v) ? v : [v]) {
      const text = indexValue(item);
      if (text !== undefined) keys.add(`${k}${SEP}${text}${SEP}${spanKey(r.traceId, r.spanId)}`);
    }
  };
  for (const [k, v] of Object.entries(r.resource ?? {})) add(k, v);
  for (const [k, v] of Object.entries(r.attributes ?? {})) add(k, v);
  return [...keys];
}

const isIndexable = (key: string) => !UNINDEXED.test(key) && !key.includes(SEP);

export interface StoreOptions {
  /** Directory of the store (created when missing unless readOnly). */
  dir?: string;
  readOnly?: boolean;
  /** Add llm.cost.* at ingest to LLM spans that arrive without it. */
  prices?: PriceTable;
  /** How much usage from metrics is kept. */
  usageLimits?: Partial<UsageLimits>;
}

export interface AddResult {
  /** How many were stored. */
  spans: number;
  /** Why each span that was not stored was refused. */
  rejected: string[];
  traceIds: string[];
  /** Traces whose root span arrived in this batch. */
  completed: string[];
}

export class LocalStore {
  readonly dir: string;
  private env: any;
  private spans: any;
  private sums: any;
  private traces: any;
  private idx: any;
  /** "<traceId>" → the trace's columns followed by each span's id and columns (see encodeBlob). */
  private cols: any;
  /** "<traceId>" → the trace's columns alone (what trace lists scan). */
  private tcols: any;
  private readonly prices?: PriceTable;
  private readonly usageLimits: UsageLimits;
  private usageStore?: UsageStore;

  private constructor(dir: string, env: any, options: StoreOptions) {
    this.dir = dir;
    this.env = env;
    this.prices = options.prices;
    this.usageLimits = { ...DEFAULT_USAGE_LIMITS, ...options.usageLimits };
    this.spans = env.openDB({ name: "spans" });
    this.sums = env.openDB({ name: "sums" });
    this.traces = env.openDB({ name: "traces" });
    this.idx = env.openDB({ name: "idx", encoding: "binary" });
    this.cols = env.openDB({ name: "cols", encoding: "binary" });
    this.tcols = env.openDB({ name: "tcols", encoding: "binary" });
  }

  static exists(dir = defaultDataDir()): boolean {
    return fs.existsSync(path.join(dir, STORE_FILE));
  }

  static open(options: StoreOptions = {}): LocalStore {
    const dir = path.resolve(options.dir ?? defaultDataDir());
    const file = path.join(dir, STORE_FILE);
    if (options.readOnly && !fs.existsSync(file)) {
      throw new StoreError(
        `no local trace store at ${dir} yet. Start the collector with \`npx @inference/tracing serve\` ` +
          `(or import a traces file with \`npx @inference/tracing import <file>\`).`,
      );
    }
    const lmdb = loadLmdb();
    if (!options.readOnly) createPrivately(dir, file);
    let env: any;
    try {
      env = lmdb.open({ path: file, maxDbs: 12 });
    } catch (err) {
      throw new StoreError(`cannot open the trace store at ${dir}: ${firstLine(err)}`);
    }
    return new LocalStore(dir, env, options);
  }

  /** GenAI usage from metrics (its databases are created on first use, by the collector). */
  get usage(): UsageStore {
    return (this.usageStore ??= new UsageStore(this.env, this.usageLimits));
  }

  close(): Promise<void> {
    return this.env.close();
  }

  /* ---------------- writing ---------------- */

  /**
   * Store spans (a re-sent span replaces the earlier copy) and refresh their traces' summaries.
   * A span that is invalid or cannot be written is left out and named in `rejected`; the others
   * are stored. Throws only when the store itself fails (no span of the batch could be written).
   */
  addSpans(records: SpanRecord[]): AddResult {
    const rejected: string[] = [];
    const valid: SpanRecord[] = [];
    for (const r of records) {
      const problem = r && typeof r === "object" ? problemWith(r) : "not a span record";
      if (problem) rejected.push(problem);
      else valid.push(repaired(r));
    }
    const touched = new Set<string>();
    const completed = new Set<string>();
    const writeAll = (batch: SpanRecord[]) => {
      const done = this.env.transactionSync(() => this.write(batch)) as ReturnType<LocalStore["write"]>;
      for (const id of done.touched) touched.add(id);
      for (const id of done.completed) completed.add(id);
    };
    let stored = 0;
    try {
      writeAll(valid);
      stored = valid.length;
    } catch (batchError) {
      // one span the store cannot take (a value it cannot encode) must not sink the others: one at a time
      for (const r of valid) {
        try {
          writeAll([r]);
          stored++;
        } catch (err) {
          rejected.push(`span ${r.spanId} of trace ${r.traceId} cannot be stored: ${(err as Error).message}`);
        }
      }
      if (stored === 0 && valid.length > 0) throw batchError;
    }
    return { spans: stored, traceIds: [...touched], completed: [...completed], rejected };
  }

  /** Inside a transaction: the spans, their index entries, and their traces' summaries. */
  private write(records: SpanRecord[]): { touched: Set<string>; completed: Set<string> } {
    const now = Date.now();
    const touched = new Set<string>();
    const completed = new Set<string>();
    for (const r of records) {
      if (this.prices) {
        try {
          applyCost(r.attributes, this.prices);
        } catch {
          /* a bad attribute never blocks storing the span */
        }
      }
      const key = spanKey(r.traceId, r.spanId);
      const old = this.spans.get(key) as SpanRecord | undefined;
      if (old) for (const k of indexKeys(old)) this.idx.removeSync(k);
      this.spans.putSync(key, r);
      this.sums.putSync(key, summarizeSpan(r));
      for (const k of indexKeys(r)) this.idx.putSync(k, EMPTY);
      touched.add(r.traceId);
      if (!r.parentSpanId || r.remoteParent) completed.add(r.traceId);
    }
    for (const traceId of touched) {
      const sums = this.spanSummaries(traceId);
      if (!sums.length) continue;
      const t = summarizeTrace(sums, now);
      this.traces.putSync(traceId, t);
      const blob = encodeBlob(t, sums);
      this.cols.putSync(traceId, blob);
      this.tcols.putSync(traceId, Buffer.from(blob.subarray(0, TRACE_BYTES)));
    }
    return { touched, completed };
  }

  /** Remove whole traces (spans, summaries and index entries). */
  deleteTraces(traceIds: string[]): number {
    let n = 0;
    this.env.transactionSync(() => {
      for (const traceId of traceIds) {
        for (const { key, value } of this.spans.getRange({ start: `${traceId}:`, end: `${traceId};` })) {
          for (const k of indexKeys(value as SpanRecord)) this.idx.removeSync(k);
          this.spans.removeSync(key);
          this.sums.removeSync(key);
        }
        this.cols.removeSync(traceId);
        this.tcols.removeSync(traceId);
        if (this.traces.removeSync(traceId)) n++;
      }
    });
    return n;
  }

  /** Keep the newest `maxTraces` traces (by start time); returns how many were removed. */
  prune(maxTraces: number): number {
    const count = this.traces.getCount();
    if (count <= maxTraces) return 0;
    const all: { id: string; start: number }[] = [];
    for (const { key, value } of this.tcols.getRange()) all.push({ id: key as string, start: (value as Buffer).readDoubleLE(0) });
    all.sort((a, b) => a.start - b.start);
    return this.deleteTraces(all.slice(0, all.length - maxTraces).map((t) => t.id));
  }

  /* ---------------- reading ---------------- */

  traceCount(): number {
    return this.traces.getCount();
  }

  getTraceSummary(traceId: string): TraceSummary | undefined {
    return this.traces.get(traceId);
  }

  spanSummaries(traceId: string): SpanSummary[] {
    const out: SpanSummary[] = [];
    for (const { value } of this.sums.getRange({ start: `${traceId}:`, end: `${traceId};` })) out.push(value);
    return out;
  }

  /** All spans of a trace, ordered by start time. */
  getTraceSpans(traceId: string): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const { value } of this.spans.getRange({ start: `${traceId}:`, end: `${traceId};` })) out.push(value);
    return out.sort((a, b) => a.startTimeMs - b.startTimeMs);
  }

  getSpan(traceId: string, spanId: string): SpanRecord | undefined {
    return this.spans.get(spanKey(traceId, spanId));
  }

  /** A full trace id from a unique prefix (at least 4 hex characters). */
  resolveTraceId(prefix: string): string {
    const p = prefix.trim().toLowerCase();
    if (!/^[0-9a-f]{4,32}$/.test(p)) throw new QueryError(`"${prefix}" is not a trace id (32 hex characters, or a unique prefix of at least 4)`);
    if (p.length === 32) {
      if (this.traces.get(p) === undefined) throw new QueryError(`no trace ${p} in the store at ${this.dir}`);
      return p;
    }
    const found = [...this.traces.getKeys({ start: p, end: incLast(p), limit: 2 })] as string[];
    if (found.length === 0) throw new QueryError(`no trace starting with ${p} in the store at ${this.dir}`);
    if (found.length > 1) throw new QueryError(`trace id prefix ${p} is ambiguous (${found.join(", ")}, …): give more characters`);
    return found[0]!;
  }

  resolveSpanId(traceId: string, prefix: string): string {
    const p = prefix.trim().toLowerCase();
    if (!/^[0-9a-f]{1,16}$/.test(p)) throw new QueryError(`"${prefix}" is not a span id (16 hex characters, or a unique prefix)`);
    const matches = this.spanSummaries(traceId).filter((s) => s.spanId.startsWith(p));
    if (matches.length === 0) throw new QueryError(`no span ${p} in trace ${traceId}`);
    if (matches.length > 1) throw new QueryError(`span id prefix ${p} is ambiguous in trace ${traceId}: give more characters`);
    return matches[0]!.spanId;
  }

  /** Span keys ("trace:span") whose attribute `f.key` matches, from the index. */
  private indexLookup(f: MetadataFilter): Set<string> {
    const out = new Set<string>();
    const base = `${f.key}${SEP}`;
    let start: string;
    let end: string;
    const exactLong = !f.prefix && f.value.length > INDEX_CHARS;
    if (f.prefix || exactLong) {
      const v = exactLong ? f.value.slice(0, INDEX_CHARS) : f.value;
      start = base + v;
      end = v === "" ? `${f.key}\x20` : base + incLast(v);
    } else {
      start = `${base}${f.value}${SEP}`;
      end = `${base}${f.value}\x20`;
    }
    for (const key of this.idx.getKeys({ start, end })) {
      const k = key as string;
      out.add(k.slice(k.lastIndexOf(SEP) + 1));
    }
    return out;
  }

  private static needsRecordCheck(f: MetadataFilter): boolean {
    return !isIndexable(f.key) || (!f.prefix && f.value.length > INDEX_CHARS) || (f.prefix && f.value.length > INDEX_CHARS);
  }

  private recordMatches(key: string, metadata: MetadataFilter[], q: Query): boolean {
    const r = this.spans.get(key) as SpanRecord | undefined;
    if (!r) return false;
    for (const f of metadata) {
      if (!metadataValueMatches(r.attributes?.[f.key] ?? r.resource?.[f.key], f)) return false;
    }
    for (const f of q.filters) {
      if (!f.attribute) continue;
      const raw = r.attributes?.[f.attribute];
      const v = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
      if (!Number.isFinite(v)) return false;
      if (!compare(v, f.op, f.value)) return false;
    }
    return true;
  }

  /**
   * Candidate span keys for the metadata filters: the intersection of index lookups for the
   * indexable ones, or undefined (= every span) when none is.
   */
  private candidates(metadata: MetadataFilter[]): Set<string> | undefined {
    let set: Set<string> | undefined;
    for (const f of metadata) {
      if (!isIndexable(f.key)) continue;
      const found = this.indexLookup(f);
      set = set ? new Set([...set].filter((k) => found.has(k))) : found;
      if (set.size === 0) break;
    }
    return set;
  }

  listSpans(q: Query): SpanSummary[] {
    const recordCheck = q.metadata.filter((f) => LocalStore.needsRecordCheck(f));
    const needRecords = recordCheck.length > 0 || q.filters.some((f) => f.attribute);
    // kinds are checked on the columns; the index narrows metadata filters only
    const keys = this.candidates(q.metadata);
    const hits: Hit[] = [];
    const sortCol = SPAN_COLUMNS.indexOf(q.sort as never);
    const scan = (traceId: string, blob: Buffer | undefined, only?: Set<string>) => {
      if (!blob) return;
      for (let off = TRACE_BYTES; off + SPAN_BYTES <= blob.length; off += SPAN_BYTES) {
        const spanId = blob.toString("hex", off, off + 8);
        if (only && !only.has(spanId)) continue;
        const at = off + 8;
        if (!columnsMatch(blob, q, SPAN_COLUMNS, "span", at)) continue;
        const key = spanKey(traceId, spanId);
        if (needRecords && !this.recordMatches(key, recordCheck, q)) continue;
        hits.push({ key, sort: sortCol >= 0 ? col(blob, sortCol, at) : undefined, start: col(blob, 0, at) ?? 0 });
      }
    };
    if (q.traceId) {
      const only = keys ? new Set([...keys].filter((k) => k.startsWith(`${q.traceId}:`)).map((k) => k.slice(k.indexOf(":") + 1))) : undefined;
      scan(q.traceId, this.cols.get(q.traceId), only);
    } else if (keys) {
      const byTrace = new Map<string, Set<string>>();
      for (const key of keys) {
        const [traceId, spanId] = key.split(":") as [string, string];
        const set = byTrace.get(traceId) ?? new Set<string>();
        set.add(spanId);
        byTrace.set(traceId, set);
      }
      for (const [traceId, only] of byTrace) scan(traceId, this.cols.get(traceId), only);
    } else {
      for (const { key, value } of this.cols.getRange()) scan(key as string, value);
    }
    return this.finish(hits, q, sortCol, (key) => this.sums.get(key), (s: SpanSummary) =>
      q.sort.startsWith("attr:") ? (this.spans.get(spanKey(s.traceId, s.spanId)) as SpanRecord | undefined)?.attributes?.[q.sort.slice(5)] : undefined,
    );
  }

  listTraces(q: Query): TraceSummary[] {
    let traceIds: Set<string> | undefined;
    for (const f of q.metadata) {
      // a trace matches when any of its spans carries the attribute
      let spanKeys: Iterable<string>;
      if (isIndexable(f.key) && !LocalStore.needsRecordCheck(f)) spanKeys = this.indexLookup(f);
      else {
        const cand = isIndexable(f.key) ? this.indexLookup(f) : undefined;
        const keys: string[] = [];
        const check = (key: string, r: SpanRecord) => {
          if (metadataValueMatches(r.attributes?.[f.key] ?? r.resource?.[f.key], f)) keys.push(key);
        };
        if (cand) for (const k of cand) check(k, this.spans.get(k));
        else for (const { key, value } of this.spans.getRange()) check(key as string, value);
        spanKeys = keys;
      }
      const ids = new Set<string>();
      for (const k of spanKeys) ids.add(k.slice(0, k.indexOf(":")));
      traceIds = traceIds ? new Set([...traceIds].filter((t) => ids.has(t))) : ids;
      if (traceIds.size === 0) break;
    }
    const hits: Hit[] = [];
    const sortCol = TRACE_COLUMNS.indexOf(q.sort as never);
    const consider = (key: string, buf: Buffer | undefined) => {
      if (buf && columnsMatch(buf, q, TRACE_COLUMNS, "trace")) hits.push({ key, sort: sortCol >= 0 ? col(buf, sortCol) : undefined, start: col(buf, 0) ?? 0 });
    };
    if (traceIds) for (const id of traceIds) consider(id, this.tcols.get(id));
    else for (const { key, value } of this.tcols.getRange()) consider(key as string, value);
    return this.finish(hits, q, sortCol, (key) => this.traces.get(key));
  }

  /**
   * Name filter, sorting and the limit. Numeric sorts run on the columns and load only the
   * rows returned; sorting by a text field or an attribute loads every hit.
   */
  private finish<T extends { name: string; traceId: string; spanId?: string; startTimeMs: number }>(
    hits: Hit[],
    q: Query,
    sortCol: number,
    load: (key: string) => T | undefined,
    attrOf?: (item: T) => unknown,
  ): T[] {
    if (sortCol >= 0 && q.name === undefined) {
      const top = sortAndLimit(hits, { ...q, sort: "sort" }, undefined, newestFirst);
      return top.map((h) => load(h.key)).filter((x): x is T => x !== undefined);
    }
    let items = hits.map((h) => ({ item: load(h.key), sort: h.sort })).filter((x): x is { item: T; sort: number | undefined } => x.item !== undefined);
    if (q.name !== undefined) {
      const needle = q.name.toLowerCase();
      items = items.filter((x) => x.item.name.toLowerCase().includes(needle));
    }
    if (sortCol >= 0) return sortAndLimit(items, { ...q, sort: "sort" }, undefined, (a, b) => newestSummaryFirst(a.item, b.item)).map((x) => x.item);
    const summaries = items.map((x) => x.item);
    if (q.sort.startsWith("attr:") && attrOf) return sortAndLimit(summaries, q, (item) => attrOf(item), newestSummaryFirst);
    return sortAndLimit(summaries, q, undefined, newestSummaryFirst);
  }

  /** Traces changed after `sinceMs` (for live views), newest first. */
  changedSince(sinceMs: number, limit = 200): TraceSummary[] {
    const hits: Hit[] = [];
    const updated = TRACE_COLUMNS.indexOf("updatedAt");
    for (const { key, value } of this.tcols.getRange()) {
      const at = col(value as Buffer, updated) ?? 0;
      if (at > sinceMs) hits.push({ key: key as string, sort: at, start: 0 });
    }
    hits.sort((a, b) => (b.sort ?? 0) - (a.sort ?? 0));
    return hits.slice(0, limit).map((h) => this.traces.get(h.key)).filter(Boolean);
  }
}

const EMPTY = Buffer.alloc(0);

/* ---------------- numeric columns ---------------- */

interface Hit {
  key: string;
  sort: number | undefined;
  /** Start time: ties in the sort go newest first, then by key. */
  start: number;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const newestFirst = (a: Hit, b: Hit) => b.start - a.start || byKey(a.key, b.key);
const summaryKey = (s: { traceId: string; spanId?: string }) => (s.spanId ? spanKey(s.traceId, s.spanId) : s.traceId);
const newestSummaryFirst = (a: { traceId: string; spanId?: string; startTimeMs: number }, b: { traceId: string; spanId?: string; startTimeMs: number }) =>
  b.startTimeMs - a.startTimeMs || byKey(summaryKey(a), summaryKey(b));

/** The numbers filters and sorts read, stored as float64s beside each summary (NaN = absent). */
const SPAN_COLUMNS = ["startTimeMs", "durationMs", "status", "kindCode", "tokensPrompt", "tokensCompletion", "tokensTotal", "costPrompt", "costCompletion", "costTotal"] as const;
const TRACE_COLUMNS = [
  "startTimeMs", "durationMs", "errorCount", "kindCode", "tokensPrompt", "tokensCompletion", "tokensTotal", "costPrompt", "costCompletion", "costTotal",
  "spanCount", "llmCalls", "toolCalls", "updatedAt",
] as const;
const kindCode = (kind: string) => {
  const i = KINDS.indexOf(kind);
  return i >= 0 ? i : KINDS.length;
};

const TRACE_BYTES = TRACE_COLUMNS.length * 8;
const SPAN_BYTES = 8 + SPAN_COLUMNS.length * 8;

function writeColumns(buf: Buffer, offset: number, summary: object, columns: readonly string[]): void {
  const s = summary as Record<string, unknown>;
  columns.forEach((c, i) => {
    const v = c === "kindCode" ? kindCode(String(s.kind)) : s[c];
    buf.writeDoubleLE(typeof v === "number" && Number.isFinite(v) ? v : NaN, offset + i * 8);
  });
}

/**
 * One trace's numbers in one value, so a list reads one entry per trace: the trace's
 * columns, then for each span its 8-byte id and its columns.
 */
function encodeBlob(trace: TraceSummary, spans: SpanSummary[]): Buffer {
  const buf = Buffer.alloc(TRACE_BYTES + spans.length * SPAN_BYTES);
  writeColumns(buf, 0, trace, TRACE_COLUMNS);
  spans.forEach((s, i) => {
    const off = TRACE_BYTES + i * SPAN_BYTES;
    buf.write(s.spanId.padStart(16, "0").slice(-16), off, 8, "hex");
    writeColumns(buf, off + 8, s, SPAN_COLUMNS);
  });
  return buf;
}

function col(buf: Buffer, i: number, offset = 0): number | undefined {
  const v = buf.readDoubleLE(offset + i * 8);
  return Number.isNaN(v) ? undefined : v;
}

/** Kind, time, status and numeric filters, read from the columns only. */
function columnsMatch(buf: Buffer, q: Query, columns: readonly string[], what: "span" | "trace", offset = 0): boolean {
  if (q.kinds) {
    const kind = KINDS[col(buf, 3, offset) ?? KINDS.length] ?? "SPAN";
    if (!q.kinds.includes(kind)) return false;
  }
  if (q.sinceMs !== undefined && (col(buf, 0, offset) ?? 0) < q.sinceMs) return false;
  if (q.status !== undefined) {
    const code = what === "trace" ? ((col(buf, 2, offset) ?? 0) > 0 ? 2 : 1) : (col(buf, 2, offset) ?? 0);
    if (q.status === "error" ? code !== 2 : q.status === "ok" ? code === 2 : code !== 0) return false;
  }
  for (const f of q.filters) {
    if (f.attribute) continue;
    const i = columns.indexOf(f.field);
    const v = i >= 0 ? col(buf, i, offset) : undefined;
    if (v === undefined || !compare(v, f.op, f.value)) return false;
  }
  return true;
}
