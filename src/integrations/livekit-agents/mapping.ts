/**
 * LiveKit Agents emit their own OpenTelemetry spans (agent_session, agent_turn, llm_node,
 * llm_request, function_tool, tts_node, …) with `lk.*` and OpenTelemetry GenAI (`gen_ai.*`)
 * attributes. This file turns those attributes into OpenInference ones. It is pure:
 * attributes in, attributes to add out, so it serves both the call-time path (our tracer
 * provider handed to LiveKit) and the export-time transform (LiveKit spans reaching our
 * processors through a provider the app set itself).
 */
import type { AttributeValue } from "@opentelemetry/api";
import { Attr, MimeType, OpenInferenceAttribute as OI, SpanKindValues } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { tokenAttributes, type TokenCounts } from "../../spans/usage";
import { faultPoint } from "../../util/fault";

/** The instrumentation scope LiveKit's own tracer uses. */
export const LIVEKIT_SCOPE = "livekit-agents";

/**
 * The LiveKit spans around a model call: the node, the request, each attempt of the request. A
 * provider SDK call made inside them is LiveKit's to record (see provider.ts).
 */
export const MODEL_CALL_SPAN_NAMES: ReadonlySet<string> = new Set(["llm_node", "llm_request", "llm_request_run"]);
const TOOL_SPAN_NAMES: ReadonlySet<string> = new Set(["function_tool"]);
const AGENT_SPAN_NAMES: ReadonlySet<string> = new Set(["agent_session"]);

/**
 * At most this many message keys per span. OpenTelemetry's default limit is 128 attributes
 * per span and LiveKit already sets ~20: a long conversation keeps its most recent messages
 * in llm.input_messages (the whole list stays in input.value) instead of losing attributes.
 */
export const MESSAGE_KEY_BUDGET = 80;

type Attrs = Readonly<Record<string, unknown>>;
type Out = Record<string, AttributeValue>;

/**
 * One LLM span per model call, as everywhere else. LiveKit records each call on `llm_request`
 * (model, messages, usage). `llm_node` (the pipeline node around it, with the chat context and the
 * response text) and `llm_request_run` (one per attempt) are CHAIN, except for an `llm_node` whose
 * model call no `llm_request` recorded (a custom llmNode that calls a model itself): LiveKit then
 * puts the GenAI request attributes (`gen_ai.operation.name`) on the node, and the node is the LLM span.
 */
export function livekitSpanKind(name: string, attributes: Attrs = {}): string {
  if (AGENT_SPAN_NAMES.has(name)) return SpanKindValues.AGENT;
  if (name === "llm_request" || (name === "llm_node" && attributes["gen_ai.operation.name"] !== undefined)) return SpanKindValues.LLM;
  if (TOOL_SPAN_NAMES.has(name)) return SpanKindValues.TOOL;
  return SpanKindValues.CHAIN;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

/** A value LiveKit stores as JSON text: a JSON string becomes plain text, anything else stays JSON. */
function io(raw: unknown): { value: string; mimeType: string } | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string") return { value: safeJson(raw), mimeType: MimeType.JSON };
  const parsed = parseJson(raw);
  if (typeof parsed === "string") return { value: parsed, mimeType: MimeType.TEXT };
  if (parsed !== undefined && typeof parsed === "object") return { value: raw, mimeType: MimeType.JSON };
  return { value: raw, mimeType: MimeType.TEXT };
}

function setIO(out: Out, which: "input" | "output", raw: unknown): void {
  const v = io(raw);
  if (!v) return;
  out[which === "input" ? Attr.INPUT_VALUE : Attr.OUTPUT_VALUE] = v.value;
  out[which === "input" ? Attr.INPUT_MIME_TYPE : Attr.OUTPUT_MIME_TYPE] = v.mimeType;
}

/** One message in a neutral shape (from gen_ai.* message JSON or from LiveKit's chat context). */
interface Msg {
  role: string;
  text?: string;
  toolCalls?: { id?: string; name?: string; arguments?: unknown }[];
  toolCallId?: string;
}

