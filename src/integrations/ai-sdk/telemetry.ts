/**
 * AI SDK 7+: the SDK reports each call to the telemetry integrations registered with its public
 * `registerTelemetry()` (lifecycle events; it no longer records OpenTelemetry spans itself). This
 * is ours: the call becomes a CHAIN span (AGENT for a ToolLoopAgent's run), each model call an LLM
 * span, each tool execution a TOOL span, each embedding model call an EMBEDDING span, all children
 * of the call span, with the same names AI SDK 6's own spans had (ai.generateText,
 * ai.generateText.doGenerate, ai.streamText.doStream, ai.toolCall, ai.embed.doEmbed, …).
 *
 * The app's own settings stay in charge: the SDK calls no integration for a call with
 * `telemetry: { isEnabled: false }`, calls a call's own `telemetry.integrations` instead of the
 * registered ones, and filters inputs/outputs (`recordInputs`/`recordOutputs`) and runtime context
 * before we see them. When the app registered the SDK's OpenTelemetry integration (`@ai-sdk/otel`)
 * itself, its spans go through our provider and we record nothing more (one span per model call).
 *
 * Model calls run inside their LLM span's context, marked as a framework's model call (a provider
 * SDK underneath records no second span); tools run inside their TOOL span, so a tool that calls
 * the SDK again, or an agentSpan() in a tool, nests under it.
 */
import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TimeInput } from "@opentelemetry/api";
import { Attr } from "../../semconv";
import { clearFrameworkLLMSpan, markFrameworkLLMSpan } from "../../spans/context";
import { recordError } from "../../spans/run-in-span";
import { guarded, markIncomplete } from "../../util/fault";
import { internalError } from "../../util/log";
import type { PatchContext } from "../types";
import {
  callEndAttributes,
  callStartAttributes,
  embedEndAttributes,
  embedStartAttributes,
  isAgentCall,
  modelCallEndAttributes,
  modelCallSpanName,
  modelCallStartAttributes,
  toolEndAttributes,
  toolStartAttributes,
} from "./events";

/** Set around a ToolLoopAgent's generate()/stream(): the agent's name for the call it makes. */
const AGENT_KEY = createContextKey("@inference/tracing.ai-sdk.agent");

export function withAgentName(ctx: Context, name: string): Context {
  return ctx.setValue(AGENT_KEY, name);
}

/** Calls open at once before the oldest is ended as incomplete. */
const MAX_OPEN_CALLS = 10_000;

/** The SDK's own OpenTelemetry integrations (`@ai-sdk/otel`): when the app registered one, its spans are the record. */
const SDK_OTEL_INTEGRATIONS = new Set(["OpenTelemetry", "LegacyOpenTelemetry"]);

interface Open {
  span: Span;
  ctx: Context;
}

interface CallState {
  operationId: string;
  call: Open;
  /** The model call in flight: a call's steps run one after another. */
  model?: Open;
  /**
   * A step's model call that has answered, ended when its step ends (at the time it answered): the
   * step names the model the API answered with, which the model call's own end event gives only in
   * later 7.x releases (7.0.0 repeats the requested model there).
   */
  answered?: { span: Span; status: SpanStatusCode; at: TimeInput };
  toolChoice?: unknown;
  tools: Map<string, Open>;
  embeds: Map<string, Span>;
}

type Event = Record<string, any>;

export class OpenInferenceTelemetry {
  private readonly calls = new Map<string, CallState>();

  constructor(
    private readonly patch: Pick<PatchContext, "tracer" | "config" | "debug" | "noteCall">,
    /** The SDK's list of registered integrations, to notice one of its own OpenTelemetry integrations beside us. */
    private readonly registered: () => readonly unknown[],
  ) {}

  private appRecordsItself(): boolean {
    return this.registered().some((i) => i !== this && SDK_OTEL_INTEGRATIONS.has((i as object)?.constructor?.name));
  }

  private child(state: CallState, name: string, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL, time?: Date): Open {
    const span = this.patch.tracer.startSpan(name, { kind, attributes, startTime: time }, state.call.ctx);
    return { span, ctx: trace.setSpan(state.call.ctx, span) };
  }

