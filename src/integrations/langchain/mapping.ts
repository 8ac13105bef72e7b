/**
 * Pure mapping from LangChain callback payloads (serialized runnables, messages, LLM results,
 * documents) to OpenInference attributes. No OpenTelemetry state here: values in, attributes out.
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr, MessageRole, MimeType, OpenInferenceAttribute as OI } from "../../semconv";
import { ioValue, safeJson, toAttributeValue } from "../../spans/coerce";
import { tokenAttributes, type TokenCounts } from "../../spans/usage";
import { faultPoint } from "../../util/fault";

/** Tags LangChain and LangGraph add for their own bookkeeping; not the user's tags. */
const INTERNAL_TAG = /^(graph:step:\d+|seq:step:\d+|langsmith:hidden|langsmith:nostream|map:key:.*|branch:.*)$/;
/** Metadata keys LangChain/LangGraph inject; kept out of `metadata` (some become their own attributes). */
const INTERNAL_META = /^(ls_|langgraph_|__pregel|checkpoint_ns$|checkpoint_id$|versions$|__)/;

export function userTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  return tags.filter((t): t is string => typeof t === "string" && !INTERNAL_TAG.test(t));
}

export function userMetadata(metadata: unknown): Record<string, unknown> | undefined {
  if (!metadata || typeof metadata !== "object") return undefined;
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(metadata as Record<string, unknown>)) {
    if (INTERNAL_META.test(k)) continue;
    out[k] = v;
    n++;
  }
  return n > 0 ? out : undefined;
}

/** session.id from run metadata: LangGraph copies configurable.thread_id there. */
export function sessionIdOf(metadata: any): string | undefined {
  const v = metadata?.thread_id ?? metadata?.session_id ?? metadata?.conversation_id;
  return typeof v === "string" || typeof v === "number" ? String(v) : undefined;
}

/** Attributes every run gets: tags, metadata, session. */
export function commonAttributes(tags: unknown, metadata: unknown): Attributes {
  faultPoint("langchain.common");
  const a: Attributes = {};
  const t = userTags(tags);
  if (t.length > 0) a[Attr.TAG_TAGS] = t;
  const m = userMetadata(metadata);
  if (m) a[Attr.METADATA] = safeJson(m);
  const s = sessionIdOf(metadata);
  if (s !== undefined) a[Attr.SESSION_ID] = s;
  return a;
}

/** The class name of a serialized runnable ({ lc, type, id: [..., "ChatOpenAI"] }). */
export function serializedName(serialized: any): string | undefined {
  if (!serialized || typeof serialized !== "object") return undefined;
  if (typeof serialized.name === "string" && serialized.name) return serialized.name;
  const id = serialized.id;
  if (Array.isArray(id) && id.length > 0) return String(id[id.length - 1]);
  return undefined;
}

export function isGraphRun(serialized: any): boolean {
  const id = serialized?.id;
  if (!Array.isArray(id)) return false;
  const last = String(id[id.length - 1] ?? "");
  return id[0] === "langgraph" && /(^Pregel$|Graph$)/.test(last);
}

// ---------------------------------------------------------------- messages

function isLcSerialized(m: any): boolean {
  return !!m && typeof m === "object" && m.lc === 1 && Array.isArray(m.id) && m.kwargs && typeof m.kwargs === "object";
}

/** The LangChain message type ("human", "ai", …) of a message instance, serialized message or plain dict. */
function messageType(m: any): string | undefined {
  if (!m || typeof m !== "object") return undefined;
  if (isLcSerialized(m)) {
    const cls = String(m.id[m.id.length - 1] ?? "");
    const t = cls.replace(/MessageChunk$|Message$/, "").toLowerCase();
    return t === "chat" ? m.kwargs.role : t;
  }
  try {
    if (typeof m._getType === "function") return m._getType();
    if (typeof m.getType === "function") return m.getType();
  } catch {
    /* fall through */
  }
  if (typeof m.type === "string") return m.type;
  if (typeof m.role === "string") return m.role;
  return undefined;
}

const ROLE_OF: Record<string, string> = {
  human: MessageRole.USER,
  user: MessageRole.USER,
  ai: MessageRole.ASSISTANT,
  assistant: MessageRole.ASSISTANT,
  system: MessageRole.SYSTEM,
  developer: MessageRole.DEVELOPER,
  tool: MessageRole.TOOL,
  function: MessageRole.FUNCTION,
  remove: "remove",
};

