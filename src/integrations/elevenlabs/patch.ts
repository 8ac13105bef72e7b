/**
 * ElevenLabs Agents (@elevenlabs/client).
 *
 * We wrap the static `startSession` of TextConversation and VoiceConversation (the
 * `Conversation.startSession` namespace calls them), and observe the conversation through the
 * SDK's own public callbacks, chained in front of the app's: onConversationCreated,
 * onIncomingEvent, onOutgoingEvent and onDisconnect. Client tools are wrapped through a proxy
 * of `clientTools`, so a tool's own work nests under its TOOL span. The conversation's classes
 * and methods are untouched.
 *
 *   AGENT "ElevenLabs conversation"   agent id, conversation id → session.id, status, errors
 *   ├─ CHAIN "elevenlabs.turn"          one per agent response: the user's text in, the agent's out
 *   │  └─ TOOL <tool name>             client tools (parameters, result, errors) and server tools
 *
 * Signed URLs, conversation tokens and authorization values are never recorded: only the
 * agent id (also read from a signed URL's agent_id parameter) and the user id are.
 */
import { context, trace, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { Attr, MimeType, SpanKindValues } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { withIdentity, type AgentIdentity } from "../../spans/context";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import type { PatchContext } from "../types";
import { markIncomplete, truncateText, wrapMethod } from "../kit";

interface ToolState {
  span: Span;
  ctx: Context;
  name: string;
  server: boolean;
}

interface SessionState {
  span: Span;
  ctx: Context;
  identity: AgentIdentity;
  /** The install that patched startSession: its tracer and settings. */
  install: PatchContext;
  ended: boolean;
  turn?: { span: Span; ctx: Context; input: string[]; output: string; streamed: string; tools: number };
  tools: Map<string, ToolState>;
  /** The client tool call the SDK is about to run (set by onIncomingEvent just before). */
  pendingClientTool?: ToolState;
  turns: number;
  lastError?: string;
}

/** Text held for a span, within the configured attribute length. */
const clip = (s: SessionState, text: string) => truncateText(text, s.install.config.maxAttributeLength);

/** The agent id, from options or from a signed URL's agent_id parameter (never the URL itself). */
function agentIdOf(options: any): string | undefined {
  if (typeof options?.agentId === "string" && options.agentId) return options.agentId;
  if (typeof options?.signedUrl === "string") {
    try {
      return new URL(options.signedUrl).searchParams.get("agent_id") ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function connectionTypeOf(options: any): string {
  if (options?.connectionType) return String(options.connectionType);
  if (options?.conversationToken) return "webrtc";
  if (options?.signedUrl || options?.orchestrator) return "websocket";
  const textOnly = options?.textOnly ?? options?.overrides?.conversation?.textOnly;
  return textOnly ? "websocket" : "webrtc";
}

function beginSession(options: any, install: PatchContext): SessionState {
  faultPoint("elevenlabs.beginSession");
  const agentId = agentIdOf(options) ?? "elevenlabs-agent";
  const identity: AgentIdentity = { id: agentId };
  if (typeof options?.userId === "string") identity.userId = options.userId;
  const parent = context.active();
  const textOnly = options?.textOnly ?? options?.overrides?.conversation?.textOnly;
  const span = install.tracer.startSpan(
    "ElevenLabs conversation",
    {
      attributes: {
        [Attr.SPAN_KIND]: SpanKindValues.AGENT,
        [Attr.AGENT_ID]: agentId,
        ...(identity.userId ? { [Attr.USER_ID]: identity.userId } : {}),
        [Attr.LLM_PROVIDER]: "elevenlabs",
        [Attr.METADATA]: safeJson({ text_only: textOnly === true, connection_type: connectionTypeOf(options) }),
        "elevenlabs.connection_type": connectionTypeOf(options),
      },
    },
    parent,
  );
  const ctx = withIdentity(trace.setSpan(parent, span), identity);
  return { span, ctx, identity, install, ended: false, tools: new Map(), turns: 0 };
}

function openTurn(s: SessionState) {
  if (s.turn) return s.turn;
  const span = s.install.tracer.startSpan("elevenlabs.turn", { attributes: { [Attr.SPAN_KIND]: SpanKindValues.CHAIN } }, s.ctx);
  s.turn = { span, ctx: trace.setSpan(s.ctx, span), input: [], output: "", streamed: "", tools: 0 };
  s.turns++;
  return s.turn;
}

function closeTurn(s: SessionState, outcome?: { interrupted?: boolean; error?: string }) {
  const t = s.turn;
  if (!t) return;
  s.turn = undefined;
  guarded(t.span, "elevenlabs.closeTurn", () => {
    faultPoint("elevenlabs.closeTurn");
    if (t.input.length) {
      t.span.setAttribute(Attr.INPUT_VALUE, clip(s, t.input.join("\n")));
      t.span.setAttribute(Attr.INPUT_MIME_TYPE, MimeType.TEXT);
    }
    const out = t.output || t.streamed;
    if (out) {
      t.span.setAttribute(Attr.OUTPUT_VALUE, clip(s, out));
      t.span.setAttribute(Attr.OUTPUT_MIME_TYPE, MimeType.TEXT);
    }
    t.span.setAttribute("elevenlabs.turn.index", s.turns);
    if (outcome?.interrupted) t.span.setAttribute("elevenlabs.interrupted", true);
  });
  if (outcome?.error) t.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error });
  else t.span.setStatus({ code: SpanStatusCode.OK });
  t.span.end();
}

function startTool(s: SessionState, name: string, callId: string, parameters: unknown, server: boolean, toolType?: string): ToolState {
  const turn = openTurn(s);
  turn.tools++;
  const span = s.install.tracer.startSpan(
    name,
    { attributes: { [Attr.SPAN_KIND]: SpanKindValues.TOOL, [Attr.TOOL_NAME]: name, [Attr.TOOL_CALL_ID]: callId } },
    turn.ctx,
  );
  guarded(span, "elevenlabs.tool.input", () => {
    faultPoint("elevenlabs.toolInput");
    if (parameters !== undefined) {
      span.setAttribute(Attr.INPUT_VALUE, clip(s, safeJson(parameters)));
      span.setAttribute(Attr.INPUT_MIME_TYPE, MimeType.JSON);
    }
    span.setAttribute("elevenlabs.tool.side", server ? "server" : "client");
    if (toolType) span.setAttribute("elevenlabs.tool.type", toolType);
  });
  const tool = { span, ctx: trace.setSpan(turn.ctx, span), name, server };
  s.tools.set(callId, tool);
  return tool;
}

function endTool(s: SessionState, callId: string, result: unknown, isError: boolean) {
  const tool = s.tools.get(callId);
  if (!tool) return;
  s.tools.delete(callId);
  guarded(tool.span, "elevenlabs.tool.output", () => {
    faultPoint("elevenlabs.toolOutput");
    if (result !== undefined) {
      const text = typeof result === "string" ? result : safeJson(result);
      tool.span.setAttribute(Attr.OUTPUT_VALUE, clip(s, text));
      tool.span.setAttribute(Attr.OUTPUT_MIME_TYPE, typeof result === "string" ? MimeType.TEXT : MimeType.JSON);
    }
  });
  if (isError) tool.span.setStatus({ code: SpanStatusCode.ERROR, message: typeof result === "string" ? result.slice(0, 500) : "tool error" });
  else tool.span.setStatus({ code: SpanStatusCode.OK });
  tool.span.end();
}

/** Every message the server sends (the SDK's onIncomingEvent callback). */
function onIncoming(s: SessionState, ev: any) {
  faultPoint("elevenlabs.incoming");
  switch (ev?.type) {
    case "user_transcript": {
      const text = ev.user_transcription_event?.user_transcript;
      if (typeof text !== "string" || !text) return;
      // in text mode the server may echo what the client sent
      if (s.turn?.input.includes(text)) return;
      if (s.turn && (s.turn.output || s.turn.streamed)) closeTurn(s);
      openTurn(s).input.push(text);
      return;
    }
    case "agent_chat_response_part": {
      const part = ev.text_response_part;
      const turn = openTurn(s);
      if (part?.type === "start") turn.streamed = "";
      else if (typeof part?.text === "string") turn.streamed += part.text;
      return;
    }
    case "agent_response": {
      const turn = openTurn(s);
      const text = ev.agent_response_event?.agent_response;
      if (typeof text === "string") turn.output = text;
      closeTurn(s);
      return;
    }
    case "interruption": {
      closeTurn(s, { interrupted: true });
      return;
    }
    case "client_tool_call": {
      const c = ev.client_tool_call ?? {};
      const tool = startTool(s, String(c.tool_name ?? "client_tool"), String(c.tool_call_id ?? ""), c.parameters, false);
      s.pendingClientTool = tool;
      return;
    }
    case "agent_tool_request": {
      const r = ev.agent_tool_request ?? {};
      startTool(s, String(r.tool_name ?? "server_tool"), String(r.tool_call_id ?? ""), undefined, true, r.tool_type);
      return;
    }
    case "agent_tool_response":
    case "agent_tool_response_full_payload": {
      const r = ev.agent_tool_response ?? ev.agent_tool_response_full_payload ?? {};
      const id = String(r.tool_call_id ?? "");
      if (!s.tools.has(id)) startTool(s, String(r.tool_name ?? "server_tool"), id, undefined, true, r.tool_type);
      endTool(s, id, r.result ?? (r.is_called === false ? "not called" : undefined), r.is_error === true);
      return;
    }
    case "error": {
      const e = ev.error_event ?? {};
      const message = String(e.message ?? e.reason ?? "Unknown error");
      s.lastError = message;
      s.span.addEvent("exception", { "exception.type": String(e.error_type ?? "elevenlabs_error"), "exception.message": message });
      if (s.turn) closeTurn(s, { error: message });
      return;
    }
    default:
      return;
  }
}

/** Every message the client sends (the SDK's onOutgoingEvent callback). */
function onOutgoing(s: SessionState, ev: any) {
  faultPoint("elevenlabs.outgoing");
  if (ev?.type === "user_message" && typeof ev.text === "string") {
    if (s.turn && (s.turn.output || s.turn.streamed || s.turn.tools)) closeTurn(s);
    openTurn(s).input.push(ev.text);
  } else if (ev?.type === "client_tool_result") {
    endTool(s, String(ev.tool_call_id ?? ""), ev.result, ev.is_error === true);
  }
}

function endSession(s: SessionState, details: any, err?: unknown) {
  if (s.ended) return;
  s.ended = true;
  for (const id of [...s.tools.keys()]) endTool(s, id, undefined, false);
  closeTurn(s);
  guarded(s.span, "elevenlabs.endSession", () => {
    faultPoint("elevenlabs.endSession");
    if (details?.reason) s.span.setAttribute("elevenlabs.disconnect_reason", String(details.reason));
    if (typeof details?.closeCode === "number") s.span.setAttribute("elevenlabs.close_code", details.closeCode);
    s.span.setAttribute("elevenlabs.turn_count", s.turns);
  });
  if (err !== undefined) recordError(s.span, err);
  else if (details?.reason === "error") {
    s.span.setStatus({ code: SpanStatusCode.ERROR, message: String(details.message ?? s.lastError ?? "conversation ended with an error") });
  } else s.span.setStatus({ code: SpanStatusCode.OK });
  s.span.end();
}

/** Wrap each client tool so its work runs inside its TOOL span (a proxy: tools added later are seen too). */
function proxyClientTools(tools: any, s: SessionState): any {
  if (!tools || typeof tools !== "object") return tools;
  const wrappers = new WeakMap<Function, Function>();
  return new Proxy(tools, {
    get(target, prop, receiver) {
      const fn = Reflect.get(target, prop, receiver);
      if (typeof fn !== "function") return fn;
      let w = wrappers.get(fn);
      if (!w) {
        w = function (this: unknown, ...args: unknown[]) {
          const tool = s.pendingClientTool;
          s.pendingClientTool = undefined;
          if (!tool) return fn.apply(this === receiver ? target : this, args);
          let out: unknown;
          try {
            out = context.with(tool.ctx, () => fn.apply(this === receiver ? target : this, args));
          } catch (err) {
            guarded(tool.span, "elevenlabs.tool.error", () => tool.span.recordException(err as Error));
            throw err;
          }
          if (out && typeof (out as any).then === "function") {
            return (out as Promise<unknown>).then(undefined, (err) => {
              guarded(tool.span, "elevenlabs.tool.error", () => tool.span.recordException(err as Error));
              throw err;
            });
          }
          return out;
        };
        wrappers.set(fn, w);
      }
      return w;
    },
  });
}

function chain<A extends unknown[], R>(ours: (...a: A) => void, theirs: ((...a: A) => R) | undefined, what: string) {
  return (...a: A): R | undefined => {
    try {
      ours(...a);
    } catch (err) {
      internalError(what, err);
    }
    return theirs ? theirs(...a) : undefined;
  };
}

/** The options the SDK gets: the app's own (copied, never mutated) with our callbacks in front. */
function instrumentOptions(options: any, s: SessionState): any {
  const out = { ...options };
  out.onConversationCreated = chain(
    (conversation: any) => {
      const id = typeof conversation?.getId === "function" ? conversation.getId() : undefined;
      if (typeof id === "string" && id) {
        s.identity.sessionId = id;
        s.span.setAttribute(Attr.SESSION_ID, id);
      }
    },
    options.onConversationCreated,
    "elevenlabs.onConversationCreated",
  );
  out.onIncomingEvent = chain((ev: any) => guarded(s.span, "elevenlabs.incoming", () => onIncoming(s, ev)), options.onIncomingEvent, "elevenlabs.onIncomingEvent");
  out.onOutgoingEvent = chain((ev: any) => guarded(s.span, "elevenlabs.outgoing", () => onOutgoing(s, ev)), options.onOutgoingEvent, "elevenlabs.onOutgoingEvent");
  out.onDisconnect = chain((details: any) => endSession(s, details), options.onDisconnect, "elevenlabs.onDisconnect");
  if (options.clientTools) out.clientTools = proxyClientTools(options.clientTools, s);
  return out;
}

function tracedStartSession(original: (...a: any[]) => any, install: PatchContext): (...a: any[]) => any {
  return function (this: unknown, options: any, ...rest: unknown[]) {
    let state: SessionState | undefined;
    let opts = options;
    try {
      if (options && typeof options === "object") {
        state = beginSession(options, install);
        opts = instrumentOptions(options, state);
      }
    } catch (err) {
      internalError("elevenlabs.startSession", err);
      if (state) markIncomplete(state.span);
      opts = options;
    }
    if (!state) return original.call(this, options, ...rest);
    const s = state;
    let result: any;
    try {
      result = context.with(s.ctx, () => original.call(this, opts, ...rest));
    } catch (err) {
      endSession(s, undefined, err);
      throw err;
    }
    if (result && typeof result.then === "function") {
      // same value, same rejection: an unhandled failure stays unhandled for the app
      return result.then(undefined, (err: unknown) => {
        try {
          endSession(s, undefined, err);
        } catch (e) {
          internalError("elevenlabs.sessionFailed", e);
        }
        throw err;
      });
    }
    return result;
  };
}

function conversationClasses(mod: any): any[] {
  const out = new Set<any>();
  for (const src of [mod, mod?.default]) {
    for (const k of ["TextConversation", "VoiceConversation"]) {
      const c = src?.[k];
      if (typeof c === "function" && typeof c.startSession === "function") out.add(c);
    }
  }
  // explicit use: the class itself
  if (typeof mod === "function" && typeof mod.startSession === "function" && mod.prototype) out.add(mod);
  return [...out];
}

export const isElevenLabs = (x: unknown): boolean => conversationClasses(x).length > 0;

export function patchElevenLabs(mod: any, ctx: PatchContext): boolean {
  const classes = conversationClasses(mod);
  if (classes.length === 0) return false;
  for (const cls of classes) wrapMethod(cls, "startSession", (original) => tracedStartSession(original, ctx));
  return true;
}