  onStart(event: Event): void {
    try {
      if (typeof event?.callId !== "string" || this.appRecordsItself()) return;
      this.patch.noteCall();
      const parent = context.active();
      const marked = parent.getValue(AGENT_KEY) as string | undefined;
      const agentName = marked ?? (isAgentCall(event) ? "ToolLoopAgent" : undefined);
      const operationId = String(event.operationId ?? "ai.call");
      const span = this.patch.tracer.startSpan(operationId, { kind: SpanKind.INTERNAL, startTime: eventTime(event) }, parent);
      guarded(span, "ai-sdk.start", () => span.setAttributes(callStartAttributes(event, agentName)));
      // calls made further down (a tool's own generateText) are not this agent's run, nor a model call
      const ctx = trace.setSpan(clearFrameworkLLMSpan(parent.deleteValue(AGENT_KEY)), span);
      this.evictOldestIfFull();
      this.calls.set(event.callId, { operationId, call: { span, ctx }, tools: new Map(), embeds: new Map() });
    } catch (err) {
      internalError("ai-sdk.onStart", err);
    }
  }

  onStepStart(event: Event): void {
    const state = this.calls.get(event?.callId);
    if (state) state.toolChoice = event.stepToolChoice;
  }

  onLanguageModelCallStart(event: Event): void {
    this.startModelCall(event);
  }

  onObjectStepStart(event: Event): void {
    this.startModelCall(event);
  }

  private startModelCall(event: Event): void {
    const state = this.calls.get(event?.callId);
    if (!state) return;
    try {
      // a retried stream may start again without ending the failed attempt
      if (state.model) endSpan(state.model.span, SpanStatusCode.ERROR);
      endAnswered(state);
      const open = this.child(state, modelCallSpanName(state.operationId), {}, SpanKind.CLIENT, eventTime(event));
      guarded(open.span, "ai-sdk.model-start", () => open.span.setAttributes(modelCallStartAttributes(event, state.operationId, state.toolChoice)));
      state.model = { span: open.span, ctx: markFrameworkLLMSpan(open.ctx, open.span) };
    } catch (err) {
      internalError("ai-sdk.model-start", err);
    }
  }

  onLanguageModelCallEnd(event: Event): void {
    const state = this.calls.get(event?.callId);
    const model = this.answer(state, event);
    if (state && model) state.answered = { span: model.span, status: statusOf(event), at: eventTime(event) ?? preciseNow() };
  }

  /** generateObject / streamObject: their one step's end is the model call's end, with the response model. */
  onObjectStepEnd(event: Event): void {
    const model = this.answer(this.calls.get(event?.callId), event);
    if (model) endSpan(model.span, statusOf(event), eventTime(event));
  }

  private answer(state: CallState | undefined, event: Event): Open | undefined {
    const model = state?.model;
    if (!state || !model) return undefined;
    state.model = undefined;
    guarded(model.span, "ai-sdk.model-end", () => model.span.setAttributes(modelCallEndAttributes(event)));
    return model;
  }

