/**
 * Compact summaries of spans and traces (what lists, filters and sorting work on), and
 * the conversation of an LLM span rebuilt from its flattened OpenInference message keys.
 */
import type { SpanRecord } from "../export/span-json";
import { Attr } from "../semconv";

export interface SpanSummary {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  /** The parent is in another process (a distributed trace): this span is the local root. */
  remoteParent?: boolean;
  name: string;
  /** openinference.span.kind, or "SPAN" for spans without one. */
  kind: string;
  startTimeMs: number;
  durationMs: number;
  /** 0 unset, 1 ok, 2 error. */
  status: number;
  error?: string;
  model?: string;
  toolName?: string;
  tokensPrompt?: number;
  tokensCompletion?: number;
  tokensTotal?: number;
  costPrompt?: number;
  costCompletion?: number;
  costTotal?: number;
  agentId?: string;
  agentName?: string;
  sessionId?: string;
  userId?: string;
  service?: string;
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name and kind. */
  name: string;
  kind: string;
  startTimeMs: number;
  endTimeMs: number;
  durationMs: number;
  spanCount: number;
  llmCalls: number;
  toolCalls: number;
  errorCount: number;
  error?: string;
  tokensPrompt?: number;
  tokensCompletion?: number;
  tokensTotal?: number;
  costPrompt?: number;
  costCompletion?: number;
  costTotal?: number;
  agentId?: string;
  agentName?: string;
  sessionId?: string;
  userId?: string;
  service?: string;
  models: string[];
  tools: string[];
  /** The local root span (no parent) has arrived. */
  complete: boolean;
  /** When the store last changed this trace (ms since epoch). */
  updatedAt: number;
}

const str = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));
const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** The error text of a failed span: its status message, else the exception event's message. */
export function errorText(r: SpanRecord): string | undefined {
  if (r.status?.code !== 2) return undefined;
  const ex = r.events?.find((e) => e.name === "exception");
  const type = str(ex?.attributes?.["exception.type"]);
  const message = r.status.message || str(ex?.attributes?.["exception.message"]);
  if (type && message && !message.startsWith(type)) return `${type}: ${message}`;
  return message ?? type ?? "error";
}

export function summarizeSpan(r: SpanRecord): SpanSummary {
  const a = r.attributes ?? {};
  const s: SpanSummary = {
    traceId: r.traceId,
    spanId: r.spanId,
    name: r.name,
    kind: str(a[Attr.SPAN_KIND])?.toUpperCase() ?? "SPAN",
    startTimeMs: r.startTimeMs,
    durationMs: r.durationMs,
    status: r.status?.code ?? 0,
  };
  const put = <K extends keyof SpanSummary>(k: K, v: SpanSummary[K] | undefined) => {
    if (v !== undefined) s[k] = v;
  };
  put("parentSpanId", r.parentSpanId || undefined);
  if (r.parentSpanId && (r as { remoteParent?: boolean }).remoteParent) s.remoteParent = true;
  put("error", errorText(r));
  put("model", str(a[Attr.MODEL_NAME] ?? a[Attr.EMBEDDING_MODEL_NAME] ?? a[Attr.REQUEST_MODEL_NAME]));
  put("toolName", str(a[Attr.TOOL_NAME]));
  put("tokensPrompt", num(a[Attr.TOKEN_COUNT_PROMPT]));
  put("tokensCompletion", num(a[Attr.TOKEN_COUNT_COMPLETION]));
  put("tokensTotal", num(a[Attr.TOKEN_COUNT_TOTAL]) ?? sumDefined(num(a[Attr.TOKEN_COUNT_PROMPT]), num(a[Attr.TOKEN_COUNT_COMPLETION])));
  put("costPrompt", num(a[Attr.COST_PROMPT]));
  put("costCompletion", num(a[Attr.COST_COMPLETION]));
  put("costTotal", num(a[Attr.COST_TOTAL]));
  put("agentId", str(a[Attr.AGENT_ID]));
  put("agentName", str(a[Attr.AGENT_NAME]));
  put("sessionId", str(a[Attr.SESSION_ID]));
  put("userId", str(a[Attr.USER_ID]));
  put("service", str(r.resource?.["service.name"]));
  return s;
}

function sumDefined(...xs: (number | undefined)[]): number | undefined {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length ? d.reduce((a, b) => a + b, 0) : undefined;
}

const MODEL_KINDS = new Set(["LLM", "EMBEDDING"]);

/** The root of a trace's spans: a span without a parent, else one whose parent is missing. */
export function rootOf<T extends { spanId: string; parentSpanId?: string; remoteParent?: boolean; startTimeMs: number }>(spans: T[]): T | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  let best: T | undefined;
  let bestRank = 4;
  for (const s of spans) {
    const rank = !s.parentSpanId ? 0 : s.remoteParent ? 1 : !ids.has(s.parentSpanId) ? 2 : 3;
    if (rank < bestRank || (rank === bestRank && best && s.startTimeMs < best.startTimeMs)) {
      best = s;
      bestRank = rank;
    }
  }
  return best;
}

