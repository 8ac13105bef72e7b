/**
 * Cursor SDK (@cursor/sdk).
 *
 * `Agent.create` / `Agent.resume` are wrapped so the agent object they return has its class's
 * `send` wrapped (once per class, on the prototype); `Agent.prompt` (create + send + wait in one
 * call) gets one span too. Each run becomes:
 *
 *   AGENT "Cursor agent run"   agent id (also session.id), run id, model, prompt, final text,
 *   │                          status, token usage, duration
 *   ├─ TOOL shell              command in, stdout/stderr out, non-zero exit code → ERROR
 *   └─ TOOL read / edit / …    arguments in, result out
 *
 * What we read: the SDK's public `onDelta` callback (chained in front of the app's own:
 * tool-call-started / -completed, text-delta, turn-ended usage), the messages the app pulls
 * from `run.stream()` (tool_call, assistant, usage), and the run's status through its public
 * `onDidChangeStatus`. The API key, env vars and MCP credentials are never recorded.
 */
import { context, createContextKey, trace, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { Attr, MimeType, SpanKindValues } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { withIdentity } from "../../spans/context";
import { recordError } from "../../spans/run-in-span";
import { tokenAttributes } from "../../spans/usage";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import type { PatchContext } from "../types";
import { markIncomplete, truncateText, wrapMethod } from "../kit";

const PROMPT_RUN = createContextKey("@inference/tracing.cursor.prompt-run");
/** Text held for a span, within the configured attribute length. */
const clip = (st: RunState, text: string) => truncateText(text, st.maxText);

interface RunState {
  span: Span;
  /** Longest text held for a span (the configured maxAttributeLength). */
  maxText: number;
  ctx: Context;
  /** false when an outer Agent.prompt span owns the span's end. */
  ownsSpan: boolean;
  ended: boolean;
  tools: Map<string, { span: Span; done: boolean }>;
  text: string;
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number; turns: number };
  toolCount: number;
}

/** Names the app gave its agents in Agent.create({ name }), by agent object. */
const agentNames = new WeakMap<object, string>();

function promptText(message: unknown): string | undefined {
  if (typeof message === "string") return message;
  if (message && typeof message === "object" && typeof (message as any).text === "string") return (message as any).text;
  return undefined;
}
function modelId(m: unknown): string | undefined {
  if (typeof m === "string") return m;
  if (m && typeof m === "object" && typeof (m as any).id === "string") return (m as any).id;
  return undefined;
}

function beginRun(pctx: PatchContext, agent: any, message: unknown, model: unknown, name?: string): RunState {
  faultPoint("cursor.beginRun");
  const parent = context.active();
  const agentId = typeof agent?.agentId === "string" ? agent.agentId : undefined;
  const span = pctx.tracer.startSpan("Cursor agent run", { attributes: { [Attr.SPAN_KIND]: SpanKindValues.AGENT } }, parent);
  const st: RunState = { span, maxText: pctx.config.maxAttributeLength, ctx: trace.setSpan(parent, span), ownsSpan: true, ended: false, tools: new Map(), text: "", toolCount: 0 };
  guarded(span, "cursor.runInput", () => {
    faultPoint("cursor.runInput");
    if (agentId) span.setAttribute(Attr.AGENT_ID, agentId);
    if (name) span.setAttribute(Attr.AGENT_NAME, name);
    span.setAttribute(Attr.LLM_PROVIDER, "cursor");
    const m = modelId(model);
    if (m) span.setAttribute(Attr.MODEL_NAME, m);
    const text = promptText(message);
    if (text !== undefined) {
      span.setAttribute(Attr.INPUT_VALUE, clip(st, text));
      span.setAttribute(Attr.INPUT_MIME_TYPE, MimeType.TEXT);
    }
  });
  if (agentId) st.ctx = withIdentity(st.ctx, { id: agentId, name, sessionId: agentId });
  return st;
}

function toolOutput(result: any): { text?: string; mime: string; error?: string; exitCode?: number } {
  if (result === undefined || result === null) return { mime: MimeType.TEXT };
  if (result.status === "error") {
    const e = result.error;
    const msg = typeof e === "string" ? e : typeof e?.message === "string" ? e.message : safeJson(e ?? "tool error");
    return { text: msg, mime: MimeType.TEXT, error: msg };
  }
  const value = result.status === "success" && "value" in result ? result.value : result;
  // a shell step: stdout (and stderr) as text, a non-zero exit code is the step's failure
  if (value && typeof value === "object" && typeof value.exitCode === "number") {
    const out = [value.stdout, value.stderr].filter((s) => typeof s === "string" && s).join(value.stdout && value.stderr ? "\n" : "");
    const error = value.exitCode !== 0 ? `exit code ${value.exitCode}${value.stderr ? `: ${String(value.stderr).slice(0, 300)}` : ""}` : undefined;
    return { text: out, mime: MimeType.TEXT, error, exitCode: value.exitCode };
  }
  if (typeof value === "string") return { text: value, mime: MimeType.TEXT };
  return { text: safeJson(value), mime: MimeType.JSON };
}

