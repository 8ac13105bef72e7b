/**
 * Stitched agent loops. A script or worker that drives a model directly (call, run the tool the
 * model asked for, call again) has no span of its own around the loop: each model call would be
 * its own one-span trace. Here a top-level model call (no active span, no request root, no
 * agentSpan or framework run) that offers the model tools opens a run: a root span its LLM span
 * goes under. A later call whose input messages continue that conversation — the earlier call's
 * inputs, then its output, then any tool results — joins the same run (an OpenAI Responses call
 * joins through previous_response_id), and each tool result it carries becomes a TOOL span from the
 * end of the call that asked for the tool to the start of the call that used the result. An
 * unrelated conversation opens its own run; a call without tools that continues no run stays a
 * trace of its own, as before.
 *
 * The root ends when the run has been idle for `stitchIdleMillis` (at the end of its last call) or
 * when the process exits; it is AGENT when tools were used, CHAIN otherwise, named after the
 * system prompt's first words. Runs are bounded: at most MAX_RUNS open, the oldest ended first.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { Attr, OpenInferenceAttribute as OIA, SpanKindValues } from "../semconv";
import { inputMessagesOf, outputMessagesOf, type MessageLike } from "../integrations/kit/messages";
import { internalError } from "../util/log";
import { EMPTY_CONVERSATION, extend, prefixKeys } from "./conversation";
import { requestRootOf } from "./request-root";

export const RUN_KIND_ATTR = "inference.run.kind";
/** Set on a request that offers the model tools (the first tool's schema). */
const OFFERS_TOOLS = OIA.toolJsonSchema(0);
const MAX_RUNS = 256;
const NAME_WORDS = 6;
const NAME_CHARS = 48;

export interface StitchSettings {
  readonly stitch: boolean;
  readonly stitchIdleMillis: number;
}

interface PendingTool {
  name?: string;
  arguments?: string;
  askedAt: number;
}

class Run {
  readonly root: Span;
  readonly sessionId: string;
  readonly keys = new Set<number>();
  readonly responseIds = new Set<string>();
  readonly pending = new Map<string, PendingTool>();
  inFlight = 0;
  lastEnd: number;
  usedTools = false;
  ended = false;

  constructor(
    readonly tracer: Tracer,
    readonly name: string,
    readonly sessionIdOfApp: string | undefined,
    startTime: number,
    private readonly idleMillis: number,
  ) {
    this.root = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime, attributes: { [RUN_KIND_ATTR]: "stitched" } }, ROOT_CONTEXT);
    this.sessionId = sessionIdOfApp ?? `run-${this.root.spanContext().spanId}`;
    this.lastEnd = startTime;
  }

  get ctx(): Context {
    return trace.setSpan(ROOT_CONTEXT, this.root);
  }

  idle(now: number): boolean {
    return this.inFlight === 0 && now - this.lastEnd >= this.idleMillis;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const kind = this.usedTools ? SpanKindValues.AGENT : SpanKindValues.CHAIN;
    const a: Attributes = { [Attr.SPAN_KIND]: kind, [Attr.SESSION_ID]: this.sessionId };
    if (kind === SpanKindValues.AGENT) a[Attr.AGENT_NAME] = this.name;
    this.root.setAttributes(a);
    this.root.setStatus({ code: SpanStatusCode.OK });
    this.root.end(this.lastEnd);
  }
}

const runs = new Set<Run>();
const byKey = new Map<number, Run>();
const byResponseId = new Map<string, Run>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function forget(run: Run): void {
  runs.delete(run);
  for (const k of run.keys) if (byKey.get(k) === run) byKey.delete(k);
  for (const id of run.responseIds) if (byResponseId.get(id) === run) byResponseId.delete(id);
}