/** OpenTelemetry GenAI message JSON: [{ role, parts: [{type:"text",content} | {type:"tool_call",…} | …] }]. */
function fromGenAiMessages(raw: unknown, defaultRole?: string): Msg[] {
  const list = parseJson(raw);
  if (!Array.isArray(list)) return [];
  const out: Msg[] = [];
  for (const m of list) {
    if (!m || typeof m !== "object") continue;
    const parts: any[] = Array.isArray((m as any).parts) ? (m as any).parts : [m];
    const msg: Msg = { role: str((m as any).role) ?? defaultRole ?? "user" };
    const texts: string[] = [];
    for (const p of parts) {
      if (!p || typeof p !== "object") continue;
      if (p.type === "text" && typeof p.content === "string") texts.push(p.content);
      else if (p.type === "tool_call") (msg.toolCalls ??= []).push({ id: str(p.id), name: str(p.name), arguments: p.arguments });
      else if (p.type === "tool_call_response") {
        msg.toolCallId = str(p.id);
        texts.push(typeof p.response === "string" ? p.response : safeJson(p.response));
      } else if (p.type === "blob" && typeof p.transcript === "string") texts.push(p.transcript);
    }
    if (texts.length) msg.text = texts.join("");
    out.push(msg);
  }
  return out;
}

/** LiveKit's serialised ChatContext (lk.pii.chat_ctx): { items: [message | function_call | function_call_output | …] }. */
function fromChatCtx(raw: unknown): Msg[] {
  const ctx = parseJson(raw) as { items?: unknown[] } | undefined;
  const items = Array.isArray(ctx?.items) ? ctx!.items : [];
  const out: Msg[] = [];
  for (const it of items as any[]) {
    if (!it || typeof it !== "object") continue;
    if (it.type === "message") {
      const content = Array.isArray(it.content) ? it.content : [it.content];
      const text = content
        .map((c: any) => (typeof c === "string" ? c : typeof c?.transcript === "string" ? c.transcript : typeof c?.value === "string" ? c.value : ""))
        .join("");
      out.push({ role: str(it.role) ?? "user", text });
    } else if (it.type === "function_call") {
      const call = { id: str(it.call_id ?? it.callId), name: str(it.name), arguments: it.arguments ?? it.args };
      const last = out[out.length - 1];
      if (last && last.role === "assistant" && last.toolCalls && !last.text) last.toolCalls.push(call);
      else out.push({ role: "assistant", toolCalls: [call] });
    } else if (it.type === "function_call_output") {
      out.push({ role: "tool", toolCallId: str(it.call_id ?? it.callId), text: typeof it.output === "string" ? it.output : safeJson(it.output) });
    }
  }
  return out;
}

function messageKeys(m: Msg, prefix: string): Out {
  const out: Out = { [OI.role(prefix)]: m.role };
  if (m.text !== undefined) out[OI.content(prefix)] = m.text;
  if (m.toolCallId) out[OI.messageToolCallId(prefix)] = m.toolCallId;
  (m.toolCalls ?? []).forEach((c, j) => {
    const tp = OI.toolCallPrefix(prefix, j);
    if (c.id) out[OI.toolCallId(tp)] = c.id;
    if (c.name) out[OI.toolCallFunctionName(tp)] = c.name;
    if (c.arguments !== undefined) out[OI.toolCallFunctionArguments(tp)] = typeof c.arguments === "string" ? c.arguments : safeJson(c.arguments);
  });
  return out;
}

/** Flatten messages, keeping the most recent ones that fit the key budget. */
function setMessages(out: Out, msgs: Msg[], prefixOf: (i: number) => string, budget: number): number {
  const blocks: Out[] = [];
  let used = 0;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const keys = messageKeys(msgs[i]!, "x");
    const n = Object.keys(keys).length;
    if (used + n > budget) break;
    used += n;
    blocks.unshift(keys);
  }
  const skipped = msgs.length - blocks.length;
  blocks.forEach((_b, k) => Object.assign(out, messageKeys(msgs[skipped + k]!, prefixOf(k))));
  return used;
}