export function isMessageLike(m: any): boolean {
  if (!m || typeof m !== "object") return false;
  if (isLcSerialized(m)) return /Message(Chunk)?$/.test(String(m.id[m.id.length - 1]));
  return typeof m._getType === "function" || (typeof m.lc_namespace === "object" && "content" in m);
}

export interface SimpleMessage {
  role: string;
  content?: unknown;
  name?: string;
  toolCalls?: { id?: string; name?: string; args?: unknown }[];
  toolCallId?: string;
}

export function simplifyMessage(m: any): SimpleMessage {
  const f = isLcSerialized(m) ? m.kwargs : m;
  const type = messageType(m) ?? "unknown";
  const role = (type === "generic" || type === "chat" ? f.role : ROLE_OF[type]) ?? type;
  const out: SimpleMessage = { role, content: f.content };
  if (typeof f.name === "string" && f.name) out.name = f.name;
  if (typeof f.tool_call_id === "string") out.toolCallId = f.tool_call_id;
  let calls: any[] | undefined = Array.isArray(f.tool_calls) && f.tool_calls.length > 0 ? f.tool_calls : undefined;
  if (calls) {
    out.toolCalls = calls.map((c) => ({ id: c.id ?? undefined, name: c.name, args: c.args }));
  } else {
    // older messages keep OpenAI-style calls in additional_kwargs
    calls = f.additional_kwargs?.tool_calls;
    if (Array.isArray(calls) && calls.length > 0) {
      out.toolCalls = calls.map((c) => ({ id: c.id, name: c.function?.name, args: c.function?.arguments }));
    }
  }
  return out;
}

/** A JSON-friendly view of chain inputs/outputs: messages become { role, content, tool_calls }. */
export function simplifyValue(v: unknown, depth = 0): unknown {
  if (depth > 4 || v === null || typeof v !== "object") return v;
  if (isMessageLike(v)) {
    const s = simplifyMessage(v);
    const o: Record<string, unknown> = { role: s.role, content: s.content };
    if (s.name) o.name = s.name;
    if (s.toolCalls) o.tool_calls = s.toolCalls;
    if (s.toolCallId) o.tool_call_id = s.toolCallId;
    return o;
  }
  if (Array.isArray(v)) return v.map((x) => simplifyValue(x, depth + 1));
  if (isDocumentLike(v)) return { pageContent: (v as any).pageContent, metadata: (v as any).metadata, id: (v as any).id };
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v; // class instances: let safeJson decide
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = simplifyValue(x, depth + 1);
  return out;
}

/** input.value / output.value for a chain: a lone { input } / { output } string is shown as text. */
export function chainIO(value: unknown, key: "input" | "output"): { value: string; mimeType: string } {
  faultPoint("langchain.io");
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === key && typeof (value as any)[key] === "string") return ioValue((value as any)[key]);
  }
  return ioValue(simplifyValue(value));
}

function argsJson(args: unknown): string {
  return typeof args === "string" ? args : safeJson(args ?? {});
}

function contentAttributes(a: Attributes, prefix: string, content: unknown): void {
  if (typeof content === "string") {
    a[OI.content(prefix)] = content;
    return;
  }
  if (!Array.isArray(content)) {
    if (content !== undefined && content !== null) a[OI.content(prefix)] = safeJson(content);
    return;
  }
  let k = 0;
  for (const part of content) {
    const cp = OI.contentPrefix(prefix, k);
    if (typeof part === "string") {
      a[OI.contentType(cp)] = "text";
      a[OI.contentText(cp)] = part;
    } else if (part && typeof part === "object") {
      const p = part as any;
      if (p.type === "text" || typeof p.text === "string") {
        a[OI.contentType(cp)] = "text";
        a[OI.contentText(cp)] = String(p.text ?? "");
      } else if (p.type === "image_url" || p.type === "image") {
        a[OI.contentType(cp)] = "image";
        const url = typeof p.image_url === "string" ? p.image_url : (p.image_url?.url ?? p.url);
        if (typeof url === "string") a[OI.contentImageUrl(cp)] = url.startsWith("data:") ? url.slice(0, 64) + "…" : url;
      } else {
        continue;
      }
    } else continue;
    k++;
  }
}

/** Attributes of one message under prefix (llm.input_messages.N / llm.output_messages.N). */
export function messageAttributes(a: Attributes, prefix: string, m: SimpleMessage): void {
  a[OI.role(prefix)] = m.role;
  contentAttributes(a, prefix, m.content);
  if (m.name) a[OI.name(prefix)] = m.name;
  if (m.toolCallId) a[OI.messageToolCallId(prefix)] = m.toolCallId;
  m.toolCalls?.forEach((c, j) => {
    const tp = OI.toolCallPrefix(prefix, j);
    if (c.id) a[OI.toolCallId(tp)] = c.id;
    if (c.name) a[OI.toolCallFunctionName(tp)] = c.name;
    a[OI.toolCallFunctionArguments(tp)] = argsJson(c.args);
  });
}

