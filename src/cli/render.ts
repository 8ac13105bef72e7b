/** Terminal output of the CLI: tables, the trace tree, one span's views. */
import type { SpanRecord } from "../export/span-json";
import { Attr } from "../semconv";
import { errorText, messagesOf, rootOf, type Message, type SpanSummary, type TraceSummary } from "../local/summary";

let colorOn = false;
export function setColor(on: boolean): void {
  colorOn = on;
}
const paint = (code: string, s: string) => (colorOn ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = (s: string) => paint("2", s);
export const bold = (s: string) => paint("1", s);
export const red = (s: string) => paint("31", s);
const KIND_COLOR: Record<string, string> = { AGENT: "35", LLM: "36", TOOL: "33", CHAIN: "34", RETRIEVER: "32", EMBEDDING: "32" };
export const kindLabel = (kind: string, width = 0) => paint(KIND_COLOR[kind] ?? "0", width ? kind.padEnd(width) : kind);

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatCost(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return "-";
  if (usd === 0) return "$0";
  if (usd < 0.0001) return `$${usd.toFixed(Math.min(12, 1 - Math.floor(Math.log10(usd))))}`;
  if (usd < 1) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(p?: number, c?: number, t?: number): string {
  if (p === undefined && c === undefined && t === undefined) return "-";
  return `${p ?? "?"}→${c ?? "?"}${t !== undefined ? ` (${t})` : ""}`;
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

/** A plain aligned table; `cells` may contain colour codes. */
export function table(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  const clip = (s: string, i: number) => {
    const max = maxWidths[i];
    const v = visible(s);
    return max && v.length > max ? v.slice(0, max - 1) + "…" : s;
  };
  const cells = rows.map((r) => r.map(clip));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visible(r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(Math.max(0, widths[i]! - visible(c).length))))
      .join("  ")
      .trimEnd();
  return [dim(line(headers)), ...cells.map(line)].join("\n");
}

export function traceTable(traces: TraceSummary[]): string {
  return table(
    ["TRACE", "STARTED", "NAME", "AGENT", "SESSION", "SPANS", "DURATION", "TOKENS", "COST", "STATUS"],
    traces.map((t) => [
      t.traceId,
      formatTime(t.startTimeMs),
      `${kindLabel(t.kind)} ${t.name}`,
      t.agentName ?? t.agentId ?? "-",
      t.sessionId ?? "-",
      String(t.spanCount),
      formatDuration(t.durationMs),
      t.tokensTotal !== undefined ? String(t.tokensTotal) : "-",
      formatCost(t.costTotal),
      t.errorCount ? red(`✗ ${t.errorCount} error${t.errorCount > 1 ? "s" : ""}`) : t.complete ? "ok" : dim("open"),
    ]),
    [32, 19, 40, 24, 28],
  );
}

export function spanTable(spans: SpanSummary[]): string {
  return table(
    ["TRACE", "SPAN", "KIND", "NAME", "STARTED", "DURATION", "MODEL/TOOL", "TOKENS", "COST", "STATUS"],
    spans.map((s) => [
      s.traceId,
      s.spanId,
      kindLabel(s.kind),
      s.name,
      formatTime(s.startTimeMs),
      formatDuration(s.durationMs),
      s.model ?? s.toolName ?? "-",
      formatTokens(s.tokensPrompt, s.tokensCompletion, s.tokensTotal),
      formatCost(s.costTotal),
      s.status === 2 ? red(`✗ ${s.error ?? "error"}`) : s.status === 1 ? "ok" : "-",
    ]),
    [32, 16, 9, 40, 19, 9, 28, 24, 10, 60],
  );
}

function spanLine(r: SpanRecord): string {
  const a = r.attributes ?? {};
  const kind = String(a[Attr.SPAN_KIND] ?? "SPAN").toUpperCase();
  const parts = [kindLabel(kind, 9), bold(r.name), formatDuration(r.durationMs)];
  const model = a[Attr.MODEL_NAME] ?? a[Attr.EMBEDDING_MODEL_NAME];
  if (model !== undefined) parts.push(String(model));
  const p = a[Attr.TOKEN_COUNT_PROMPT] as number | undefined;
  const c = a[Attr.TOKEN_COUNT_COMPLETION] as number | undefined;
  const t = a[Attr.TOKEN_COUNT_TOTAL] as number | undefined;
  if (p !== undefined || c !== undefined || t !== undefined) parts.push(`tokens ${formatTokens(p, c, t)}`);
  if (a[Attr.COST_TOTAL] !== undefined) parts.push(formatCost(Number(a[Attr.COST_TOTAL])));
  if (kind === "LLM") {
    // the tools the model asked for (tool.name on an LLM span says the same)
    const calls = messagesOf(a, "output").flatMap((m) => m.toolCalls.map((tc) => tc.name).filter(Boolean));
    if (!calls.length && a[Attr.TOOL_NAME] !== undefined) calls.push(String(a[Attr.TOOL_NAME]));
    if (calls.length) parts.push(`→ calls ${calls.join(", ")}`);
  } else if (a[Attr.TOOL_NAME] !== undefined && (kind !== "TOOL" || a[Attr.TOOL_NAME] !== r.name)) parts.push(`tool=${a[Attr.TOOL_NAME]}`);
  if (kind === "AGENT" && a[Attr.AGENT_ID] !== undefined) parts.push(dim(`agent.id=${a[Attr.AGENT_ID]}`));
  if (kind === "AGENT" && a[Attr.SESSION_ID] !== undefined) parts.push(dim(`session.id=${a[Attr.SESSION_ID]}`));
  if (r.status?.code === 2) parts.push(red(`✗ ${errorText(r)}`));
  parts.push(dim(r.spanId));
  return parts.join("  ");
}

/** The trace as a tree: children under their parent, ordered by start time. */
export function traceTree(summary: TraceSummary, records: SpanRecord[]): string {
  const ids = new Set(records.map((r) => r.spanId));
  const children = new Map<string | undefined, SpanRecord[]>();
  for (const r of records) {
    const parent = r.parentSpanId && ids.has(r.parentSpanId) ? r.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(r);
    children.set(parent, list);
  }
  // start times often have millisecond resolution: on a tie, the span that ended first goes first
  for (const list of children.values()) list.sort((x, y) => x.startTimeMs - y.startTimeMs || x.endTimeMs - y.endTimeMs);
  const head = [
    `trace ${summary.traceId}`,
    formatTime(summary.startTimeMs),
    formatDuration(summary.durationMs),
    `${summary.spanCount} span${summary.spanCount === 1 ? "" : "s"}`,
  ];
  if (summary.llmCalls) head.push(`${summary.llmCalls} LLM call${summary.llmCalls === 1 ? "" : "s"}`);
  if (summary.tokensTotal !== undefined) head.push(`${summary.tokensTotal} tokens`);
  if (summary.costTotal !== undefined) head.push(formatCost(summary.costTotal));
  if (summary.errorCount) head.push(red(`${summary.errorCount} error${summary.errorCount > 1 ? "s" : ""}`));
  if (!summary.complete) head.push(dim("(root span not received yet)"));
  const lines = [bold(`◆ ${head.join(" · ")}`)];
  const who = [
    summary.service && `service ${summary.service}`,
    summary.agentId && `agent ${summary.agentName ? `${summary.agentName} (${summary.agentId})` : summary.agentId}`,
    summary.sessionId && `session ${summary.sessionId}`,
    summary.userId && `user ${summary.userId}`,
  ].filter(Boolean);
  if (who.length) lines.push(dim(`  ${who.join(" · ")}`));
  const walk = (r: SpanRecord, prefix: string, last: boolean, top: boolean) => {
    lines.push(`${prefix}${top ? "" : last ? "└─ " : "├─ "}${spanLine(r)}`);
    const kids = children.get(r.spanId) ?? [];
    kids.forEach((k, i) => walk(k, top ? prefix : prefix + (last ? "   " : "│  "), i === kids.length - 1, false));
  };
  const roots = children.get(undefined) ?? [];
  roots.forEach((r, i) => walk(r, "", i === roots.length - 1, true));
  return lines.join("\n");
}

export function formatValue(v: unknown): string {
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function spanHeader(r: SpanRecord): string[] {
  const a = r.attributes ?? {};
  const kind = String(a[Attr.SPAN_KIND] ?? "SPAN").toUpperCase();
  const lines = [
    `${kindLabel(kind)} ${bold(r.name)}  ${formatDuration(r.durationMs)}  ${r.status?.code === 2 ? red(`✗ ${errorText(r)}`) : r.status?.code === 1 ? "ok" : "unset"}`,
    dim(`trace ${r.traceId}  span ${r.spanId}${r.parentSpanId ? `  parent ${r.parentSpanId}` : ""}  started ${formatTime(r.startTimeMs)}`),
  ];
  const p = a[Attr.TOKEN_COUNT_PROMPT] as number | undefined;
  const c = a[Attr.TOKEN_COUNT_COMPLETION] as number | undefined;
  const t = a[Attr.TOKEN_COUNT_TOTAL] as number | undefined;
  const extra = [
    a[Attr.MODEL_NAME] !== undefined ? `model ${a[Attr.MODEL_NAME]}` : undefined,
    p !== undefined || c !== undefined ? `tokens ${formatTokens(p, c, t)}` : undefined,
    a[Attr.COST_TOTAL] !== undefined
      ? `cost ${formatCost(Number(a[Attr.COST_TOTAL]))} (prompt ${formatCost(Number(a[Attr.COST_PROMPT]))}, completion ${formatCost(Number(a[Attr.COST_COMPLETION]))})`
      : undefined,
  ].filter(Boolean);
  if (extra.length) lines.push(extra.join("  "));
  return lines;
}

export function attributesView(r: SpanRecord): string {
  const lines = spanHeader(r);
  lines.push("");
  const keys = Object.keys(r.attributes ?? {}).sort();
  const width = Math.min(48, Math.max(0, ...keys.map((k) => k.length)));
  for (const k of keys) lines.push(`${k.padEnd(width)}  ${formatValue(r.attributes[k])}`);
  const res = Object.keys(r.resource ?? {}).sort();
  if (res.length) {
    lines.push("", dim("resource"));
    for (const k of res) lines.push(`${k.padEnd(width)}  ${formatValue(r.resource[k])}`);
  }
  return lines.join("\n");
}

function messageLines(m: Message): string[] {
  const who = m.role === "tool" ? `tool result${m.toolCallId ? ` (${m.toolCallId})` : ""}` : m.role;
  const lines = [bold(`[${who}${m.name ? ` ${m.name}` : ""}]`)];
  if (m.content !== undefined && m.content !== "") lines.push(...m.content.split("\n").map((l) => `  ${l}`));
  for (const p of m.parts) lines.push(`  ${dim(p)}`);
  for (const tc of m.toolCalls) lines.push(`  → ${paint("33", `${tc.name ?? "?"}(${tc.arguments ?? ""})`)}${tc.id ? dim(`  id ${tc.id}`) : ""}`);
  return lines;
}

export function messagesView(r: SpanRecord): string {
  const lines = spanHeader(r);
  const input = messagesOf(r.attributes ?? {}, "input");
  const output = messagesOf(r.attributes ?? {}, "output");
  if (!input.length && !output.length) {
    lines.push("", dim("this span has no llm.input_messages / llm.output_messages (try --view io)"));
    return lines.join("\n");
  }
  lines.push("", dim("── input ──"));
  for (const m of input) lines.push(...messageLines(m));
  lines.push("", dim("── output ──"));
  for (const m of output) lines.push(...messageLines(m));
  return lines.join("\n");
}

function pretty(value: unknown, mime: unknown): string {
  if (typeof value !== "string") return formatValue(value);
  if (mime === "application/json" || /^\s*[[{]/.test(value)) {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      /* not JSON after all */
    }
  }
  return value;
}

export function ioView(r: SpanRecord): string {
  const a = r.attributes ?? {};
  const lines = spanHeader(r);
  lines.push("", dim("── input ──"));
  lines.push(a[Attr.INPUT_VALUE] !== undefined ? pretty(a[Attr.INPUT_VALUE], a[Attr.INPUT_MIME_TYPE]) : dim("(none)"));
  lines.push("", dim("── output ──"));
  lines.push(a[Attr.OUTPUT_VALUE] !== undefined ? pretty(a[Attr.OUTPUT_VALUE], a[Attr.OUTPUT_MIME_TYPE]) : dim("(none)"));
  return lines.join("\n");
}

export function eventsView(r: SpanRecord): string {
  const lines = spanHeader(r);
  lines.push("");
  if (!r.events?.length) lines.push(dim("(no events)"));
  for (const e of r.events ?? []) {
    lines.push(`${formatTime(e.timeMs)}  ${e.name === "exception" ? red(e.name) : bold(e.name)}`);
    for (const [k, v] of Object.entries(e.attributes ?? {})) lines.push(`  ${k}: ${formatValue(v).split("\n").join("\n    ")}`);
  }
  return lines.join("\n");
}

export { rootOf };
