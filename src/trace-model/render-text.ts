/**
 * A trace as text for a terminal: the header line and the tree, one line per span. The console
 * sink (src/export/local-sink.ts) and the CLI (`trace get`, `tail`) print the same thing.
 */
import { Attr } from "../semconv";
import { END_REASON_ATTR } from "../util/fault";
import { safeLine } from "./escape";
import { formatCost, formatDuration, formatTokenCount, formatTokens, plural } from "./format";
import { calledTools } from "./messages";
import { TOKENS_ESTIMATED_ATTR, type SpanRecord } from "./span-record";
import { errorText, type TraceSummary } from "./summary";
import { treeRows } from "./tree";

/** Terminal styling; `plainText` when colours are off. */
export interface Paint {
  kind(kind: string, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
}

const KIND_COLOR: Record<string, string> = { AGENT: "35", LLM: "36", TOOL: "33", CHAIN: "34", RETRIEVER: "32", EMBEDDING: "32" };
const sgr = (code: string, s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const plainText: Paint = { kind: (_k, s) => s, bold: (s) => s, dim: (s) => s, red: (s) => s };
export const ansiColors: Paint = {
  kind: (k, s) => (KIND_COLOR[k] ? sgr(KIND_COLOR[k], s) : s),
  bold: (s) => sgr("1", s),
  dim: (s) => sgr("2", s),
  red: (s) => sgr("31", s),
};

export const kindOf = (r: SpanRecord): string => String(r.attributes?.[Attr.SPAN_KIND] ?? "SPAN").toUpperCase();
const text = (v: unknown) => safeLine(String(v));
const numberOrUndefined = (v: unknown) => (typeof v === "number" ? v : undefined);

/** What one span line says after the kind and name. */
export function spanFacts(r: SpanRecord, paint: Paint): string[] {
  const a = r.attributes ?? {};
  const kind = kindOf(r);
  const parts = [paint.dim(formatDuration(r.durationMs))];
  const model = a[Attr.MODEL_NAME] ?? a[Attr.EMBEDDING_MODEL_NAME];
  if (model !== undefined) parts.push(text(model));
  const estimated = a[TOKENS_ESTIMATED_ATTR] === true;
  const p = numberOrUndefined(a[Attr.TOKEN_COUNT_PROMPT]);
  const c = numberOrUndefined(a[Attr.TOKEN_COUNT_COMPLETION]);
  const t = numberOrUndefined(a[Attr.TOKEN_COUNT_TOTAL]);
  if (p !== undefined || c !== undefined || t !== undefined) parts.push(`tokens ${formatTokens(p, c, t, estimated)}`);
  if (typeof a[Attr.COST_TOTAL] === "number") parts.push(formatCost(a[Attr.COST_TOTAL] as number, estimated));
  const toolName = a[Attr.TOOL_NAME];
  if (kind === "LLM") {
    const calls = calledTools(a);
    if (calls.length) parts.push(`→ calls ${calls.map(text).join(", ")}`);
  } else if (toolName !== undefined && (kind !== "TOOL" || toolName !== r.name)) parts.push(`tool=${text(toolName)}`);
  if (kind === "AGENT" && a[Attr.AGENT_ID] !== undefined) parts.push(paint.dim(`agent.id=${text(a[Attr.AGENT_ID])}`));
  if (kind === "AGENT" && a[Attr.SESSION_ID] !== undefined) parts.push(paint.dim(`session=${text(a[Attr.SESSION_ID])}`));
  if (r.status?.code === 2) parts.push(paint.red(`✗ ${text(errorText(r))}`));
  // ended by us because the process was ending under it (endOpenSpans in src/export/pipeline.ts)
  if (typeof a[END_REASON_ATTR] === "string") parts.push(paint.red(`⚠ cut short (${text(a[END_REASON_ATTR])})`));
  return parts;
}

export interface TreeTextOptions {
  paint: Paint;
  /** Characters of the trace id in the header (the console shows 16, the CLI all 32). */
  traceIdLength?: number;
  /** The trace's start time, already formatted, for the header. */
  startedAt?: string;
  /** Printed after the header when the trace's root span has not arrived. */
  openNote?: string;
  /** End each span line with its id (the CLI: for `span get`). */
  spanIds?: boolean;
}

/** "◆ trace 8771e51c… · 85ms · 4 spans · 2 LLM calls · 205 tokens · $0.000054". */
export function traceHeader(t: TraceSummary, o: TreeTextOptions): string {
  const head = [`trace ${text(t.traceId.slice(0, o.traceIdLength ?? t.traceId.length))}`];
  if (o.startedAt) head.push(o.startedAt);
  head.push(formatDuration(t.durationMs), plural(t.spanCount, "span"));
  if (t.llmCalls) head.push(plural(t.llmCalls, "LLM call"));
  if (t.tokensTotal !== undefined) head.push(`${formatTokenCount(t.tokensTotal, t.tokensEstimated)} tokens`);
  if (t.costTotal !== undefined) head.push(formatCost(t.costTotal, t.tokensEstimated));
  if (t.errorCount) head.push(plural(t.errorCount, "error"));
  if (!t.complete && o.openNote) head.push(o.openNote);
  return o.paint.bold(`◆ ${head.join(" · ")}`);
}

/**
 * One line per span under its parent. The kind column is as wide as the deepest guide plus the
 * longest kind, so every span's name starts in the same column whatever its depth.
 */
export function treeLines(records: SpanRecord[], o: TreeTextOptions): string[] {
  const rows = treeRows(records);
  const kindWidth = Math.max(0, ...rows.map((r) => r.guide.length + kindOf(r.span).length));
  return rows.map(({ span, guide }) => {
    const kind = kindOf(span);
    const label = o.paint.kind(kind, text(kind)) + " ".repeat(kindWidth - guide.length - kind.length);
    const parts = [`${guide}${label}`, o.paint.bold(text(span.name)), ...spanFacts(span, o.paint)];
    if (o.spanIds) parts.push(o.paint.dim(text(span.spanId)));
    return parts.join("  ");
  });
}
