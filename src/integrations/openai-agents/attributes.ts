/**
 * Pure mapping from OpenAI Agents SDK span data to OpenInference attributes.
 * Input: the SDK's `spanData` object (agent, response, generation, function, handoff,
 * guardrail, custom, …). Output: attributes. Never throws out of `attributesFor` callers
 * (they run it through guarded()).
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr, MessageRole, OpenInferenceAttribute as OI, SpanKindValues, type SpanKind } from "../../semconv";
import { ioValue, safeJson } from "../../spans/coerce";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import { faultPoint } from "../../util/fault";

export interface ChatToolCall {
  id?: string;
  name?: string;
  arguments?: string;
}
export interface ChatMessage {
  role: string;
  content?: string;
  toolCalls?: ChatToolCall[];
  toolCallId?: string;
  name?: string;
}

/** The OpenInference kind for an SDK span type (undefined: not mapped to a span of its own). */
export function kindFor(type: string | undefined): SpanKind | undefined {
  switch (type) {
    case "agent":
      return SpanKindValues.AGENT;
    case "response":
    case "generation":
      return SpanKindValues.LLM;
    case "function":
      return SpanKindValues.TOOL;
    case "guardrail":
      return SpanKindValues.GUARDRAIL;
    case "task":
    case "turn":
      return undefined; // folded into their parent: the run is the trace, the agent is the AGENT span
    default:
      return SpanKindValues.CHAIN; // handoff, custom, mcp_tools, speech, transcription, …
  }
}

/** A span name from the data we have at start (refined at end for handoffs and LLM spans). */
export function nameFor(data: any): string {
  switch (data?.type) {
    case "agent":
    case "function":
    case "custom":
    case "guardrail":
      return String(data.name ?? data.type);
    case "handoff":
      return handoffName(data);
    case "response":
      return "response";
    case "generation":
      return "generation";
    case "mcp_tools":
      return data.server ? `mcp_tools ${data.server}` : "mcp_tools";
    default:
      return String(data?.type ?? "span");
  }
}

function handoffName(data: any): string {
  const from = data?.from_agent;
  const to = data?.to_agent;
  if (from && to) return `handoff ${from} -> ${to}`;
  if (from) return `handoff from ${from}`;
  return "handoff";
}

function textOfContent(content: unknown): string | undefined {
  if (content === undefined || content === null) return undefined;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const parts: string[] = [];
    for (const p of content) {
      if (typeof p === "string") parts.push(p);
      else if (p && typeof p === "object") {
        const t = (p as any).text ?? (p as any).refusal ?? (p as any).transcript;
        if (typeof t === "string") parts.push(t);
      }
    }
    return parts.join("");
  }
  if (typeof content === "object" && typeof (content as any).text === "string") return (content as any).text;
  return safeJson(content);
}

function argsString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : safeJson(v);
}

/**
 * Responses-style items (the SDK's own protocol items or raw API items) as chat messages:
 * consecutive function calls merge into one assistant message with tool calls.
 */
export function itemsToMessages(items: unknown, instructions?: unknown): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (typeof instructions === "string" && instructions) out.push({ role: MessageRole.SYSTEM, content: instructions });
  if (typeof items === "string") {
    out.push({ role: MessageRole.USER, content: items });
    return out;
  }
  if (!Array.isArray(items)) return out;
  for (const it of items) {
    if (!it || typeof it !== "object") continue;
    const item = it as any;
    const type = item.type;
    if (type === "function_call" || type === "hosted_tool_call" || type === "computer_call") {
      const call: ChatToolCall = { id: item.callId ?? item.call_id ?? item.id, name: item.name, arguments: argsString(item.arguments) };
      const last = out[out.length - 1];
      if (last && last.role === MessageRole.ASSISTANT && last.toolCalls && last.content === undefined) last.toolCalls.push(call);
      else out.push({ role: MessageRole.ASSISTANT, toolCalls: [call] });
      continue;
    }
    if (type === "function_call_result" || type === "function_call_output") {
      const output = item.output;
      const content = typeof output === "string" ? output : output && typeof output === "object" && typeof output.text === "string" ? output.text : safeJson(output);
      out.push({ role: MessageRole.TOOL, content, toolCallId: item.callId ?? item.call_id, name: item.name });
      continue;
    }
    if (type === "reasoning") continue;
    if (item.role) {
      out.push({ role: String(item.role), content: textOfContent(item.content) });
    }
  }
  return out;
}

