/**
 * The filter language shared by the CLI, the web view's API and `tail`:
 *   --kind LLM,TOOL                        span kind (for traces: the root span's kind)
 *   --metadata key=value  (value* = prefix) any attribute (or resource attribute) of a span
 *   --filter "cost_total>0.05"             numeric comparisons, several joined by "," or "and"
 *   --sort cost_total --order desc --limit 20 --since 1h --status error --name lookup
 */
import type { SpanSummary, TraceSummary } from "../trace-model/summary";

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

export type Op = ">" | ">=" | "<" | "<=" | "=" | "!=";
export interface NumericFilter {
  /** A summary field, or (span lists only) a dotted attribute key. */
  field: string;
  attribute?: string;
  op: Op;
  value: number;
  text: string;
}
export interface MetadataFilter {
  key: string;
  value: string;
  /** `value*`: the attribute starts with `value`. */
  prefix: boolean;
}
export interface Query {
  kinds?: string[];
  metadata: MetadataFilter[];
  filters: NumericFilter[];
  name?: string;
  status?: "error" | "ok" | "unset";
  sinceMs?: number;
  sort: string;
  order: "asc" | "desc";
  /** 0 = no limit. */
  limit: number;
  /** Span lists: only this trace. */
  traceId?: string;
}

export const KINDS = ["AGENT", "LLM", "TOOL", "CHAIN", "RETRIEVER", "EMBEDDING", "RERANKER", "GUARDRAIL", "EVALUATOR", "PROMPT", "SPAN"];

const COMMON_FIELDS: Record<string, string> = {
  duration: "durationMs",
  duration_ms: "durationMs",
  latency: "durationMs",
  start_time: "startTimeMs",
  tokens_prompt: "tokensPrompt",
  prompt_tokens: "tokensPrompt",
  input_tokens: "tokensPrompt",
  tokens_completion: "tokensCompletion",
  completion_tokens: "tokensCompletion",
  output_tokens: "tokensCompletion",
  tokens_total: "tokensTotal",
  total_tokens: "tokensTotal",
  tokens: "tokensTotal",
  cost_prompt: "costPrompt",
  cost_completion: "costCompletion",
  cost_total: "costTotal",
  cost: "costTotal",
};
export const SPAN_FIELDS: Record<string, string> = { ...COMMON_FIELDS, name: "name", kind: "kind" };
export const TRACE_FIELDS: Record<string, string> = {
  ...COMMON_FIELDS,
  name: "name",
  kind: "kind",
  spans: "spanCount",
  span_count: "spanCount",
  llm_calls: "llmCalls",
  tool_calls: "toolCalls",
  errors: "errorCount",
  error_count: "errorCount",
};
const NUMERIC_FIELD_NAMES = (table: Record<string, string>) => Object.keys(table).filter((k) => k !== "name" && k !== "kind");

const DURATION_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

function parseNumber(field: string, raw: string, expr: string): number {
  let text = raw.trim().replace(/^\$/, "");
  let scale = 1;
  const unit = /^([-+]?[\d.]+(?:e[-+]?\d+)?)\s*([a-z]+)$/i.exec(text);
  if (unit) {
    const factor = DURATION_UNITS[unit[2]!.toLowerCase()];
    if (factor === undefined || !/duration|latency/.test(field)) {
      throw new QueryError(`--filter "${expr}": "${raw}" is not a number${/duration|latency/.test(field) ? " (units: us, ms, s, m, h)" : ""}`);
    }
    text = unit[1]!;
    scale = factor;
  }
  const n = Number(text);
  if (text === "" || !Number.isFinite(n)) throw new QueryError(`--filter "${expr}": "${raw}" is not a number`);
  return n * scale;
}

/** Parse one or more `--filter` expressions. */
export function parseFilters(exprs: string[], table: Record<string, string>, allowAttributes: boolean): NumericFilter[] {
  const out: NumericFilter[] = [];
  for (const whole of exprs) {
    for (const expr of whole.split(/\s*,\s*|\s+and\s+/i).filter((e) => e.trim() !== "")) {
      const m = /^\s*([A-Za-z_][\w.\-/]*)\s*(>=|<=|!=|==|=|>|<)\s*(.+?)\s*$/.exec(expr);
      if (!m) {
        throw new QueryError(`--filter "${expr}": expected <field><op><number>, e.g. "cost_total>0.05" or "duration>=2s" (ops: > >= < <= = !=)`);
      }
      const name = m[1]!.toLowerCase();
      const op = (m[2] === "==" ? "=" : m[2]) as Op;
      const field = table[name];
      if (field && field !== "name" && field !== "kind") {
        out.push({ field, op, value: parseNumber(name, m[3]!, expr), text: expr.trim() });
      } else if (allowAttributes && m[1]!.includes(".")) {
        out.push({ field: m[1]!, attribute: m[1]!, op, value: parseNumber(m[1]!, m[3]!, expr), text: expr.trim() });
      } else {
        throw new QueryError(
          `--filter "${expr}": unknown field "${m[1]}". Fields: ${NUMERIC_FIELD_NAMES(table).join(", ")}` +
            (allowAttributes ? ", or a numeric attribute key such as llm.token_count.prompt" : ""),
        );
      }
    }
  }
  return out;
}

export function parseMetadata(items: string[]): MetadataFilter[] {
  return items.map((item) => {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new QueryError(`--metadata "${item}": expected key=value, e.g. --metadata "tool.name=lookup_order"`);
    const key = item.slice(0, eq).trim();
    let value = item.slice(eq + 1).trim();
    if (!key) throw new QueryError(`--metadata "${item}": the key is empty`);
    let prefix = false;
    if (value.endsWith("*") && !value.endsWith("\\*")) {
      prefix = true;
      value = value.slice(0, -1);
    } else value = value.replace(/\\\*$/, "*");
    return { key, value, prefix };
  });
}