function tokens(a: Attrs): TokenCounts | undefined {
  const prompt = num(a["gen_ai.usage.input_tokens"]);
  const completion = num(a["gen_ai.usage.output_tokens"]);
  if (prompt === undefined && completion === undefined) return undefined;
  const t: TokenCounts = { prompt, completion };
  const cacheRead = num(a["gen_ai.usage.cache_read.input_tokens"]) ?? num(a["gen_ai.usage.input_tokens.cached"]);
  if (cacheRead) t.cacheRead = cacheRead;
  const cacheWrite = num(a["gen_ai.usage.cache_write.input_tokens"]);
  if (cacheWrite) t.cacheWrite = cacheWrite;
  const reasoning = num(a["gen_ai.usage.reasoning.output_tokens"]);
  if (reasoning) t.reasoning = reasoning;
  const audioIn = num(a["gen_ai.usage.audio.input_tokens"]);
  if (audioIn) t.promptAudio = audioIn;
  const audioOut = num(a["gen_ai.usage.audio.output_tokens"]);
  if (audioOut) t.completionAudio = audioOut;
  return t;
}

function mapLLM(a: Attrs, out: Out): void {
  const model = str(a["gen_ai.response.model"]) ?? str(a["gen_ai.request.model"]);
  if (model) out[Attr.MODEL_NAME] = model;
  const provider = str(a["gen_ai.provider.name"]);
  if (provider) {
    out[Attr.LLM_PROVIDER] = provider;
    out[Attr.LLM_SYSTEM] = provider;
  }
  const finish = a["gen_ai.response.finish_reasons"];
  if (Array.isArray(finish) && typeof finish[0] === "string") out[Attr.FINISH_REASON] = finish[0];
  // tokens where LiveKit reports usage (llm_request): one LLM span per call carries them
  const t = tokens(a);
  if (t) Object.assign(out, tokenAttributes(t) as Out);

  let budget = MESSAGE_KEY_BUDGET;
  // input: system instructions + GenAI input messages; else LiveKit's chat context (llm_node)
  let input: Msg[] = [];
  if (a["gen_ai.input.messages"] !== undefined) {
    input = [...fromGenAiMessages(a["gen_ai.system_instructions"], "system").map((m) => ({ ...m, role: "system" })), ...fromGenAiMessages(a["gen_ai.input.messages"])];
    setIO(out, "input", a["gen_ai.input.messages"]);
  } else if (a["lk.pii.chat_ctx"] !== undefined) {
    input = fromChatCtx(a["lk.pii.chat_ctx"]);
    if (input.length) {
      out[Attr.INPUT_VALUE] = safeJson(input);
      out[Attr.INPUT_MIME_TYPE] = MimeType.JSON;
    }
  }
  // output: GenAI output messages; else LiveKit's response text and function calls
  let output: Msg[] = [];
  if (a["gen_ai.output.messages"] !== undefined) output = fromGenAiMessages(a["gen_ai.output.messages"], "assistant");
  else if (a["lk.pii.response.text"] !== undefined || a["lk.pii.response.function_calls"] !== undefined) {
    const calls = parseJson(a["lk.pii.response.function_calls"]);
    const m: Msg = { role: "assistant" };
    if (typeof a["lk.pii.response.text"] === "string" && a["lk.pii.response.text"]) m.text = a["lk.pii.response.text"];
    if (Array.isArray(calls) && calls.length)
      m.toolCalls = calls.map((c: any) => ({ id: str(c?.call_id ?? c?.callId), name: str(c?.name), arguments: c?.arguments ?? c?.args }));
    if (m.text !== undefined || m.toolCalls) output = [m];
  }
  budget -= setMessages(out, output, OI.outputMessagePrefix, budget);
  setMessages(out, input, OI.inputMessagePrefix, budget);
  if (output.length) {
    // plain text answers read as text; tool calls keep LiveKit's own JSON
    const only = output.length === 1 && !output[0]!.toolCalls ? output[0]!.text : undefined;
    if (only !== undefined) {
      out[Attr.OUTPUT_VALUE] = only;
      out[Attr.OUTPUT_MIME_TYPE] = MimeType.TEXT;
    } else {
      const raw = a["gen_ai.output.messages"] ?? a["lk.pii.response.function_calls"];
      out[Attr.OUTPUT_VALUE] = typeof raw === "string" ? raw : safeJson(output);
      out[Attr.OUTPUT_MIME_TYPE] = MimeType.JSON;
    }
  }
  const defs = parseJson(a["gen_ai.tool.definitions"]);
  if (Array.isArray(defs)) defs.slice(0, 20).forEach((d, i) => (out[OI.toolJsonSchema(i)] = safeJson(d)));
}