/** Chat-completions messages (generation spans) as chat messages. */
export function chatToMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages)) return [];
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (!m || typeof m !== "object") continue;
    const msg = m as any;
    const toolCalls: ChatToolCall[] | undefined = Array.isArray(msg.tool_calls)
      ? msg.tool_calls.map((tc: any) => ({ id: tc?.id, name: tc?.function?.name ?? tc?.name, arguments: argsString(tc?.function?.arguments ?? tc?.arguments) }))
      : undefined;
    out.push({
      role: String(msg.role ?? MessageRole.ASSISTANT),
      content: textOfContent(msg.content),
      toolCalls: toolCalls && toolCalls.length > 0 ? toolCalls : undefined,
      toolCallId: msg.tool_call_id,
      name: msg.name,
    });
  }
  return out;
}

export function messageAttributes(prefixOf: (i: number) => string, messages: ChatMessage[]): Attributes {
  const a: Attributes = {};
  messages.forEach((m, i) => {
    const p = prefixOf(i);
    a[OI.role(p)] = m.role;
    if (m.content !== undefined) a[OI.content(p)] = m.content;
    if (m.name !== undefined) a[OI.name(p)] = m.name;
    if (m.toolCallId !== undefined) a[OI.messageToolCallId(p)] = m.toolCallId;
    m.toolCalls?.forEach((tc, j) => {
      const tp = OI.toolCallPrefix(p, j);
      if (tc.id !== undefined) a[OI.toolCallId(tp)] = tc.id;
      if (tc.name !== undefined) a[OI.toolCallFunctionName(tp)] = tc.name;
      if (tc.arguments !== undefined) a[OI.toolCallFunctionArguments(tp)] = tc.arguments;
    });
  });
  return a;
}

function setIO(a: Attributes, key: "input" | "output", value: unknown): void {
  if (value === undefined || value === null) return;
  // a string that holds JSON is shown as JSON
  let v = value;
  if (typeof value === "string") {
    const t = value.trim();
    if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
      try {
        JSON.parse(t);
        a[key === "input" ? Attr.INPUT_VALUE : Attr.OUTPUT_VALUE] = value;
        a[key === "input" ? Attr.INPUT_MIME_TYPE : Attr.OUTPUT_MIME_TYPE] = "application/json";
        return;
      } catch {
        /* plain text */
      }
    }
  }
  const io = ioValue(v);
  a[key === "input" ? Attr.INPUT_VALUE : Attr.OUTPUT_VALUE] = io.value;
  a[key === "input" ? Attr.INPUT_MIME_TYPE : Attr.OUTPUT_MIME_TYPE] = io.mimeType;
}

function responseAttributes(data: any): Attributes {
  const a: Attributes = {};
  const resp = data._response && typeof data._response === "object" ? data._response : undefined;
  const model = resp?.model;
  if (model) a[Attr.MODEL_NAME] = String(model);
  a[Attr.LLM_PROVIDER] = "openai";
  a[Attr.LLM_SYSTEM] = "openai";
  if (data.response_id) a["llm.response.id"] = String(data.response_id);
  const input = itemsToMessages(data._input, resp?.instructions);
  Object.assign(a, messageAttributes(OI.inputMessagePrefix, input));
  if (data._input !== undefined) setIO(a, "input", data._input);
  if (resp) {
    const texts: string[] = [];
    const calls: ChatToolCall[] = [];
    for (const item of Array.isArray(resp.output) ? resp.output : []) {
      if (item?.type === "message") {
        const t = textOfContent(item.content);
        if (t) texts.push(t);
      } else if (item?.type === "function_call") {
        calls.push({ id: item.call_id ?? item.id, name: item.name, arguments: argsString(item.arguments) });
      }
    }
    const out: ChatMessage = { role: MessageRole.ASSISTANT };
    if (texts.length > 0) out.content = texts.join("");
    if (calls.length > 0) out.toolCalls = calls;
    Object.assign(a, messageAttributes(OI.outputMessagePrefix, [out]));
    if (texts.length > 0 && calls.length === 0) setIO(a, "output", texts.join(""));
    else setIO(a, "output", resp.output);
    Object.assign(a, tokenAttributes(normalizeUsage(resp.usage)));
    const params: Record<string, unknown> = {};
    for (const k of ["temperature", "top_p", "max_output_tokens", "tool_choice", "parallel_tool_calls", "truncation", "reasoning", "text"]) {
      if (resp[k] !== undefined && resp[k] !== null) params[k] = resp[k];
    }
    if (Object.keys(params).length > 0) a[Attr.INVOCATION_PARAMETERS] = safeJson(params);
    if (Array.isArray(resp.tools)) resp.tools.forEach((t: unknown, i: number) => (a[OI.toolJsonSchema(i)] = safeJson(t)));
  }
  return a;
}