// ---------------------------------------------------------------- LLM runs

export function llmStartAttributes(serialized: any, extraParams: any, metadata: any): Attributes {
  faultPoint("langchain.llm.start");
  const a: Attributes = {};
  const inv = extraParams?.invocation_params ?? {};
  const model = inv.model ?? inv.model_name ?? inv.modelName ?? metadata?.ls_model_name ?? serialized?.kwargs?.model ?? serialized?.kwargs?.model_name;
  if (typeof model === "string") {
    a[Attr.MODEL_NAME] = model;
    a[Attr.REQUEST_MODEL_NAME] = model;
  }
  const provider = metadata?.ls_provider;
  if (typeof provider === "string" && provider) {
    a[Attr.LLM_PROVIDER] = provider.toLowerCase();
    a[Attr.LLM_SYSTEM] = provider.toLowerCase();
  }
  if (inv && typeof inv === "object") {
    const { tools, functions, ...params } = inv as Record<string, unknown>;
    a[Attr.INVOCATION_PARAMETERS] = safeJson(params);
    if (params.stream === true || params.streaming === true) a[Attr.STREAMING] = true;
    const list = Array.isArray(tools) ? tools : Array.isArray(functions) ? functions : [];
    list.forEach((t, i) => {
      a[OI.toolJsonSchema(i)] = safeJson(t);
    });
  }
  return a;
}

export function chatInputAttributes(messages: unknown): Attributes {
  faultPoint("langchain.llm.input");
  const a: Attributes = {};
  // handleChatModelStart receives [[...messages]] (one group per run)
  const group = Array.isArray(messages) && Array.isArray(messages[0]) ? messages[0] : Array.isArray(messages) ? messages : [];
  const simple = group.map(simplifyMessage);
  simple.forEach((m, i) => messageAttributes(a, OI.inputMessagePrefix(i), m));
  const io = ioValue({ messages: simple.map((m) => ({ role: m.role, content: m.content, ...(m.toolCalls ? { tool_calls: m.toolCalls } : {}) })) });
  a[Attr.INPUT_VALUE] = io.value;
  a[Attr.INPUT_MIME_TYPE] = io.mimeType;
  return a;
}

export function promptInputAttributes(prompts: unknown): Attributes {
  faultPoint("langchain.llm.input");
  const a: Attributes = {};
  if (!Array.isArray(prompts)) return a;
  const list = prompts.map((p) => (typeof p === "string" ? p : safeJson(p)));
  if (list.length > 0) a[Attr.LLM_PROMPTS] = list;
  list.forEach((p, i) => messageAttributes(a, OI.inputMessagePrefix(i), { role: MessageRole.USER, content: p }));
  const io = list.length === 1 ? ioValue(list[0]) : ioValue(list);
  a[Attr.INPUT_VALUE] = io.value;
  a[Attr.INPUT_MIME_TYPE] = io.mimeType;
  return a;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** LangChain's usage_metadata (input_tokens include cache reads, as in LangChain's convention). */