function toolStarted(pctx: PatchContext, st: RunState, callId: string, name: string, args: unknown) {
  if (!callId || st.tools.has(callId) || st.ended) return;
  const span = pctx.tracer.startSpan(
    name,
    { attributes: { [Attr.SPAN_KIND]: SpanKindValues.TOOL, [Attr.TOOL_NAME]: name, [Attr.TOOL_CALL_ID]: callId } },
    st.ctx,
  );
  st.toolCount++;
  guarded(span, "cursor.toolInput", () => {
    faultPoint("cursor.toolInput");
    if (args !== undefined) {
      const command = name === "shell" && typeof (args as any)?.command === "string" ? (args as any).command : undefined;
      span.setAttribute(Attr.INPUT_VALUE, clip(st, command ?? safeJson(args)));
      span.setAttribute(Attr.INPUT_MIME_TYPE, command !== undefined ? MimeType.TEXT : MimeType.JSON);
      if (command !== undefined) span.setAttribute("cursor.shell.command", clip(st, command));
    }
  });
  st.tools.set(callId, { span, done: false });
}

function toolCompleted(st: RunState, callId: string, result: unknown, failed = false) {
  const t = st.tools.get(callId);
  if (!t || t.done) return;
  t.done = true;
  let error: string | undefined;
  guarded(t.span, "cursor.toolOutput", () => {
    faultPoint("cursor.toolOutput");
    const out = toolOutput(result);
    if (out.text !== undefined && out.text !== "") {
      t.span.setAttribute(Attr.OUTPUT_VALUE, clip(st, out.text));
      t.span.setAttribute(Attr.OUTPUT_MIME_TYPE, out.mime);
    }
    if (out.exitCode !== undefined) t.span.setAttribute("cursor.shell.exit_code", out.exitCode);
    error = out.error;
  });
  if (error !== undefined || failed) t.span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? "tool call failed" });
  else t.span.setStatus({ code: SpanStatusCode.OK });
  t.span.end();
}

/** One InteractionUpdate from the SDK's onDelta callback. */
function onUpdate(pctx: PatchContext, st: RunState, u: any) {
  faultPoint("cursor.onDelta");
  switch (u?.type) {
    case "tool-call-started":
      toolStarted(pctx, st, String(u.callId ?? ""), String(u.toolCall?.type ?? "tool"), u.toolCall?.args);
      return;
    case "tool-call-completed":
      toolStarted(pctx, st, String(u.callId ?? ""), String(u.toolCall?.type ?? "tool"), u.toolCall?.args);
      toolCompleted(st, String(u.callId ?? ""), u.toolCall?.result);
      return;
    case "text-delta":
      if (typeof u.text === "string") st.text += u.text;
      return;
    case "turn-ended": {
      const x = u.usage;
      if (!x) return;
      const a = (st.usage ??= { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, turns: 0 });
      a.input += Number(x.inputTokens) || 0;
      a.output += Number(x.outputTokens) || 0;
      a.cacheRead += Number(x.cacheReadTokens) || 0;
      a.cacheWrite += Number(x.cacheWriteTokens) || 0;
      a.reasoning += Number(x.reasoningTokens) || 0;
      a.turns++;
      return;
    }
    default:
      return;
  }
}

/** One SDKMessage the app pulled from run.stream(). */
function onStreamMessage(pctx: PatchContext, st: RunState, m: any) {
  faultPoint("cursor.stream");
  if (m?.type === "tool_call") {
    const id = String(m.call_id ?? "");
    toolStarted(pctx, st, id, String(m.name ?? "tool"), m.args);
    if (m.status === "completed" || m.status === "error") toolCompleted(st, id, m.result, m.status === "error");
  }
}