function generationAttributes(data: any): Attributes {
  const a: Attributes = {};
  // the chat-completions model records the whole ChatCompletion as its output
  let output = data.output;
  let usage = data.usage;
  let model = data.model;
  const completion = Array.isArray(output) && output.length === 1 && Array.isArray(output[0]?.choices) ? output[0] : undefined;
  if (completion) {
    output = completion.choices.map((c: any) => c?.message).filter(Boolean);
    usage ??= completion.usage;
    if (completion.model) model = completion.model;
    const finish = completion.choices[0]?.finish_reason;
    if (finish) a[Attr.FINISH_REASON] = String(finish);
  }
  if (model) a[Attr.MODEL_NAME] = String(model);
  if (data.model_config && typeof data.model_config === "object") {
    a[Attr.INVOCATION_PARAMETERS] = safeJson(data.model_config);
    const base = data.model_config.base_url;
    if (typeof base === "string" && base.includes("openai")) a[Attr.LLM_PROVIDER] = "openai";
  }
  Object.assign(a, messageAttributes(OI.inputMessagePrefix, chatToMessages(data.input)));
  Object.assign(a, messageAttributes(OI.outputMessagePrefix, chatToMessages(output)));
  if (data.input !== undefined) setIO(a, "input", data.input);
  if (Array.isArray(output) && output.length === 1 && typeof output[0]?.content === "string" && !output[0]?.tool_calls?.length) {
    setIO(a, "output", output[0].content);
  } else if (output !== undefined) setIO(a, "output", output);
  Object.assign(a, tokenAttributes(normalizeUsage(usage)));
  return a;
}

/** Attributes for a finished SDK span. */
export function attributesFor(data: any): Attributes {
  faultPoint("openai-agents.attributes");
  const a: Attributes = { "openai_agents.span_type": String(data?.type ?? "unknown") };
  switch (data?.type) {
    case "agent":
      a[Attr.AGENT_NAME] = String(data.name);
      if (Array.isArray(data.tools)) a["openai_agents.agent.tools"] = data.tools.map(String);
      if (Array.isArray(data.handoffs)) a["openai_agents.agent.handoffs"] = data.handoffs.map(String);
      if (data.output_type) a["openai_agents.agent.output_type"] = String(data.output_type);
      break;
    case "response":
      Object.assign(a, responseAttributes(data));
      break;
    case "generation":
      Object.assign(a, generationAttributes(data));
      break;
    case "function":
      a[Attr.TOOL_NAME] = String(data.name);
      if (data.input !== undefined && data.input !== "") setIO(a, "input", data.input);
      if (data.output !== undefined && data.output !== "") setIO(a, "output", data.output);
      if (data.mcp_data) a["openai_agents.mcp_data"] = String(data.mcp_data);
      break;
    case "handoff":
      if (data.from_agent) a["openai_agents.handoff.from_agent"] = String(data.from_agent);
      if (data.to_agent) a["openai_agents.handoff.to_agent"] = String(data.to_agent);
      if (data.from_agent) setIO(a, "input", String(data.from_agent));
      if (data.to_agent) setIO(a, "output", String(data.to_agent));
      break;
    case "guardrail":
      a["guardrail.name"] = String(data.name);
      a["guardrail.triggered"] = data.triggered === true;
      setIO(a, "output", { triggered: data.triggered === true });
      break;
    case "custom":
      if (data.data !== undefined) setIO(a, "input", data.data);
      break;
    case "mcp_tools":
      if (data.server) a["openai_agents.mcp.server"] = String(data.server);
      if (Array.isArray(data.result)) setIO(a, "output", data.result);
      break;
    default:
      if (data?.model) a[Attr.MODEL_NAME] = String(data.model);
      break;
  }
  return a;
}

/** The final span name (handoffs learn their target and LLM spans their model at the end). */
export function finalNameFor(data: any): string {
  if (data?.type === "handoff") return handoffName(data);
  if (data?.type === "response" || data?.type === "generation") {
    const model = data?._response?.model ?? data?.output?.[0]?.model ?? data?.model;
    return model ? `${data.type} ${model}` : String(data.type);
  }
  return nameFor(data);
}