  /** Runs the provider's doGenerate/doStream inside the model call's span. */
  executeLanguageModelCall<T>(options: { callId: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
    const ctx = this.calls.get(options?.callId)?.model?.ctx;
    return ctx ? context.with(ctx, options.execute) : options.execute();
  }

  onToolExecutionStart(event: Event): void {
    const state = this.calls.get(event?.callId);
    const id = event?.toolCall?.toolCallId;
    if (!state || id === undefined) return;
    try {
      const open = this.child(state, "ai.toolCall", {}, SpanKind.INTERNAL, eventTime(event));
      guarded(open.span, "ai-sdk.tool-start", () => open.span.setAttributes(toolStartAttributes(event)));
      state.tools.set(String(id), open);
    } catch (err) {
      internalError("ai-sdk.tool-start", err);
    }
  }

  onToolExecutionEnd(event: Event): void {
    const state = this.calls.get(event?.callId);
    const id = String(event?.toolCall?.toolCallId);
    const open = state?.tools.get(id);
    if (!state || !open) return;
    state.tools.delete(id);
    guarded(open.span, "ai-sdk.tool-end", () => open.span.setAttributes(toolEndAttributes(event)));
    if (event.toolOutput?.type === "tool-error") {
      recordError(open.span, event.toolOutput.error);
      open.span.end(eventTime(event));
    } else endSpan(open.span, SpanStatusCode.OK, eventTime(event));
  }

  /** Runs a tool's execute inside its TOOL span. */
  executeTool<T>(options: { callId: string; toolCallId: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
    const ctx = this.calls.get(options?.callId)?.tools.get(String(options?.toolCallId))?.ctx;
    return ctx ? context.with(ctx, options.execute) : options.execute();
  }

  onStepEnd(event: Event): void {
    const state = this.calls.get(event?.callId);
    if (!state) return;
    const model = event.response?.modelId;
    if (state.answered && typeof model === "string") state.answered.span.setAttribute(Attr.MODEL_NAME, model);
    endAnswered(state);
    // a stream can close after an error chunk without a model-call end event
    if (state.model) {
      endSpan(state.model.span, statusOf(event), eventTime(event));
      state.model = undefined;
    }
  }

  onStepError(event: Event): void {
    const state = this.calls.get(event?.callId);
    if (!state?.model) return;
    recordError(state.model.span, event.error);
    state.model.span.end(eventTime(event));
    state.model = undefined;
  }

  onEmbedStart(event: Event): void {
    const state = this.calls.get(event?.callId);
    if (!state || typeof event.embedCallId !== "string") return;
    try {
      const { span } = this.child(state, String(event.operationId ?? `${state.operationId}.doEmbed`), {}, SpanKind.CLIENT, eventTime(event));
      guarded(span, "ai-sdk.embed-start", () => span.setAttributes(embedStartAttributes(event)));
      state.embeds.set(event.embedCallId, span);
    } catch (err) {
      internalError("ai-sdk.embed-start", err);
    }
  }

  onEmbedEnd(event: Event): void {
    const state = this.calls.get(event?.callId);
    const span = state?.embeds.get(event?.embedCallId);
    if (!state || !span) return;
    state.embeds.delete(event.embedCallId);
    guarded(span, "ai-sdk.embed-end", () => span.setAttributes(embedEndAttributes(event, this.patch.config.recordEmbeddingVectors)));
    endSpan(span, SpanStatusCode.OK, eventTime(event));
  }

  onEnd(event: Event): void {
    const state = this.take(event?.callId);
    if (!state) return;
    const { span } = state.call;
    guarded(span, "ai-sdk.end", () => span.setAttributes(callEndAttributes(event)));
    closeChildren(state, undefined, eventTime(event));
    if (event.error !== undefined) recordError(span, event.error);
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end(eventTime(event));
  }

  onError(errorEvent: unknown): void {
    const e = errorEvent as { callId?: string; error?: unknown };
    const state = this.take(e?.callId);
    if (!state) return;
    const error = e.error ?? errorEvent;
    closeChildren(state, error, eventTime(errorEvent));
    recordError(state.call.span, error);
    state.call.span.end(eventTime(errorEvent));
  }

  /** A stream the app stopped reading (abort signal): what is open ends as it is. */
  onAbort(event: Event): void {
    const state = this.take(event?.callId);
    if (!state) return;
    closeChildren(state, undefined, eventTime(event));
    state.call.span.setAttribute("inference.ai_sdk.aborted", true);
    state.call.span.end(eventTime(event));
  }

  /** A call the SDK never ends (a stream nobody reads) must not hold its spans forever. */
  private evictOldestIfFull(): void {
    if (this.calls.size < MAX_OPEN_CALLS) return;
    const oldest = this.take(this.calls.keys().next().value);
    if (!oldest) return;
    closeChildren(oldest, undefined, undefined);
    markIncomplete(oldest.call.span);
    oldest.call.span.end();
  }

  private take(callId: unknown): CallState | undefined {
    if (typeof callId !== "string") return undefined;
    const state = this.calls.get(callId);
    this.calls.delete(callId);
    return state;
  }
}

function statusOf(event: Event): SpanStatusCode {
  return event.finishReason === "error" ? SpanStatusCode.ERROR : SpanStatusCode.OK;
}

/** Now, in epoch milliseconds with the sub-millisecond part (a span ended later at this time keeps its precision). */
function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

function endAnswered(state: CallState): void {
  const answered = state.answered;
  state.answered = undefined;
  if (answered) endSpan(answered.span, answered.status, answered.at);
}

function endSpan(span: Span, code: SpanStatusCode, time?: TimeInput): void {
  try {
    span.setStatus({ code });
    span.end(time);
  } catch (err) {
    internalError("ai-sdk.span-end", err);
  }
}

/** Children still open when their call ends (an error, an abort): ended with the error, if any. */
function closeChildren(state: CallState, error: unknown, time: Date | undefined): void {
  endAnswered(state);
  const open = [...(state.model ? [state.model.span] : []), ...[...state.tools.values()].map((t) => t.span), ...state.embeds.values()];
  state.model = undefined;
  state.tools.clear();
  state.embeds.clear();
  for (const span of open) {
    if (error !== undefined) recordError(span, error);
    span.end(time);
  }
}

/** A durable workflow reports events after the fact, with the time they happened. */
function eventTime(event: unknown): Date | undefined {
  const t = (event as { timestamp?: unknown })?.timestamp;
  return typeof t === "number" ? new Date(t) : undefined;
}