function finishRun(st: RunState, run: any, err?: unknown) {
  if (st.ended) return;
  st.ended = true;
  for (const [id, t] of st.tools) if (!t.done) toolCompleted(st, id, undefined);
  guarded(st.span, "cursor.runOutput", () => {
    faultPoint("cursor.runOutput");
    if (!run) return;
    const s = st.span;
    if (typeof run.id === "string") s.setAttribute("cursor.run.id", run.id);
    if (typeof run.requestId === "string") s.setAttribute("cursor.request.id", run.requestId);
    if (typeof run.agentId === "string") {
      s.setAttribute(Attr.AGENT_ID, run.agentId);
      s.setAttribute(Attr.SESSION_ID, run.agentId);
    }
    const m = modelId(run.model);
    if (m) s.setAttribute(Attr.MODEL_NAME, m);
    if (typeof run.status === "string") s.setAttribute("cursor.run.status", run.status);
    const text = typeof run.result === "string" ? run.result : st.text || undefined;
    if (text) {
      s.setAttribute(Attr.OUTPUT_VALUE, clip(st, text));
      s.setAttribute(Attr.OUTPUT_MIME_TYPE, MimeType.TEXT);
    }
    if (typeof run.durationMs === "number") s.setAttribute("cursor.run.duration_ms", run.durationMs);
    s.setAttribute(Attr.AGENT_TOOL_CALL_COUNT, st.toolCount);
    // usage as the SDK reports it; else what the turn-ended updates added up to
    const u = run.usage;
    if (u && typeof u.inputTokens === "number") {
      const cacheRead = Number(u.cacheReadTokens) || 0;
      const cacheWrite = Number(u.cacheWriteTokens) || 0;
      s.setAttributes(
        tokenAttributes({
          prompt: u.inputTokens + cacheRead + cacheWrite,
          completion: Number(u.outputTokens) || 0,
          total: typeof u.totalTokens === "number" ? u.totalTokens : undefined,
          cacheRead,
          cacheWrite,
          reasoning: typeof u.reasoningTokens === "number" ? u.reasoningTokens : undefined,
        }),
      );
    } else if (st.usage) {
      const a = st.usage;
      s.setAttributes(
        tokenAttributes({ prompt: a.input + a.cacheRead + a.cacheWrite, completion: a.output, cacheRead: a.cacheRead, cacheWrite: a.cacheWrite, reasoning: a.reasoning || undefined }),
      );
    }
  });
  if (err !== undefined) recordError(st.span, err);
  else if (run?.status === "error") {
    const msg = typeof run.error?.message === "string" ? run.error.message : "run failed";
    st.span.setStatus({ code: SpanStatusCode.ERROR, message: msg });
    if (typeof run.error?.code === "string") st.span.setAttribute("cursor.error.code", run.error.code);
  } else st.span.setStatus({ code: SpanStatusCode.OK });
  if (st.ownsSpan) st.span.end();
}

const TERMINAL = new Set(["finished", "error", "cancelled"]);

/** Watch a Run the SDK returned: its stream as the app reads it, and its end through onDidChangeStatus. */
function attachRun(pctx: PatchContext, st: RunState, run: any) {
  faultPoint("cursor.attachRun");
  if (!run || typeof run !== "object") return finishRun(st, undefined);
  guarded(st.span, "cursor.runIds", () => {
    if (typeof run.id === "string") st.span.setAttribute("cursor.run.id", run.id);
    if (typeof run.agentId === "string") {
      st.span.setAttribute(Attr.AGENT_ID, run.agentId);
      st.span.setAttribute(Attr.SESSION_ID, run.agentId);
    }
  });
  // observe what the app reads from run.stream(), handing it the very same messages
  const stream = run.stream;
  if (typeof stream === "function" && !Object.prototype.hasOwnProperty.call(run, "stream")) {
    Object.defineProperty(run, "stream", {
      configurable: true,
      writable: true,
      value: function (this: unknown, ...args: unknown[]) {
        const it = stream.apply(this, args);
        if (!it || typeof it.next !== "function") return it;
        const next = it.next.bind(it);
        it.next = (...a: unknown[]) =>
          next(...a).then((r: IteratorResult<unknown>) => {
            if (!r.done) guarded(st.span, "cursor.stream", () => onStreamMessage(pctx, st, r.value));
            return r;
          });
        return it;
      },
    });
  }
  const onTerminal = () => {
    try {
      finishRun(st, run);
    } catch (e) {
      internalError("cursor.onTerminal", e);
    }
  };
  if (TERMINAL.has(run.status)) return onTerminal();
  if (typeof run.onDidChangeStatus === "function") {
    let off: (() => void) | undefined;
    off = run.onDidChangeStatus((status: string) => {
      if (!TERMINAL.has(status)) return;
      try {
        off?.();
      } catch {
        /* ignore */
      }
      // the SDK sets the final fields, then the status: read them on the next tick
      queueMicrotask(onTerminal);
    });
  } else if (typeof run.wait === "function") {
    run.wait().then(onTerminal, (e: unknown) => {
      try {
        finishRun(st, run, e);
      } catch (inner) {
        internalError("cursor.onTerminal", inner);
      }
    });
  }
}

