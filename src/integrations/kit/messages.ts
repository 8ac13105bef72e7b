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

export function setInputMessages(attrs: Attributes, messages: MessageLike[]): void {
  messages.forEach((m, i) => setMessage(attrs, OIA.inputMessagePrefix(i), m));
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