export function usageFromMetadata(u: any): TokenCounts | undefined {
  if (!u || typeof u !== "object") return undefined;
  const prompt = num(u.input_tokens);
  const completion = num(u.output_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const c: TokenCounts = { prompt, completion, total: num(u.total_tokens) };
  const id = u.input_token_details ?? {};
  const od = u.output_token_details ?? {};
  c.cacheRead = num(id.cache_read);
  c.cacheWrite = num(id.cache_creation);
  c.promptAudio = num(id.audio);
  c.reasoning = num(od.reasoning);
  c.completionAudio = num(od.audio);
  return c;
}

function usageFromLlmOutput(o: any): TokenCounts | undefined {
  const t = o?.tokenUsage ?? o?.estimatedTokenUsage ?? o?.token_usage ?? o?.usage;
  if (!t || typeof t !== "object") return undefined;
  const prompt = num(t.promptTokens) ?? num(t.prompt_tokens) ?? num(t.input_tokens);
  const completion = num(t.completionTokens) ?? num(t.completion_tokens) ?? num(t.output_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  return { prompt, completion, total: num(t.totalTokens) ?? num(t.total_tokens) };
}

/** Output messages, tokens, finish reason and response model of an LLMResult (first prompt's generations). */
export function llmEndAttributes(output: any): Attributes {
  faultPoint("langchain.llm.end");
  const a: Attributes = {};
  const gens: any[] = Array.isArray(output?.generations?.[0]) ? output.generations[0] : [];
  let usage: TokenCounts | undefined;
  const texts: string[] = [];
  const outMessages: SimpleMessage[] = [];
  gens.forEach((g, i) => {
    if (!g) return;
    const msg = g.message;
    const prefix = OI.outputMessagePrefix(i);
    if (msg) {
      const s = simplifyMessage(msg);
      if (s.role === "unknown") s.role = MessageRole.ASSISTANT;
      messageAttributes(a, prefix, s);
      outMessages.push(s);
      const f = isLcSerialized(msg) ? msg.kwargs : msg;
      usage ??= usageFromMetadata(f.usage_metadata);
      const rm = f.response_metadata ?? {};
      const model = rm.model_name ?? rm.model;
      if (typeof model === "string" && model) {
        a[Attr.RESPONSE_MODEL_NAME] = model;
        a[Attr.MODEL_NAME] = model;
      }
      const fr = g.generationInfo?.finish_reason ?? rm.finish_reason ?? rm.stop_reason;
      if (typeof fr === "string" && a[Attr.FINISH_REASON] === undefined) a[Attr.FINISH_REASON] = fr;
    } else {
      messageAttributes(a, prefix, { role: MessageRole.ASSISTANT, content: g.text });
      const fr = g.generationInfo?.finish_reason;
      if (typeof fr === "string" && a[Attr.FINISH_REASON] === undefined) a[Attr.FINISH_REASON] = fr;
    }
    if (typeof g.text === "string") texts.push(g.text);
  });
  usage ??= usageFromLlmOutput(output?.llmOutput);
  if (usage) Object.assign(a, tokenAttributes(usage));
  const single = outMessages.length <= 1 && texts.length === 1 && !(outMessages[0]?.toolCalls?.length);
  if (single) {
    a[Attr.OUTPUT_VALUE] = texts[0]!;
    a[Attr.OUTPUT_MIME_TYPE] = MimeType.TEXT;
  } else {
    const io = ioValue(outMessages.length > 0 ? { messages: outMessages } : texts);
    a[Attr.OUTPUT_VALUE] = io.value;
    a[Attr.OUTPUT_MIME_TYPE] = io.mimeType;
  }
  return a;
}

// ---------------------------------------------------------------- tools and retrievers

function jsonOrText(s: string): { value: string; mimeType: string } {
  const t = s.trim();
  if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
    try {
      JSON.parse(t);
      return { value: s, mimeType: MimeType.JSON };
    } catch {
      /* text */
    }
  }
  return { value: s, mimeType: MimeType.TEXT };
}

export function toolInput(input: unknown): { value: string; mimeType: string } {
  faultPoint("langchain.tool.input");
  return typeof input === "string" ? jsonOrText(input) : ioValue(simplifyValue(input));
}

/** A tool's output: a ToolMessage shows its content; anything else as is. */
export function toolOutput(output: unknown): { value: string; mimeType: string } {
  faultPoint("langchain.tool.output");
  if (isMessageLike(output)) {
    const m = simplifyMessage(output);
    return typeof m.content === "string" ? jsonOrText(m.content) : ioValue(m.content);
  }
  if (typeof output === "string") return jsonOrText(output);
  return ioValue(simplifyValue(output));
}

export function isDocumentLike(d: any): boolean {
  return !!d && typeof d === "object" && typeof d.pageContent === "string";
}

export function documentAttributes(documents: unknown): Attributes {
  faultPoint("langchain.retriever.documents");
  const a: Attributes = {};
  if (!Array.isArray(documents)) return a;
  documents.forEach((d: any, i) => {
    const p = OI.documentPrefix(i);
    if (!d || typeof d !== "object") return;
    const id = d.id ?? d.metadata?.id;
    if (id !== undefined && id !== null) a[OI.documentId(p)] = String(id);
    if (typeof d.pageContent === "string") a[OI.documentContent(p)] = d.pageContent;
    const score = num(d.score) ?? num(d.metadata?.score) ?? num(d.metadata?.relevance_score);
    if (score !== undefined) a[OI.documentScore(p)] = score;
    if (d.metadata && typeof d.metadata === "object" && Object.keys(d.metadata).length > 0) a[OI.documentMetadata(p)] = safeJson(d.metadata);
  });
  return a;
}

export function attr(value: unknown) {
  return toAttributeValue(value);
}
