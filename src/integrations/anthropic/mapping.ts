/**
 * Anthropic Messages API request/response → OpenInference attributes, and the accumulator that
 * rebuilds a Message from its stream events (message_start, content_block_*, message_delta).
 */
import type { Attributes, Span } from "@opentelemetry/api";
import { LLMProvider } from "@arizeai/openinference-semantic-conventions";
import { Attr } from "../../semconv";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import {
  base64Placeholder,
  clientOf,
  imageUrlForSpan,
  invocationParameters,
  providerFromBaseURL,
  setInputMessages,
  setOutputMessages,
  setTools,
  stringify,
  type ContentPart,
  type MessageLike,
  type StreamAccumulator,
  type ToolCallLike,
} from "../kit";

const SYSTEM = "anthropic";

/**
 * Who serves the call, from the client's class and options: a base URL names only a host (a
 * proxy, a private endpoint, 127.0.0.1). The Bedrock and Vertex clients say so themselves in 1.x
 * (the name they give their own spans) and by their options (AWS region; Google region and project).
 */
function providerOf(client: any): string {
  const named = client?._genAIProviderName;
  if (named === "aws.bedrock" || typeof client?.awsRegion === "string") return LLMProvider.AWS;
  if (named === "gcp.vertex_ai" || (typeof client?.region === "string" && "projectId" in client)) return LLMProvider.GOOGLE;
  return providerFromBaseURL(client?.baseURL, SYSTEM);
}

function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    const texts = content.filter((b: any) => b?.type === "text").map((b: any) => b.text);
    return texts.length ? texts.join("\n") : undefined;
  }
  return undefined;
}

function imageUrl(source: any): string | undefined {
  if (!source) return undefined;
  if (source.type === "url") return imageUrlForSpan(source.url);
  if (source.type === "base64") return `data:${source.media_type ?? "image"};base64,${base64Placeholder(String(source.data ?? ""))}`;
  if (source.type === "file") return `file:${source.file_id}`;
  return undefined;
}

/** One Anthropic message may become several OpenInference messages: tool_result blocks are `tool` messages. */
function inputMessages(m: any): MessageLike[] {
  if (typeof m?.content === "string") return [{ role: m.role, content: m.content }];
  if (!Array.isArray(m?.content)) return [{ role: m?.role }];
  const out: MessageLike[] = [];
  const contents: ContentPart[] = [];
  const toolCalls: ToolCallLike[] = [];
  for (const b of m.content) {
    switch (b?.type) {
      case "text":
        contents.push({ type: "text", text: b.text });
        break;
      case "image":
        contents.push({ type: "image", imageUrl: imageUrl(b.source) });
        break;
      case "document":
        contents.push({ type: "document" });
        break;
      case "thinking":
        contents.push({ type: "reasoning", text: b.thinking });
        break;
      case "redacted_thinking":
        contents.push({ type: "reasoning" });
        break;
      case "tool_use":
      case "server_tool_use":
        toolCalls.push({ id: b.id, name: b.name, arguments: stringify(b.input ?? {}) });
        break;
      case "tool_result":
        out.push({
          role: "tool",
          toolCallId: b.tool_use_id,
          content: typeof b.content === "string" ? b.content : (textOf(b.content) ?? (b.content === undefined ? undefined : stringify(b.content))),
        });
        break;
    }
  }
  if (contents.length > 0 || toolCalls.length > 0 || out.length === 0) {
    const msg: MessageLike = { role: m.role };
    if (contents.length > 0) msg.contents = contents;
    if (toolCalls.length > 0) msg.toolCalls = toolCalls;
    out.push(msg);
  }
  return out;
}