function sweep(now = Date.now()): void {
  for (const run of runs) {
    if (!run.idle(now)) continue;
    forget(run);
    safeEnd(run);
  }
  if (runs.size === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

function safeEnd(run: Run): void {
  try {
    run.end();
  } catch (err) {
    internalError("stitch.end", err);
  }
}

/** End every open run now (the process is about to end: each run ends at the end of its last call). */
export function endAllRuns(): void {
  for (const run of [...runs]) {
    forget(run);
    safeEnd(run);
  }
}

/** A run's name: the system prompt's first words, else a stable short name. */
function runName(messages: readonly MessageLike[]): string {
  const system = messages.find((m) => m.role === "system" || m.role === "developer");
  const text = typeof system?.content === "string" ? system.content : system?.contents?.find((c) => typeof c.text === "string")?.text;
  if (!text?.trim()) return "conversation";
  const words = text.trim().split(/\s+/);
  let name = words.slice(0, NAME_WORDS).join(" ");
  if (name.length > NAME_CHARS) name = name.slice(0, NAME_CHARS - 1).trimEnd();
  return words.length > NAME_WORDS || name.length < text.trim().length ? `${name}…` : name;
}

/** The continuation a call's messages make of an open run, if any: the run, and where its new messages start. */
function findContinuation(messages: readonly MessageLike[], previousResponseId: unknown): { run: Run; from: number } | undefined {
  if (typeof previousResponseId === "string") {
    const run = byResponseId.get(previousResponseId);
    if (run && !run.ended) return { run, from: 0 };
  }
  if (byKey.size === 0) return undefined;
  const keys = prefixKeys(messages);
  // the longest prefix that ends with an assistant message and is a known conversation state
  for (let k = messages.length; k > 0; k--) {
    if (messages[k - 1]!.role !== "assistant") continue;
    const run = byKey.get(keys[k]!);
    if (run && !run.ended) return { run, from: k };
  }
  return undefined;
}

/** One model call, as stitching sees it (created only for calls it applies to). */
export class StitchedCall {
  private startedAt = 0;
  constructor(
    private readonly run: Run,
    private readonly inputs: readonly MessageLike[],
    private readonly toolResults: readonly MessageLike[],
  ) {}

  /** The context the call's LLM span starts in: under the run's root. */
  get parent(): Context {
    return this.run.ctx;
  }

  /** The LLM span started: tool spans for the results this call brings, the run's session on the span. */
  started(span: Span, startTime: number): void {
    this.startedAt = startTime;
    this.run.inFlight++;
    try {
      span.setAttribute(Attr.SESSION_ID, this.run.sessionId);
      for (const m of this.toolResults) {
        const asked = m.toolCallId ? this.run.pending.get(m.toolCallId) : undefined;
        if (!asked) continue;
        this.run.pending.delete(m.toolCallId!);
        this.run.usedTools = true;
        const a: Attributes = {
          [Attr.SPAN_KIND]: SpanKindValues.TOOL,
          [Attr.TOOL_CALL_ID]: m.toolCallId!,
          [Attr.SESSION_ID]: this.run.sessionId,
          [RUN_KIND_ATTR]: "stitched",
        };
        if (asked.name !== undefined) a[Attr.TOOL_NAME] = asked.name;
        if (asked.arguments !== undefined) {
          a[Attr.INPUT_VALUE] = asked.arguments;
          a[Attr.INPUT_MIME_TYPE] = "application/json";
        }
        if (typeof m.content === "string") {
          a[Attr.OUTPUT_VALUE] = m.content;
          a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
        }
        const tool = this.run.tracer.startSpan(asked.name ?? "tool", { startTime: asked.askedAt, attributes: a }, this.run.ctx);
        tool.setStatus({ code: SpanStatusCode.OK });
        tool.end(Math.max(asked.askedAt, startTime));
      }
    } catch (err) {
      internalError("stitch.started", err);
    }
  }

  /** The LLM span ended: the conversation state it leaves is a key later calls can continue from. */
  ended(span: Span, endTime: number): void {
    const run = this.run;
    run.inFlight = Math.max(0, run.inFlight - 1);
    run.lastEnd = Math.max(run.lastEnd, endTime);
    if (run.ended) return;
    try {
      const attrs = (span as unknown as { attributes?: Record<string, unknown> }).attributes;
      if (!attrs) return;
      const outputs = outputMessagesOf(attrs);
      const responseId = attrs[Attr.RESPONSE_ID];
      if (typeof responseId === "string") {
        run.responseIds.add(responseId);
        byResponseId.set(responseId, run);
      }
      if (outputs.length === 0) return;
      let key = EMPTY_CONVERSATION;
      for (const m of this.inputs) key = extend(key, m);
      // n > 1 choices are alternatives: the first is the one a loop continues from
      const keys = [extend(key, outputs[0]!)];
      if (outputs.length > 1) {
        let all = key;
        for (const m of outputs) all = extend(all, m);
        keys.push(all);
      }
      for (const k of keys) {
        run.keys.add(k);
        byKey.set(k, run);
      }
      for (const m of outputs) {
        for (const c of m.toolCalls ?? []) if (c.id) run.pending.set(c.id, { name: c.name, arguments: c.arguments, askedAt: endTime });
      }
      if (outputs.some((m) => m.toolCalls?.length)) run.usedTools = true;
    } catch (err) {
      internalError("stitch.ended", err);
    }
  }
}

/**
 * The stitched view of a model call about to start in `ctx` with these request attributes, or
 * undefined when stitching does not apply (switched off, inside a span, a request or agentSpan, or
 * a call without messages). A call that continues no open run opens one.
 */
export function stitchCall(ctx: Context, attrs: Attributes, tracer: Tracer, settings: StitchSettings, previousResponseId?: unknown): StitchedCall | undefined {
  if (!settings.stitch) return undefined;
  if (trace.getSpan(ctx) !== undefined || requestRootOf(ctx) !== undefined) return undefined;
  const messages = inputMessagesOf(attrs);
  if (!messages || messages.length === 0) return undefined;
  const now = Date.now();
  sweep(now);
  const found = findContinuation(messages, previousResponseId);
  if (found) return new StitchedCall(found.run, messages, messages.slice(found.from).filter((m) => m.role === "tool"));
  // only a call that offers tools may start a loop: any other call stays a trace of its own
  if (attrs[OFFERS_TOOLS] === undefined) return undefined;
  if (runs.size >= MAX_RUNS) {
    const oldest = runs.values().next().value!;
    forget(oldest);
    safeEnd(oldest);
  }
  const sessionOfApp = typeof attrs[Attr.SESSION_ID] === "string" ? (attrs[Attr.SESSION_ID] as string) : undefined;
  const run = new Run(tracer, runName(messages), sessionOfApp, now, settings.stitchIdleMillis);
  runs.add(run);
  sweeper ??= setInterval(() => sweep(), Math.max(250, Math.min(settings.stitchIdleMillis / 2, 10_000)));
  sweeper.unref?.();
  return new StitchedCall(run, messages, []);
}

/** Open runs, for tests and the memory figures. */
export function openRunCount(): number {
  return runs.size;
}
