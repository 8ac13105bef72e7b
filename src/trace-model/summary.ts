/**
 * Compact summaries of spans and traces: what lists, filters and sorting work on, and what the
 * console tree, the CLI and the web view print in their headers.
 */
import { Attr } from "../semconv";
import { TOKENS_ESTIMATED_ATTR, type SpanRecord } from "./span-record";
import { rootOf } from "./tree";
import { num, str } from "./values";

/** What a span and a trace both report: token counts, cost, the agent and who ran it. */
interface UsageAndIdentity {
  tokensPrompt?: number;
  tokensCompletion?: number;
  tokensTotal?: number;
  /** The token counts (and the cost computed from them) are a tokenizer's estimate, for some or all of them in a trace. */
  tokensEstimated?: boolean;
  costPrompt?: number;
  costCompletion?: number;
  costTotal?: number;
  agentId?: string;
  agentName?: string;
  sessionId?: string;
  userId?: string;
  service?: string;
  /** A run root we made: "request" (an incoming HTTP request) or "stitched" (a script's agent loop). */
  runKind?: string;
}

export interface SpanSummary extends UsageAndIdentity {
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
}

export interface TraceSummary extends UsageAndIdentity {
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
  models: string[];
  tools: string[];
  /** The local root span (no parent) has arrived. */
  complete: boolean;
  /** When the store last changed this trace (ms since epoch). */
  updatedAt: number;
}

/** The error text of a failed span: its status message, else the exception event's message. */
export function errorText(r: SpanRecord): string | undefined {
  if (r.status?.code !== 2) return undefined;
  const ex = r.events?.find((e) => e.name === "exception");
  const type = str(ex?.attributes?.["exception.type"]);
  const message = r.status.message || str(ex?.attributes?.["exception.message"]);
  // a plain "Error" says nothing the message does not
  if (type && type !== "Error" && message && !message.startsWith(type)) return `${type}: ${message}`;
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
  if (r.parentSpanId && r.remoteParent) s.remoteParent = true;
  put("error", errorText(r));
  put("model", str(a[Attr.MODEL_NAME] ?? a[Attr.EMBEDDING_MODEL_NAME] ?? a[Attr.REQUEST_MODEL_NAME]));
  put("toolName", str(a[Attr.TOOL_NAME]));
  put("tokensPrompt", num(a[Attr.TOKEN_COUNT_PROMPT]));
  put("tokensCompletion", num(a[Attr.TOKEN_COUNT_COMPLETION]));
  put("tokensTotal", num(a[Attr.TOKEN_COUNT_TOTAL]) ?? sumDefined(num(a[Attr.TOKEN_COUNT_PROMPT]), num(a[Attr.TOKEN_COUNT_COMPLETION])));
  if (a[TOKENS_ESTIMATED_ATTR] === true) s.tokensEstimated = true;
  put("costPrompt", num(a[Attr.COST_PROMPT]));
  put("costCompletion", num(a[Attr.COST_COMPLETION]));
  put("costTotal", num(a[Attr.COST_TOTAL]));
  put("agentId", str(a[Attr.AGENT_ID]));
  put("agentName", str(a[Attr.AGENT_NAME]));
  put("runKind", str(a["inference.run.kind"]));
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
  if (counted.some((s) => s.tokensEstimated)) t.tokensEstimated = true;
  put("costPrompt", roundUsd(sumDefined(...counted.map((s) => s.costPrompt))));
  put("costCompletion", roundUsd(sumDefined(...counted.map((s) => s.costCompletion))));
  put("costTotal", roundUsd(sumDefined(...counted.map((s) => s.costTotal))));
  put("agentId", firstWith("agentId"));
  put("agentName", firstWith("agentName"));
  put("sessionId", firstWith("sessionId"));
  put("userId", firstWith("userId"));
  put("service", firstWith("service"));
  put("runKind", root.runKind);
  return t;
}

/**
 * What run a trace belongs to, as the views group it: the agent (name and id), else the run we
 * made — an incoming request, or a script's stitched loop (named after its prompt) —, else none.
 */
export function runLabel(t: Pick<TraceSummary, "agentId" | "agentName" | "runKind" | "name">): string | undefined {
  if (t.agentName && t.agentId && t.agentName !== t.agentId) return `${t.agentName} (${t.agentId})`;
  if (t.agentName ?? t.agentId) return t.agentName ?? t.agentId;
  if (t.runKind === "request") return "HTTP requests";
  if (t.runKind === "stitched") return t.name;
  return undefined;
}

const roundUsd = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 1e10) / 1e10);
