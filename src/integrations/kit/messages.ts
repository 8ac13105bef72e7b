/**
 * Messages as OpenInference flattens them: llm.input_messages.N.message.* and
 * llm.output_messages.N.message.*, with content parts, tool calls and tool results.
 * Each integration maps its SDK's messages to MessageLike; this is the only writer of the keys.
 */
import type { Attributes } from "@opentelemetry/api";
import { OpenInferenceAttribute as OIA } from "../../semconv";
import { stringify } from "./payload";

export interface ToolCallLike {
  id?: string;
  name?: string;
  arguments?: string;
}

export interface ContentPart {
  type: string;
  text?: string;
  imageUrl?: string;
}

export interface MessageLike {
  role?: string;
  content?: string;
  contents?: ContentPart[];
  name?: string;
  toolCallId?: string;
  toolCalls?: ToolCallLike[];
  functionCall?: { name?: string; arguments?: string };
}

export const MESSAGE_FUNCTION_CALL_NAME = "message.function_call_name";
export const MESSAGE_FUNCTION_CALL_ARGUMENTS = "message.function_call_arguments_json";

/** Flatten one message into `attrs` under `prefix` (llm.input_messages.N / llm.output_messages.N). */
export function setMessage(attrs: Attributes, prefix: string, m: MessageLike): void {
  if (m.role !== undefined) attrs[OIA.role(prefix)] = m.role;
  if (m.content !== undefined && m.content !== null) attrs[OIA.content(prefix)] = m.content;
  if (m.name !== undefined) attrs[OIA.name(prefix)] = m.name;
  if (m.toolCallId !== undefined) attrs[OIA.messageToolCallId(prefix)] = m.toolCallId;
  if (m.contents) {
    m.contents.forEach((c, k) => {
      const cp = OIA.contentPrefix(prefix, k);
      attrs[OIA.contentType(cp)] = c.type;
      if (c.text !== undefined) attrs[OIA.contentText(cp)] = c.text;
      if (c.imageUrl !== undefined) attrs[OIA.contentImageUrl(cp)] = c.imageUrl;
    });
  }
  if (m.toolCalls) {
    m.toolCalls.forEach((tc, j) => {
      const tp = OIA.toolCallPrefix(prefix, j);
      if (tc.id !== undefined) attrs[OIA.toolCallId(tp)] = tc.id;
      if (tc.name !== undefined) attrs[OIA.toolCallFunctionName(tp)] = tc.name;
      if (tc.arguments !== undefined) attrs[OIA.toolCallFunctionArguments(tp)] = tc.arguments;
    });
  }
  if (m.functionCall) {
    if (m.functionCall.name !== undefined) attrs[`${prefix}.${MESSAGE_FUNCTION_CALL_NAME}`] = m.functionCall.name;
    if (m.functionCall.arguments !== undefined) attrs[`${prefix}.${MESSAGE_FUNCTION_CALL_ARGUMENTS}`] = m.functionCall.arguments;
  }
}

/** Where setInputMessages leaves the messages it flattened, for the run stitcher (not an attribute: a symbol). */
export const INPUT_MESSAGES = Symbol("@inference/tracing.input-messages");

export function setInputMessages(attrs: Attributes, messages: MessageLike[]): void {
  messages.forEach((m, i) => setMessage(attrs, OIA.inputMessagePrefix(i), m));
  Object.defineProperty(attrs, INPUT_MESSAGES, { value: messages, configurable: true });
}

/** The messages setInputMessages flattened into these attributes, if it did. */
export function inputMessagesOf(attrs: Attributes): MessageLike[] | undefined {
  return (attrs as { [INPUT_MESSAGES]?: MessageLike[] })[INPUT_MESSAGES];
}

const OUTPUT_KEY = /^llm\.output_messages\.(\d+)\.message\.(role|content|tool_call_id|contents\.(\d+)\.message_content\.(type|text)|tool_calls\.(\d+)\.tool_call\.(id|function\.name|function\.arguments))$/;

/** The output messages read back from a span's attributes (roles, text, tool calls), in order. */
export function outputMessagesOf(attrs: Record<string, unknown>): MessageLike[] {
  const out: MessageLike[] = [];
  for (const key of Object.keys(attrs)) {
    if (!key.startsWith("llm.output_messages.")) continue;
    const m = OUTPUT_KEY.exec(key);
    if (!m) continue;
    const v = attrs[key];
    const msg = (out[Number(m[1])] ??= {});
    if (m[2] === "role") msg.role = String(v);
    else if (m[2] === "content") msg.content = String(v);
    else if (m[2] === "tool_call_id") msg.toolCallId = String(v);
    else if (m[3] !== undefined) {
      const part = ((msg.contents ??= [])[Number(m[3])] ??= { type: "" });
      if (m[4] === "type") part.type = String(v);
      else part.text = String(v);
    } else if (m[5] !== undefined) {
      const call = ((msg.toolCalls ??= [])[Number(m[5])] ??= {});
      if (m[6] === "id") call.id = String(v);
      else if (m[6] === "function.name") call.name = String(v);
      else call.arguments = String(v);
    }
  }
  const messages = out.filter(Boolean);
  for (const msg of messages) {
    if (msg.contents) msg.contents = msg.contents.filter(Boolean);
    if (msg.toolCalls) msg.toolCalls = msg.toolCalls.filter(Boolean);
  }
  return messages;
}

/**
 * The model's output. The tools it asked for stay in the messages' tool calls: `tool.name` and
 * `tool_call.id` belong to TOOL spans (OpenInference), so a search by tool name finds tools.
 */
export function setOutputMessages(attrs: Attributes, messages: MessageLike[]): void {
  messages.forEach((m, i) => setMessage(attrs, OIA.outputMessagePrefix(i), m));
}

export function setTools(attrs: Attributes, tools: unknown): void {
  if (!Array.isArray(tools)) return;
  tools.forEach((t, i) => {
    attrs[OIA.toolJsonSchema(i)] = stringify(t);
  });
}