export function messagesRequest(body: any, self: any): Attributes {
  const a: Attributes = {
    [Attr.LLM_SYSTEM]: SYSTEM,
    [Attr.SYSTEM]: SYSTEM,
    [Attr.LLM_PROVIDER]: providerOf(clientOf(self)),
    [Attr.STREAMING]: body?.stream === true,
  };
  if (body?.model !== undefined) a[Attr.MODEL_NAME] = body.model;
  a[Attr.INPUT_VALUE] = stringify(body);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  const params = invocationParameters(body, ["messages", "system", "tools"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  setInputMessages(a, messagesOf(body));
  setTools(a, body?.tools);
  return a;
}

/** The system prompt and messages of a Messages API request (also Anthropic bodies sent through Bedrock). */
export function messagesOf(body: any): MessageLike[] {
  const msgs: MessageLike[] = [];
  if (body?.system !== undefined) {
    const text = textOf(body.system);
    msgs.push({ role: "system", content: text ?? stringify(body.system) });
  }
  if (Array.isArray(body?.messages)) for (const m of body.messages) msgs.push(...inputMessages(m));
  return msgs;
}

/** A Message's content blocks as one output message: text, thinking, tool calls. */
export function outputMessage(message: any): MessageLike {
  const m: MessageLike = { role: message?.role ?? "assistant" };
  const blocks: any[] = Array.isArray(message?.content) ? message.content : [];
  const texts: string[] = [];
  const toolCalls: ToolCallLike[] = [];
  const contents: ContentPart[] = [];
  for (const b of blocks) {
    if (b?.type === "text") {
      texts.push(b.text);
      contents.push({ type: "text", text: b.text });
    } else if (b?.type === "thinking") contents.push({ type: "reasoning", text: b.thinking });
    else if (b?.type === "redacted_thinking") contents.push({ type: "reasoning" });
    else if (b?.type === "tool_use" || b?.type === "server_tool_use") {
      toolCalls.push({ id: b.id, name: b.name, arguments: typeof b.input === "string" ? b.input : stringify(b.input ?? {}) });
    }
  }
  if (texts.length) m.content = texts.join("");
  // the structured list only when it says more than the text (thinking next to the answer)
  if (contents.some((c) => c.type !== "text")) m.contents = contents;
  if (toolCalls.length) m.toolCalls = toolCalls;
  return m;
}

export function messagesResponse(span: Span, message: any): void {
  if (!message || typeof message !== "object") return;
  const a: Attributes = {};
  a[Attr.OUTPUT_VALUE] = stringify(message);
  a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  if (message.model) a[Attr.MODEL_NAME] = message.model;
  if (typeof message.id === "string") a[Attr.RESPONSE_ID] = message.id;
  setOutputMessages(a, [outputMessage(message)]);
  if (message.stop_reason) a[Attr.FINISH_REASON] = message.stop_reason;
  if (message.usage) Object.assign(a, tokenAttributes(normalizeUsage(message.usage)));
  span.setAttributes(a);
}

/** Rebuilds the Message from raw stream events, as the SDK's MessageStream does. */
export class MessagesStreamAccumulator implements StreamAccumulator {
  private message: any;
  private json: string[] = [];

  add(event: any): void {
    switch (event.type) {
      case "message_start":
        this.message = { ...event.message, content: [...(event.message?.content ?? [])], usage: { ...event.message?.usage } };
        break;
      case "content_block_start":
        if (this.message) this.message.content[event.index] = { ...event.content_block };
        break;
      case "content_block_delta": {
        const b = this.message?.content[event.index];
        const d = event.delta;
        if (!b || !d) break;
        if (d.type === "text_delta") b.text = (b.text ?? "") + d.text;
        else if (d.type === "thinking_delta") b.thinking = (b.thinking ?? "") + d.thinking;
        else if (d.type === "signature_delta") b.signature = d.signature;
        else if (d.type === "input_json_delta") this.json[event.index] = (this.json[event.index] ?? "") + d.partial_json;
        break;
      }
      case "content_block_stop": {
        const b = this.message?.content[event.index];
        const raw = this.json[event.index];
        if (b && raw !== undefined) {
          try {
            b.input = raw ? JSON.parse(raw) : {};
          } catch {
            b.input = raw;
          }
        }
        break;
      }
      case "message_delta":
        if (this.message) {
          if (event.delta?.stop_reason) this.message.stop_reason = event.delta.stop_reason;
          if (event.delta?.stop_sequence !== undefined) this.message.stop_sequence = event.delta.stop_sequence;
          if (event.usage) {
            for (const [k, v] of Object.entries(event.usage)) if (v !== null && v !== undefined) this.message.usage[k] = v;
          }
        }
        break;
    }
  }

  finish(span: Span): void {
    if (!this.message) return;
    // blocks whose input JSON never completed (early break) keep what arrived, as a string
    this.json.forEach((raw, i) => {
      const b = this.message.content[i];
      if (b && b.type === "tool_use" && raw !== undefined && (b.input === undefined || (typeof b.input === "object" && Object.keys(b.input).length === 0 && raw))) {
        try {
          b.input = JSON.parse(raw);
        } catch {
          b.input = raw;
        }
      }
    });
    this.message.content = this.message.content.filter(Boolean);
    messagesResponse(span, this.message);
  }
}