export function summarizeTrace(spans: SpanSummary[], updatedAt = Date.now()): TraceSummary {
  const root = rootOf(spans)!;
  const byStart = [...spans].sort((x, y) => x.startTimeMs - y.startTimeMs);
  const start = Math.min(...spans.map((s) => s.startTimeMs));
  const end = Math.max(...spans.map((s) => s.startTimeMs + s.durationMs));
  const modelSpans = spans.filter((s) => MODEL_KINDS.has(s.kind));
  // tokens and cost are counted on model calls only: an AGENT span may repeat its children's totals
  const counted = modelSpans.length ? modelSpans : [root];
  const firstWith = <K extends keyof SpanSummary>(k: K): SpanSummary[K] | undefined => root[k] ?? byStart.find((s) => s[k] !== undefined)?.[k];
  const errors = byStart.filter((s) => s.status === 2);
  const t: TraceSummary = {
    traceId: root.traceId,
    name: root.name,
    kind: root.kind,
    startTimeMs: start,
    endTimeMs: end,
    durationMs: Math.max(0, end - start),
    spanCount: spans.length,
    llmCalls: spans.filter((s) => s.kind === "LLM").length,
    toolCalls: spans.filter((s) => s.kind === "TOOL").length,
    errorCount: errors.length,
    models: [...new Set(modelSpans.map((s) => s.model).filter((m): m is string => !!m))],
    tools: [...new Set(spans.filter((s) => s.kind === "TOOL").map((s) => s.toolName ?? s.name))],
    complete: spans.some((s) => !s.parentSpanId || s.remoteParent),
    updatedAt,
  };
  const put = <K extends keyof TraceSummary>(k: K, v: TraceSummary[K] | undefined) => {
    if (v !== undefined) t[k] = v;
  };
  put("error", errors[0]?.error);
  put("tokensPrompt", sumDefined(...counted.map((s) => s.tokensPrompt)));
  put("tokensCompletion", sumDefined(...counted.map((s) => s.tokensCompletion)));
  put("tokensTotal", sumDefined(...counted.map((s) => s.tokensTotal)));
  put("costPrompt", roundUsd(sumDefined(...counted.map((s) => s.costPrompt))));
  put("costCompletion", roundUsd(sumDefined(...counted.map((s) => s.costCompletion))));
  put("costTotal", roundUsd(sumDefined(...counted.map((s) => s.costTotal))));
  put("agentId", firstWith("agentId"));
  put("agentName", firstWith("agentName"));
  put("sessionId", firstWith("sessionId"));
  put("userId", firstWith("userId"));
  put("service", firstWith("service"));
  return t;
}

const roundUsd = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 1e10) / 1e10);

/* ---------------- conversation of an LLM span ---------------- */

export interface ToolCall {
  id?: string;
  name?: string;
  arguments?: string;
}
export interface Message {
  role: string;
  content?: string;
  name?: string;
  toolCallId?: string;
  toolCalls: ToolCall[];
  /** Non-text parts (images, audio) described briefly. */
  parts: string[];
}

/** Rebuild `llm.input_messages.N.message.*` (or output) keys into messages, in index order. */
export function messagesOf(attributes: Record<string, unknown>, which: "input" | "output"): Message[] {
  const base = which === "input" ? Attr.LLM_INPUT_MESSAGES : Attr.LLM_OUTPUT_MESSAGES;
  const prefix = `${base}.`;
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const [k, v] of Object.entries(attributes)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const dot = rest.indexOf(".");
    const i = Number(rest.slice(0, dot));
    if (dot < 0 || !Number.isInteger(i)) continue;
    const fields = byIndex.get(i) ?? {};
    fields[rest.slice(dot + 1)] = v;
    byIndex.set(i, fields);
  }
  const out: Message[] = [];
  for (const i of [...byIndex.keys()].sort((x, y) => x - y)) {
    const f = byIndex.get(i)!;
    const m: Message = { role: str(f["message.role"]) ?? "unknown", toolCalls: [], parts: [] };
    const content = str(f["message.content"]);
    if (content !== undefined) m.content = content;
    const name = str(f["message.name"]);
    if (name !== undefined) m.name = name;
    const tcid = str(f["message.tool_call_id"]);
    if (tcid !== undefined) m.toolCallId = tcid;
    const calls = new Map<number, ToolCall>();
    const parts = new Map<number, Record<string, unknown>>();
    for (const [k, v] of Object.entries(f)) {
      let match = /^message\.tool_calls\.(\d+)\.tool_call\.(.+)$/.exec(k);
      if (match) {
        const c = calls.get(Number(match[1])) ?? {};
        if (match[2] === "id") c.id = str(v);
        else if (match[2] === "function.name") c.name = str(v);
        else if (match[2] === "function.arguments") c.arguments = str(v);
        calls.set(Number(match[1]), c);
        continue;
      }
      match = /^message\.contents\.(\d+)\.message_content\.(.+)$/.exec(k);
      if (match) {
        const p = parts.get(Number(match[1])) ?? {};
        p[match[2]!] = v;
        parts.set(Number(match[1]), p);
      }
    }
    m.toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const texts: string[] = [];
    for (const [, p] of [...parts.entries()].sort((a, b) => a[0] - b[0])) {
      if (p.text !== undefined) texts.push(String(p.text));
      else if (p["image.image.url"] !== undefined) m.parts.push(`[image ${String(p["image.image.url"]).slice(0, 80)}]`);
      else if (p.type !== undefined) m.parts.push(`[${String(p.type)}]`);
    }
    if (m.content === undefined && texts.length) m.content = texts.join("\n");
    out.push(m);
  }
  return out;
}