export function parseKinds(items: string[]): string[] | undefined {
  const kinds = items.flatMap((k) => k.split(",")).map((k) => k.trim().toUpperCase()).filter(Boolean);
  if (!kinds.length) return undefined;
  for (const k of kinds) if (!KINDS.includes(k)) throw new QueryError(`--kind ${k}: unknown span kind. Kinds: ${KINDS.join(", ")}`);
  return kinds;
}

/** "30m", "2h", "1d", "45s" ago, or an ISO date/time. */
export function parseSince(raw: string, now = Date.now()): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(raw.trim());
  if (m) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2]!.toLowerCase() as "s"]!;
    return now - Number(m[1]) * unit;
  }
  const t = Date.parse(raw);
  if (!Number.isFinite(t)) throw new QueryError(`--since "${raw}": expected a duration like 30m, 2h, 1d or a date like 2026-01-31T12:00`);
  return t;
}

export function parseSort(raw: string | undefined, table: Record<string, string>, allowAttributes = false): string {
  if (raw === undefined) return "startTimeMs";
  const field = table[raw.toLowerCase()];
  if (field) return field;
  if (allowAttributes && raw.includes(".")) return `attr:${raw}`;
  throw new QueryError(`--sort ${raw}: unknown field. Fields: ${Object.keys(table).join(", ")}`);
}

export function parseOrder(raw: string | undefined): "asc" | "desc" {
  if (raw === undefined) return "desc";
  const v = raw.toLowerCase();
  if (v !== "asc" && v !== "desc") throw new QueryError(`--order ${raw}: expected asc or desc`);
  return v;
}

export function parseLimit(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (raw === "all") return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new QueryError(`--limit ${raw}: expected a whole number (0 or "all" for no limit)`);
  return n;
}

export function parseStatus(raw: string | undefined): Query["status"] {
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (v !== "error" && v !== "ok" && v !== "unset") throw new QueryError(`--status ${raw}: expected error, ok or unset`);
  return v;
}

export interface RawQuery {
  kind?: string[];
  metadata?: string[];
  filter?: string[];
  name?: string;
  status?: string;
  since?: string;
  sort?: string;
  order?: string;
  limit?: string;
}

export function buildQuery(raw: RawQuery, target: "spans" | "traces", defaultLimit = 50): Query {
  const table = target === "spans" ? SPAN_FIELDS : TRACE_FIELDS;
  const attrs = target === "spans";
  return {
    kinds: parseKinds(raw.kind ?? []),
    metadata: parseMetadata(raw.metadata ?? []),
    filters: parseFilters(raw.filter ?? [], table, attrs),
    name: raw.name,
    status: parseStatus(raw.status),
    sinceMs: raw.since !== undefined ? parseSince(raw.since) : undefined,
    sort: parseSort(raw.sort, table, attrs),
    order: parseOrder(raw.order),
    limit: parseLimit(raw.limit, defaultLimit),
  };
}

export function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "=":
      return Math.abs(a - b) < 1e-12;
    case "!=":
      return Math.abs(a - b) >= 1e-12;
  }
}

const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/** The summary-level part of a query (everything but metadata and attribute filters). */
export function matchesSummary(s: SpanSummary | TraceSummary, q: Query): boolean {
  if (q.kinds && !q.kinds.includes(s.kind)) return false;
  if (q.sinceMs !== undefined && s.startTimeMs < q.sinceMs) return false;
  if (q.name !== undefined && !s.name.toLowerCase().includes(q.name.toLowerCase())) return false;
  if (q.status !== undefined) {
    const code = "errorCount" in s ? (s.errorCount > 0 ? 2 : 1) : s.status;
    if (q.status === "error" ? code !== 2 : q.status === "ok" ? code === 2 : code !== STATUS_CODE.unset) return false;
  }
  for (const f of q.filters) {
    if (f.attribute) continue;
    const v = (s as unknown as Record<string, unknown>)[f.field];
    if (typeof v !== "number" || !compare(v, f.op, f.value)) return false;
  }
  return true;
}

/** Does one attribute value satisfy a metadata filter (arrays: any element)? */
export function metadataValueMatches(v: unknown, f: MetadataFilter): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => metadataValueMatches(x, f));
  const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return f.prefix ? text.startsWith(f.value) : text === f.value;
}

/**
 * Sort by `q.sort` (missing values last), then limit. Equal values keep one order whatever the
 * filters: `tiebreak` decides, else the order the items came in.
 */
export function sortAndLimit<T>(
  items: T[],
  q: Query,
  valueOf: (item: T, field: string) => unknown = (i, f) => (i as Record<string, unknown>)[f],
  tiebreak: (x: T, y: T) => number = () => 0,
): T[] {
  const dir = q.order === "asc" ? 1 : -1;
  const decorated = items.map((item) => ({ item, v: valueOf(item, q.sort) }));
  const byValue = (a: unknown, b: unknown): number => {
    const missingA = a === undefined || a === null;
    const missingB = b === undefined || b === null;
    if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1; // missing values last
    if (typeof a === "number" && typeof b === "number") return (a - b) * dir;
    return String(a).localeCompare(String(b)) * dir;
  };
  decorated.sort((x, y) => byValue(x.v, y.v) || tiebreak(x.item, y.item));
  const sorted = decorated.map((d) => d.item);
  return q.limit > 0 ? sorted.slice(0, q.limit) : sorted;
}