function mapTool(a: Attrs, out: Out): void {
  const name = str(a["gen_ai.tool.name"]) ?? str(a["lk.function_tool.name"]);
  if (name) out[Attr.TOOL_NAME] = name;
  const callId = str(a["gen_ai.tool.call.id"]) ?? str(a["lk.function_tool.id"]);
  if (callId) out[Attr.TOOL_CALL_ID] = callId;
  const desc = str(a["gen_ai.tool.description"]);
  if (desc) out[Attr.TOOL_DESCRIPTION] = desc;
  setIO(out, "input", a["lk.pii.function_tool.arguments"] ?? a["gen_ai.tool.call.arguments"]);
  setIO(out, "output", a["lk.pii.function_tool.output"] ?? a["gen_ai.tool.call.result"]);
}

/**
 * The OpenInference attributes to add to a finished LiveKit span, given its name and the
 * attributes LiveKit set. Returns {} for a span that already carries a span kind.
 */
export function mapLiveKitAttributes(name: string, attributes: Attrs): Out {
  faultPoint("livekit.mapAttributes");
  const a = attributes ?? {};
  if (a[Attr.SPAN_KIND] !== undefined) return {};
  const out: Out = { [Attr.SPAN_KIND]: livekitSpanKind(name, a) };
  const kind = out[Attr.SPAN_KIND];
  const agentName = str(a["lk.agent_label"]) ?? str(a["gen_ai.agent.name"]);
  const conversation = str(a["gen_ai.conversation.id"]);
  if (conversation) out[Attr.SESSION_ID] = conversation;
  if (kind === SpanKindValues.AGENT) {
    if (agentName) out[Attr.AGENT_NAME] = agentName;
  } else if (kind === SpanKindValues.LLM) {
    mapLLM(a, out);
  } else if (kind === SpanKindValues.TOOL) {
    mapTool(a, out);
  } else {
    if (name === "agent_turn" && agentName) out[Attr.AGENT_NAME] = agentName;
    setIO(out, "input", a["lk.pii.user_input"] ?? a["lk.pii.user_transcript"] ?? a["lk.pii.input_text"]);
    // the llm_node around a recorded model call: what went in (the chat context) and what came out
    const context = name === "llm_node" ? fromChatCtx(a["lk.pii.chat_ctx"]) : [];
    if (context.length) {
      out[Attr.INPUT_VALUE] = safeJson(context);
      out[Attr.INPUT_MIME_TYPE] = MimeType.JSON;
    }
    setIO(out, "output", a["lk.pii.response.text"]);
  }
  return out;
}

/** A LiveKit function tool reported as failed (LiveKit records it as an attribute, not a status). */
export function livekitToolError(name: string, attributes: Attrs): string | undefined {
  if (!TOOL_SPAN_NAMES.has(name) || attributes?.["lk.function_tool.is_error"] !== true) return undefined;
  const v = io(attributes["lk.pii.function_tool.output"]);
  return v?.value ?? "tool error";
}
