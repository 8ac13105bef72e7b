/** Terminal output of the CLI: tables, the trace tree, one span's views. Span text is always escaped (trace-model/escape). */
import { Attr } from "../semconv";
import {
  errorText,
  formatCost,
  formatDuration,
  formatTokenCount,
  formatTokens,
  kindOf,
  messagesOf,
  plural,
  runLabel,
  safeLine,
  safeText,
  TOKENS_ESTIMATED_ATTR,
  traceHeader,
  treeLines,
  type Message,
  type Paint,
  type SpanRecord,
  type SpanSummary,
  type TraceSummary,
} from "../trace-model";
import { renderTable, type Cell, type Column } from "./table";

/** How output looks: colours and the width tables must fit (Infinity: print whole). */
export interface View {
  paint: Paint;
  width: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A start time in a narrow table: the time of day when it is today, else month, day and minutes. */
function shortTime(ms: number, now = new Date()): string {
  const d = new Date(ms);
  const today = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return today ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const startedCell = (ms: number): Cell => ({ text: formatTime(ms), short: shortTime(ms) });
/** Ids shortened in narrow tables keep enough characters to stay unique in practice; commands take prefixes. */
const idCell = (id: string, keep: number): Cell => ({ text: id, short: id.slice(0, keep) });

export function traceTable(traces: TraceSummary[], view: View): string {
  const p = view.paint;
  const columns: Column[] = [
    { header: "TRACE" },
    { header: "STARTED", dropOrder: 1 },
    { header: "NAME", cutTo: 12, paint: (s, i) => s.replace(/^\S+/, (k) => p.kind(traces[i]!.kind, k)) },
    { header: "AGENT", cutTo: 8, dropOrder: 4 },
    { header: "SESSION", cutTo: 8, dropOrder: 3 },
    { header: "SPANS", dropOrder: 5 },
    { header: "DURATION" },
    { header: "TOKENS", dropOrder: 2 },
    { header: "COST" },
    { header: "STATUS", cutTo: 6, paint: (s, i) => (traces[i]!.errorCount ? p.red(s) : traces[i]!.complete ? s : p.dim(s)) },
  ];
  const rows = traces.map((t): Cell[] => [
    idCell(t.traceId, 12),
    startedCell(t.startTimeMs),
    `${t.kind} ${t.name}`,
    runLabel(t) ?? "-",
    t.sessionId ?? "-",
    String(t.spanCount),
    formatDuration(t.durationMs),
    formatTokenCount(t.tokensTotal, t.tokensEstimated),
    formatCost(t.costTotal, t.tokensEstimated),
    t.errorCount ? `✗ ${plural(t.errorCount, "error")}` : t.complete ? "ok" : "open",
  ]);
  return renderTable(columns, rows, view.width, p.dim);
}

export function spanTable(spans: SpanSummary[], view: View): string {
  const p = view.paint;
  const columns: Column[] = [
    { header: "TRACE" },
    { header: "SPAN" },
    { header: "KIND", paint: (s, i) => p.kind(spans[i]!.kind, s) },
    { header: "NAME", cutTo: 12 },
    { header: "STARTED", dropOrder: 2 },
    { header: "DURATION" },
    { header: "MODEL/TOOL", cutTo: 10, dropOrder: 3 },
    { header: "TOKENS", dropOrder: 1 },
    { header: "COST" },
    { header: "STATUS", cutTo: 6, paint: (s, i) => (spans[i]!.status === 2 ? p.red(s) : s) },
  ];
  const rows = spans.map((s): Cell[] => [
    idCell(s.traceId, 12),
    idCell(s.spanId, 8),
    s.kind,
    s.name,
    startedCell(s.startTimeMs),
    formatDuration(s.durationMs),
    s.model ?? s.toolName ?? "-",
    formatTokens(s.tokensPrompt, s.tokensCompletion, s.tokensTotal, s.tokensEstimated),
    formatCost(s.costTotal, s.tokensEstimated),
    s.status === 2 ? `✗ ${s.error ?? "error"}` : s.status === 1 ? "ok" : "-",
  ]);
  return renderTable(columns, rows, view.width, p.dim);
}

/** The trace as a tree: the header, who ran it, then one line per span. */
export function traceTree(summary: TraceSummary, records: SpanRecord[], view: View): string {
  const options = { paint: view.paint, startedAt: formatTime(summary.startTimeMs), openNote: view.paint.dim("(root span not received yet)"), spanIds: true };
  const lines = [traceHeader(summary, options)];
  const who = [
    summary.service && `service ${summary.service}`,
    summary.agentId && `agent ${summary.agentName ? `${summary.agentName} (${summary.agentId})` : summary.agentId}`,
    summary.sessionId && `session ${summary.sessionId}`,
    summary.userId && `user ${summary.userId}`,
  ].filter((x): x is string => !!x);
  if (who.length) lines.push(view.paint.dim(`  ${safeLine(who.join(" · "))}`));
  lines.push(...treeLines(records, options));
  return lines.join("\n");
}

/** One line per trace as `serve` prints arrivals. */
export function traceLine(t: TraceSummary, view: View): string {
  const p = view.paint;
  return [
    p.dim(formatTime(t.startTimeMs)),
    p.kind(t.kind, safeLine(t.kind)),
    safeLine(t.name),
    formatDuration(t.durationMs),
    plural(t.spanCount, "span"),
    t.tokensTotal !== undefined ? `${formatTokenCount(t.tokensTotal, t.tokensEstimated)} tokens` : "",
    t.costTotal !== undefined ? formatCost(t.costTotal, t.tokensEstimated) : "",
    t.errorCount ? p.red(`✗ ${safeLine(t.error ?? "error")}`) : "",
    p.dim(safeLine(t.traceId)),
  ]
    .filter(Boolean)
    .join("  ");
}

/** An attribute value as text: strings as they are, anything else as JSON. */
export function formatValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function spanHeader(r: SpanRecord, view: View): string[] {
  const p = view.paint;
  const a = r.attributes ?? {};
  const kind = kindOf(r);
  const status = r.status?.code === 2 ? p.red(`✗ ${safeLine(errorText(r) ?? "error")}`) : r.status?.code === 1 ? "ok" : "unset";
  const lines = [
    `${p.kind(kind, safeLine(kind))} ${p.bold(safeLine(r.name))}  ${formatDuration(r.durationMs)}  ${status}`,
    p.dim(safeLine(`trace ${r.traceId}  span ${r.spanId}${r.parentSpanId ? `  parent ${r.parentSpanId}` : ""}  started ${formatTime(r.startTimeMs)}`)),
  ];
  const estimated = a[TOKENS_ESTIMATED_ATTR] === true;
  const num = (k: string) => (typeof a[k] === "number" ? (a[k] as number) : undefined);
  const [prompt, completion, total] = [num(Attr.TOKEN_COUNT_PROMPT), num(Attr.TOKEN_COUNT_COMPLETION), num(Attr.TOKEN_COUNT_TOTAL)];
  const extra = [
    a[Attr.MODEL_NAME] !== undefined ? `model ${safeLine(String(a[Attr.MODEL_NAME]))}` : undefined,
    prompt !== undefined || completion !== undefined ? `tokens ${formatTokens(prompt, completion, total, estimated)}${estimated ? " (estimated)" : ""}` : undefined,
    num(Attr.COST_TOTAL) !== undefined
      ? `cost ${formatCost(num(Attr.COST_TOTAL), estimated)} (prompt ${formatCost(num(Attr.COST_PROMPT), estimated)}, completion ${formatCost(num(Attr.COST_COMPLETION), estimated)})`
      : undefined,
  ].filter(Boolean);
  if (extra.length) lines.push(extra.join("  "));
  return lines;
}

export function attributesView(r: SpanRecord, view: View): string {
  const lines = spanHeader(r, view);
  lines.push("");
  const keys = Object.keys(r.attributes ?? {}).sort();
  const res = Object.keys(r.resource ?? {}).sort();
  const width = Math.min(48, Math.max(0, ...[...keys, ...res].map((k) => safeLine(k).length)));
  const row = (k: string, v: unknown) => `${safeLine(k).padEnd(width)}  ${safeLine(formatValue(v))}`;
  for (const k of keys) lines.push(row(k, r.attributes[k]));
  if (res.length) {
    lines.push("", view.paint.dim("resource"));
    for (const k of res) lines.push(row(k, r.resource[k]));
  }
  return lines.join("\n");
}

function messageLines(m: Message, p: Paint): string[] {
  const who = m.role === "tool" ? `tool result${m.toolCallId ? ` (${m.toolCallId})` : ""}` : m.role;
  const lines = [p.bold(`[${safeLine(who + (m.name ? ` ${m.name}` : ""))}]`)];
  if (m.content !== undefined && m.content !== "") lines.push(...safeText(m.content).split("\n").map((l) => `  ${l}`));
  for (const part of m.parts) lines.push(`  ${p.dim(safeLine(part))}`);
  for (const tc of m.toolCalls) lines.push(`  → ${p.kind("TOOL", safeLine(`${tc.name ?? "?"}(${tc.arguments ?? ""})`))}${tc.id ? p.dim(`  id ${safeLine(tc.id)}`) : ""}`);
  return lines;
}

export function messagesView(r: SpanRecord, view: View): string {
  const lines = spanHeader(r, view);
  const input = messagesOf(r.attributes ?? {}, "input");
  const output = messagesOf(r.attributes ?? {}, "output");
  if (!input.length && !output.length) {
    lines.push("", view.paint.dim("this span has no llm.input_messages / llm.output_messages (try --view io)"));
    return lines.join("\n");
  }
  lines.push("", view.paint.dim("── input ──"));
  for (const m of input) lines.push(...messageLines(m, view.paint));
  lines.push("", view.paint.dim("── output ──"));
  for (const m of output) lines.push(...messageLines(m, view.paint));
  return lines.join("\n");
}

/** A value for reading: JSON pretty-printed (when it is JSON), text as it is, escaped either way. */
function pretty(value: unknown, mime: unknown): string {
  if (typeof value !== "string") return safeText(JSON.stringify(value, null, 2));
  if (mime === "application/json" || /^\s*[[{]/.test(value)) {
    try {
      return safeText(JSON.stringify(JSON.parse(value), null, 2));
    } catch {
      /* not JSON after all */
    }
  }
  return safeText(value);
}

export function ioView(r: SpanRecord, view: View): string {
  const a = r.attributes ?? {};
  const lines = spanHeader(r, view);
  lines.push("", view.paint.dim("── input ──"));
  lines.push(a[Attr.INPUT_VALUE] !== undefined ? pretty(a[Attr.INPUT_VALUE], a[Attr.INPUT_MIME_TYPE]) : view.paint.dim("(none)"));
  lines.push("", view.paint.dim("── output ──"));
  lines.push(a[Attr.OUTPUT_VALUE] !== undefined ? pretty(a[Attr.OUTPUT_VALUE], a[Attr.OUTPUT_MIME_TYPE]) : view.paint.dim("(none)"));
  return lines.join("\n");
}

export function eventsView(r: SpanRecord, view: View): string {
  const p = view.paint;
  const lines = spanHeader(r, view);
  lines.push("");
  if (!r.events?.length) lines.push(p.dim("(no events)"));
  for (const e of r.events ?? []) {
    const name = safeLine(e.name);
    lines.push(`${formatTime(e.timeMs)}  ${e.name === "exception" ? p.red(name) : p.bold(name)}`);
    for (const [k, v] of Object.entries(e.attributes ?? {})) lines.push(`  ${safeLine(k)}: ${safeText(formatValue(v)).split("\n").join("\n    ")}`);
  }
  return lines.join("\n");
}