function sendOptionsWithObserver(options: any, pctx: PatchContext, st: RunState): any {
  const theirs = options?.onDelta;
  return {
    ...(options ?? {}),
    onDelta: (arg: any) => {
      guarded(st.span, "cursor.onDelta", () => onUpdate(pctx, st, arg?.update));
      return theirs ? theirs(arg) : undefined;
    },
  };
}

function tracedSend(original: (...a: any[]) => any, pctx: PatchContext): (...a: any[]) => any {
  return function (this: any, message: unknown, options?: any, ...rest: unknown[]) {
    const outer = context.active().getValue(PROMPT_RUN) as RunState | undefined;
    let st: RunState | undefined;
    try {
      if (outer && !outer.ended) {
        st = { ...outer, ownsSpan: false };
        // the outer prompt span collects tools; it is ended by Agent.prompt's wrapper
        st.tools = outer.tools;
      } else st = beginRun(pctx, this, message, options?.model ?? this?.model, agentNames.get(this));
    } catch (err) {
      internalError("cursor.send", err);
    }
    if (!st) return original.call(this, message, options, ...rest);
    const s = st;
    let opts = options;
    try {
      opts = sendOptionsWithObserver(options, pctx, s);
    } catch (err) {
      internalError("cursor.sendOptions", err);
    }
    let p: any;
    try {
      p = context.with(s.ctx, () => original.call(this, message, opts, ...rest));
    } catch (err) {
      finishRun(s, undefined, err);
      throw err;
    }
    if (!p || typeof p.then !== "function") return p;
    return p.then(
      (run: any) => {
        try {
          if (s.ownsSpan) attachRun(pctx, s, run);
          else if (outer) outer.span.setAttribute("cursor.run.id", String(run?.id ?? ""));
        } catch (e) {
          internalError("cursor.attachRun", e);
          markIncomplete(s.span);
          finishRun(s, undefined);
        }
        return run;
      },
      (err: unknown) => {
        finishRun(s, undefined, err);
        throw err;
      },
    );
  };
}

function patchAgentObject(agent: any, pctx: PatchContext, name?: string) {
  if (!agent || typeof agent !== "object") return;
  if (name) agentNames.set(agent, name);
  const proto = Object.getPrototypeOf(agent);
  const owner = proto && typeof proto.send === "function" ? proto : typeof agent.send === "function" ? agent : undefined;
  wrapMethod(owner, "send", (original) => tracedSend(original, pctx));
}

function tracedFactory(original: (...a: any[]) => any, pctx: PatchContext, nameOf: (args: unknown[]) => string | undefined): (...a: any[]) => any {
  return function (this: unknown, ...args: unknown[]) {
    const p = original.apply(this, args);
    if (!p || typeof p.then !== "function") return p;
    return p.then((agent: any) => {
      try {
        patchAgentObject(agent, pctx, nameOf(args));
      } catch (e) {
        internalError("cursor.patchAgent", e);
      }
      return agent;
    });
  };
}

function tracedPrompt(original: (...a: any[]) => any, pctx: PatchContext): (...a: any[]) => any {
  return function (this: unknown, message: unknown, options?: any, ...rest: unknown[]) {
    let st: RunState | undefined;
    try {
      st = beginRun(pctx, undefined, message, options?.model, options?.name);
    } catch (err) {
      internalError("cursor.prompt", err);
    }
    if (!st) return original.call(this, message, options, ...rest);
    const s = st;
    let p: any;
    try {
      p = context.with(s.ctx.setValue(PROMPT_RUN, s), () => original.call(this, message, options, ...rest));
    } catch (err) {
      finishRun(s, undefined, err);
      throw err;
    }
    if (!p || typeof p.then !== "function") return p;
    return p.then(
      (result: any) => {
        finishRun(s, result);
        return result;
      },
      (err: unknown) => {
        finishRun(s, undefined, err);
        throw err;
      },
    );
  };
}

function findAgentClass(mod: any): any {
  for (const c of [mod?.Agent, mod?.default?.Agent, mod]) {
    if (typeof c === "function" && typeof c.create === "function" && typeof c.resume === "function") return c;
  }
  return undefined;
}

export const isCursorSdk = (x: unknown): boolean => findAgentClass(x) !== undefined;

export function patchCursorSdk(mod: any, pctx: PatchContext): boolean {
  const Agent = findAgentClass(mod);
  if (!Agent) return false;
  const nameAt = (i: number) => (args: unknown[]) => (typeof (args[i] as any)?.name === "string" ? (args[i] as any).name : undefined);
  wrapMethod(Agent, "create", (f) => tracedFactory(f, pctx, nameAt(0)));
  wrapMethod(Agent, "resume", (f) => tracedFactory(f, pctx, nameAt(1)));
  wrapMethod(Agent, "prompt", (f) => tracedPrompt(f, pctx));
  return true;
}
