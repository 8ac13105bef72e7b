/**
 * A TracingProcessor for the OpenAI Agents SDK that turns the SDK's own traces and spans into
 * OpenTelemetry spans with OpenInference attributes, following the SDK's span tree:
 *
 *   SDK trace            -> CHAIN "<workflow name>" (parented under the OTel context active when
 *                           the run started, so an agentSpan() wraps it)
 *   task / turn spans    -> folded into their parent (no span of their own)
 *   agent                -> AGENT (agent.name)
 *   response, generation -> LLM (messages, tools, tokens); the provider call underneath runs in a
 *                           context marked with markFrameworkLLMSpan, so the openai integration adds
 *                           no second LLM span: one LLM span per model call
 *   function             -> TOOL (tool.name, input, output, error)
 *   handoff              -> CHAIN "handoff A -> B"
 *   guardrail            -> GUARDRAIL (guardrail.triggered)
 *   custom, others       -> CHAIN
 *
 * OTel spans are created lazily, by whichever comes first: the context bridge entering an SDK
 * span, or the SDK's onSpanStart. Every mapping is dropped when its span (or its trace) ends,
 * and a hard cap keeps a run that never ends from growing memory.
 */
import { context, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import type { TracerSource } from "../types";
import { Attr, SpanKindValues } from "../../semconv";
import { markFrameworkLLMSpan } from "../../spans/context";
import { identityFrom } from "../../spans/context";
import { guarded, INCOMPLETE_ATTR } from "../../util/fault";
import { internalError } from "../../util/log";
import { attributesFor, finalNameFor, kindFor, nameFor } from "./attributes";

const NOOP_ID = "no-op";
const MAX_OPEN = 10_000;

interface Entry {
  span?: Span; // undefined for folded spans (task, turn): they borrow their parent's context
  ctx: Context;
  traceId: string;
  agentName?: string;
  /** The SDK group id, used as session.id when agentSpan() set none. */
  sessionId?: string;
  /** Folded entries point at the entry whose context they use. */
  folded?: boolean;
}

function toTime(iso: unknown): Date | undefined {
  if (typeof iso !== "string") return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Ended traces remembered for late lookups. */
const MAX_ENDED_TRACES = 256;

export class AgentsTracingProcessor {
  private readonly traces = new Map<string, Entry>();
  private readonly spans = new Map<string, Entry>();
  /**
   * Traces that already ended, newest last (bounded): code still running under an ended trace's
   * store (a model call racing a tripped guardrail) gets that trace's context back instead of a
   * second workflow span that nothing would ever end.
   */
  private readonly endedTraces = new Map<string, Entry>();

  constructor(private readonly source: TracerSource) {}

  // ---- lookups used by the context bridge ----

  /** The OTel context that code running under this SDK store should see (creating spans lazily). */
  contextForStore(store: any): Context | undefined {
    if (!store || store.active !== true) return undefined;
    if (store.span) {
      const e = this.ensureSpan(store.span);
      if (e) return e.ctx;
    }
    if (store.trace) return this.ensureTrace(store.trace)?.ctx;
    return undefined;
  }

  // ---- the SDK's TracingProcessor interface ----

  async onTraceStart(t: any): Promise<void> {
    guarded(undefined, "openai-agents.onTraceStart", () => this.ensureTrace(t));
  }

  async onTraceEnd(t: any): Promise<void> {
    guarded(undefined, "openai-agents.onTraceEnd", () => {
      const id = t?.traceId;
      const e = id ? this.traces.get(id) : undefined;
      if (!e) return;
      this.forgetTrace(id, e);
      // anything of this trace still open will never end now: close it, marked incomplete
      for (const [sid, se] of this.spans) {
        if (se.traceId !== id) continue;
        this.spans.delete(sid);
        if (se.span && !se.folded) {
          se.span.setAttribute(INCOMPLETE_ATTR, true);
          se.span.end();
        }
      }
      if (e.span) {
        if (t.metadata && typeof t.metadata === "object") e.span.setAttribute(Attr.METADATA, JSON.stringify(t.metadata));
        e.span.setStatus({ code: SpanStatusCode.OK });
        e.span.end();
      }
    });
  }

  async onSpanStart(s: any): Promise<void> {
    guarded(undefined, "openai-agents.onSpanStart", () => this.ensureSpan(s));
  }

  async onSpanEnd(s: any): Promise<void> {
    const id = s?.spanId;
    if (!id || id === NOOP_ID) return;
    const e = this.spans.get(id) ?? this.ensureSpan(s);
    this.spans.delete(id);
    if (!e || e.folded || !e.span) {
      if (e && !s.parentId && s.error) this.endTraceOnError(e.traceId, s.error);
      return;
    }
    const span = e.span;
    guarded(span, "openai-agents.onSpanEnd", () => {
      const data = s.spanData;
      span.setAttributes(attributesFor(data));
      span.updateName(finalNameFor(data));
    });
    try {
      const err = s.error;
      if (err) {
        const message = typeof err.message === "string" ? err.message : String(err);
        const detail = err.data?.error;
        const ex = new Error(typeof detail === "string" && detail ? `${message}: ${detail}` : message);
        span.recordException(ex);
        span.setStatus({ code: SpanStatusCode.ERROR, message: ex.message });
        if (err.data !== undefined) span.setAttribute("openai_agents.error.data", JSON.stringify(err.data));
      } else {
        span.setStatus({ code: SpanStatusCode.OK });
      }
    } catch (err) {
      internalError("openai-agents.status", err);
    }
    span.end(toTime(s.endedAt));
    // a run that throws never ends its trace (the SDK skips trace.end() then): when the run's
    // top-level span ends with an error, close the trace's span with it
    if (!s.parentId && s.error) this.endTraceOnError(e.traceId, s.error);
  }

  private endTraceOnError(traceId: string, err: any): void {
    const t = this.traces.get(traceId);
    if (!t?.span) return;
    this.forgetTrace(traceId, t);
    const message = typeof err?.message === "string" ? err.message : "Error in agent run";
    t.span.setStatus({ code: SpanStatusCode.ERROR, message });
    t.span.end();
  }

  /** The trace ended: no longer open, but remembered for code still running under its store. */
  private forgetTrace(id: string, e: Entry): void {
    this.traces.delete(id);
    if (this.endedTraces.size >= MAX_ENDED_TRACES) this.endedTraces.delete(this.endedTraces.keys().next().value!);
    this.endedTraces.set(id, e);
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}

  // ---- mapping ----

  private ensureTrace(t: any): Entry | undefined {
    const id = t?.traceId;
    if (!id || id === NOOP_ID) return undefined;
    const existing = this.traces.get(id) ?? this.endedTraces.get(id);
    if (existing) return existing;
    this.evictIfFull(this.traces);
    const parent = context.active();
    const attributes: Record<string, string> = { [Attr.SPAN_KIND]: SpanKindValues.CHAIN, "openai_agents.trace_id": id };
    // the SDK's group id is its conversation id: use it as the session unless agentSpan() gave one
    if (typeof t.groupId === "string" && t.groupId && !identityFrom(parent)?.sessionId) attributes[Attr.SESSION_ID] = t.groupId;
    const span = this.source.tracer.startSpan(String(t.name ?? "Agent workflow"), { attributes }, parent);
    const e: Entry = { span, ctx: trace.setSpan(parent, span), traceId: id, sessionId: attributes[Attr.SESSION_ID] };
    this.traces.set(id, e);
    return e;
  }

  private ensureSpan(s: any): Entry | undefined {
    const id = s?.spanId;
    const traceId = s?.traceId;
    if (!id || id === NOOP_ID || !traceId || traceId === NOOP_ID) return undefined;
    const existing = this.spans.get(id);
    if (existing) return existing;
    const data = s.spanData ?? {};
    const parentId = s.parentId;
    const parentEntry: Entry | undefined = (parentId && this.spans.get(parentId)) || this.traces.get(traceId);
    const parentCtx = parentEntry?.ctx ?? context.active();
    const kind = kindFor(data.type);
    this.evictIfFull(this.spans);
    if (!kind) {
      const e: Entry = { ctx: parentCtx, traceId, agentName: parentEntry?.agentName, sessionId: parentEntry?.sessionId, folded: true };
      this.spans.set(id, e);
      return e;
    }
    const agentName = data.type === "agent" && data.name ? String(data.name) : parentEntry?.agentName;
    const attributes: Record<string, string> = { [Attr.SPAN_KIND]: kind, "openai_agents.span_type": String(data.type) };
    if (agentName) attributes[Attr.AGENT_NAME] = agentName;
    if (kind === SpanKindValues.TOOL && data.name) attributes[Attr.TOOL_NAME] = String(data.name);
    // carry the SDK group id (session) down the tree
    const sessionId = parentEntry?.sessionId;
    if (sessionId) attributes[Attr.SESSION_ID] = sessionId;
    const span = this.source.tracer.startSpan(nameFor(data), { attributes, startTime: toTime(s.startedAt) }, parentCtx);
    let ctx = trace.setSpan(parentCtx, span);
    // a model call: the provider integration underneath must not record a second LLM span
    if (kind === SpanKindValues.LLM) ctx = markFrameworkLLMSpan(ctx, span);
    const e: Entry = { span, ctx, traceId, agentName, sessionId };
    this.spans.set(id, e);
    return e;
  }

  private evictIfFull(map: Map<string, Entry>): void {
    if (map.size < MAX_OPEN) return;
    const oldest = map.keys().next().value;
    if (oldest === undefined) return;
    const e = map.get(oldest);
    map.delete(oldest);
    if (e?.span && !e.folded) {
      e.span.setAttribute(INCOMPLETE_ATTR, true);
      e.span.end();
    }
  }
}
