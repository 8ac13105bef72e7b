/**
 * Amazon Bedrock runtime commands → OpenInference attributes. Pure functions of a command's
 * input and the SDK's output objects, plus the stream accumulators:
 *  - Converse / ConverseStream: messages, system, toolConfig, toolUse / toolResult blocks,
 *    reasoning, usage with cache tokens, stopReason;
 *  - InvokeModel / InvokeModelWithResponseStream: the model's own JSON body, read by its shape
 *    (Anthropic Messages, Amazon Nova and Titan, Meta Llama, Mistral, Cohere, chat-completions
 *    style bodies), embeddings included.
 * Nothing here changes a command's input (it is what the SDK signs) or an output.
 */
import type { Attributes, Span } from "@opentelemetry/api";
import { LLMProvider } from "@arizeai/openinference-semantic-conventions";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { normalizeUsage, tokenAttributes, type TokenCounts } from "../../spans/usage";
import {
  invocationParameters,
  setInputMessages,
  setOutputMessages,
  setTools,
  stringify,
  type ContentPart,
  type MessageLike,
  type StreamAccumulator,
  type ToolCallLike,
} from "../kit";
import { MessagesStreamAccumulator, messagesOf as anthropicMessages, outputMessage as anthropicOutputMessage } from "../anthropic/mapping";
import { chatInputMessage, chatOutputMessage } from "../openai/mapping";

export const PROVIDER = LLMProvider.AWS;

// ---------------------------------------------------------------------------------------------
// model ids
// ---------------------------------------------------------------------------------------------

/** Cross-region inference profiles put a geography before the vendor: us.anthropic.…, global.… */
const GEO_PREFIX = /^(?:us|us-gov|eu|apac|ap|jp|au|ca|global)\./;

/**
 * The vendor's model id inside a Bedrock model identifier: an ARN's resource name, without a
 * cross-region prefix ("arn:…:inference-profile/us.anthropic.claude-…-v1:0" →
 * "anthropic.claude-…-v1:0"). Application inference profiles and provisioned models name no model.
 */
export function baseModelId(modelId: unknown): string | undefined {
  if (typeof modelId !== "string" || modelId === "") return undefined;
  const resource = modelId.startsWith("arn:") ? modelId.slice(modelId.lastIndexOf("/") + 1) : modelId;
  return resource.replace(GEO_PREFIX, "");
}

/** llm.system for a Bedrock model id: the model's vendor, in OpenInference's names. */
const VENDOR_SYSTEM: Record<string, string> = {
  anthropic: "anthropic",
  amazon: "amazon",
  meta: "meta",
  mistral: "mistralai",
  cohere: "cohere",
  ai21: "ai21",
  deepseek: "deepseek",
  openai: "openai",
  qwen: "qwen",
  writer: "writer",
};

export function systemOf(modelId: unknown): string | undefined {
  const base = baseModelId(modelId);
  const dot = base ? base.indexOf(".") : -1;
  return dot > 0 ? VENDOR_SYSTEM[base!.slice(0, dot)] : undefined;
}

function base(modelId: unknown, streaming: boolean, system = systemOf(modelId)): Attributes {
  const a: Attributes = { [Attr.LLM_PROVIDER]: PROVIDER, [Attr.STREAMING]: streaming };
  if (system) {
    a[Attr.LLM_SYSTEM] = system;
    a[Attr.SYSTEM] = system;
  }
  if (typeof modelId === "string" && modelId) a[Attr.MODEL_NAME] = modelId;
  return a;
}

// ---------------------------------------------------------------------------------------------
// payload text: bytes never go into a span
// ---------------------------------------------------------------------------------------------

const bytesNote = (n: number) => `[binary omitted: ${n} bytes]`;

function bytesFree(this: any, key: string, value: any): any {
  if (value instanceof Uint8Array) return bytesNote(value.byteLength);
  if (value && value.type === "Buffer" && Array.isArray(value.data)) return bytesNote(value.data.length);
  // base64 payloads inside a JSON body (Nova's image.source.bytes, Anthropic's source.data)
  if (typeof value === "string" && value.length > 64 && (key === "bytes" || (key === "data" && this?.type === "base64"))) return `[base64 omitted: ${value.length} chars]`;
  return value;
}

/** JSON of a command input or body with binary and base64 payloads replaced by a note. */
export function payloadText(value: unknown): string {
  try {
    return JSON.stringify(value, bytesFree) ?? "null";
  } catch {
    return stringify(value);
  }
}

const decoder = new TextDecoder();

/** An InvokeModel body (string, bytes or Buffer) as JSON, or undefined when it is not JSON. */
export function parseBody(body: unknown): any {
  let text: string | undefined;
  if (typeof body === "string") text = body;
  else if (body instanceof Uint8Array) text = decoder.decode(body);
  else if (body instanceof ArrayBuffer) text = decoder.decode(new Uint8Array(body));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Converse content blocks
// ---------------------------------------------------------------------------------------------

function imageOf(image: any): string | undefined {
  const media = `image/${image?.format ?? "unknown"}`;
  const src = image?.source;
  if (src?.s3Location?.uri) return src.s3Location.uri;
  if (src?.bytes instanceof Uint8Array) return `data:${media};base64,${bytesNote(src.bytes.byteLength)}`;
  if (typeof src?.bytes === "string") return `data:${media};base64,[base64 omitted: ${src.bytes.length} chars]`;
  return undefined;
}

function toolResultText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const c of content as any[]) {
    if (typeof c?.text === "string") parts.push(c.text);
    else if (c?.json !== undefined) parts.push(stringify(c.json));
    else if (c?.image) parts.push("[image]");
    else if (c?.document) parts.push("[document]");
  }
  return parts.join("\n");
}

/** One Converse message; its toolResult blocks become `tool` messages of their own. */
function converseInputMessages(m: any): MessageLike[] {
  if (!Array.isArray(m?.content)) return [{ role: m?.role }];
  const out: MessageLike[] = [];
  const contents: ContentPart[] = [];
  const toolCalls: ToolCallLike[] = [];
  for (const b of m.content) {
    if (typeof b?.text === "string") contents.push({ type: "text", text: b.text });
    else if (b?.image) contents.push({ type: "image", imageUrl: imageOf(b.image) });
    else if (b?.document) contents.push({ type: "document" });
    else if (b?.video) contents.push({ type: "video" });
    else if (b?.reasoningContent) contents.push({ type: "reasoning", ...(b.reasoningContent.reasoningText?.text !== undefined ? { text: b.reasoningContent.reasoningText.text } : {}) });
    else if (b?.toolUse) toolCalls.push({ id: b.toolUse.toolUseId, name: b.toolUse.name, arguments: stringify(b.toolUse.input ?? {}) });
    else if (b?.toolResult) out.push({ role: "tool", toolCallId: b.toolResult.toolUseId, content: toolResultText(b.toolResult.content) });
  }
  if (contents.length > 0 || toolCalls.length > 0 || out.length === 0) {
    const msg: MessageLike = { role: m.role };
    // a lone text block reads as plain content, as the other integrations record it
    if (contents.length === 1 && contents[0]!.type === "text") msg.content = contents[0]!.text;
    else if (contents.length > 0) msg.contents = contents;
    if (toolCalls.length > 0) msg.toolCalls = toolCalls;
    // after the tool results it carries: they answer the previous turn's calls
    out.push(msg);
  }
  return out;
}

function systemText(system: unknown): string | undefined {
  if (!Array.isArray(system)) return typeof system === "string" ? system : undefined;
  const texts = (system as any[]).filter((b) => typeof b?.text === "string").map((b) => b.text);
  return texts.length ? texts.join("\n") : undefined;
}

/** System prompt and messages in the Converse shapes (also Amazon Nova's InvokeModel body). */
export function converseMessages(input: any): MessageLike[] {
  const msgs: MessageLike[] = [];
  const system = systemText(input?.system);
  if (system !== undefined) msgs.push({ role: "system", content: system });
  if (Array.isArray(input?.messages)) for (const m of input.messages) msgs.push(...converseInputMessages(m));
  return msgs;
}

/** The assistant message of a Converse (or Nova) output: text, reasoning, tool calls. */
export function converseOutputMessage(message: any): MessageLike {
  const m: MessageLike = { role: message?.role ?? "assistant" };
  const texts: string[] = [];
  const contents: ContentPart[] = [];
  const toolCalls: ToolCallLike[] = [];
  for (const b of Array.isArray(message?.content) ? message.content : []) {
    if (typeof b?.text === "string") {
      texts.push(b.text);
      contents.push({ type: "text", text: b.text });
    } else if (b?.reasoningContent) contents.push({ type: "reasoning", ...(b.reasoningContent.reasoningText?.text !== undefined ? { text: b.reasoningContent.reasoningText.text } : {}) });
    else if (b?.toolUse) toolCalls.push({ id: b.toolUse.toolUseId, name: b.toolUse.name, arguments: typeof b.toolUse.input === "string" ? b.toolUse.input : stringify(b.toolUse.input ?? {}) });
    else if (b?.image) contents.push({ type: "image" });
  }
  if (texts.length) m.content = texts.join("");
  if (contents.some((c) => c.type !== "text")) m.contents = contents;
  if (toolCalls.length) m.toolCalls = toolCalls;
  return m;
}

/**
 * Converse usage: inputTokens leaves out the tokens read from or written to the prompt cache, so
 * they are added back into the prompt count (OpenInference counts every input token there).
 * Nova's InvokeModel body spells the cache fields …InputTokenCount.
 */
export function converseTokens(usage: any): TokenCounts {
  if (!usage || typeof usage !== "object") return {};
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const cacheRead = num(usage.cacheReadInputTokens) ?? num(usage.cacheReadInputTokenCount);
  const cacheWrite = num(usage.cacheWriteInputTokens) ?? num(usage.cacheWriteInputTokenCount);
  const input = num(usage.inputTokens);
  const counts: TokenCounts = { completion: num(usage.outputTokens), total: num(usage.totalTokens) };
  if (input !== undefined || cacheRead || cacheWrite) counts.prompt = (input ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cacheRead) counts.cacheRead = cacheRead;
  if (cacheWrite) counts.cacheWrite = cacheWrite;
  return counts;
}

function converseTools(toolConfig: any): unknown[] | undefined {
  if (!Array.isArray(toolConfig?.tools)) return undefined;
  return toolConfig.tools.map((t: any) => t?.toolSpec ?? t);
}

// ---------------------------------------------------------------------------------------------
// Converse / ConverseStream
// ---------------------------------------------------------------------------------------------

export function converseRequest(input: any, streaming: boolean): Attributes {
  const a = base(input?.modelId, streaming);
  a[Attr.INPUT_VALUE] = payloadText(input);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  // the tools are recorded on their own; the choice among them is a parameter
  const toolChoice = input?.toolConfig?.toolChoice;
  const params = invocationParameters(toolChoice === undefined ? input : { ...input, toolChoice }, ["modelId", "messages", "system", "toolConfig", "promptVariables"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  setInputMessages(a, converseMessages(input));
  setTools(a, converseTools(input?.toolConfig));
  return a;
}

/** The served model when the response names it (a prompt router says which model answered). */
function routedModel(trace: any): string | undefined {
  const id = trace?.promptRouter?.invokedModelId;
  return typeof id === "string" && id ? id : undefined;
}

/** The SDK's output without `$metadata` (request id and retries, recorded on their own). */
function outputBody(output: any): any {
  if (!output || typeof output !== "object" || !("$metadata" in output)) return output;
  const { $metadata: _m, ...rest } = output;
  return rest;
}

export function requestIdAttributes(output: any): Attributes {
  const id = output?.$metadata?.requestId;
  return typeof id === "string" && id ? { "aws.request_id": id } : {};
}

export function converseResponse(span: Span, output: any): void {
  if (!output || typeof output !== "object") return;
  const a: Attributes = requestIdAttributes(output);
  a[Attr.OUTPUT_VALUE] = payloadText(outputBody(output));
  a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  const model = routedModel(output.trace);
  if (model) a[Attr.MODEL_NAME] = model;
  if (output.output?.message) setOutputMessages(a, [converseOutputMessage(output.output.message)]);
  if (output.stopReason) a[Attr.FINISH_REASON] = output.stopReason;
  Object.assign(a, tokenAttributes(converseTokens(output.usage)));
  span.setAttributes(a);
}

/**
 * Rebuilds the assistant message from ConverseStream events (messageStart, contentBlockStart /
 * Delta / Stop, messageStop, metadata); Amazon Nova's InvokeModel stream sends the same events
 * as JSON chunks.
 */
export class ConverseStreamAccumulator implements StreamAccumulator {
  private role = "assistant";
  private blocks: any[] = [];
  private stopReason?: string;
  private usage?: any;
  private model?: string;

  add(event: any): void {
    if (event.contentBlockDelta) {
      const { contentBlockIndex: i = 0, delta } = event.contentBlockDelta;
      const b = (this.blocks[i] ??= {});
      if (typeof delta?.text === "string") b.text = (b.text ?? "") + delta.text;
      else if (delta?.toolUse) b.input = (b.input ?? "") + (delta.toolUse.input ?? "");
      else if (delta?.reasoningContent?.text !== undefined) b.reasoning = (b.reasoning ?? "") + delta.reasoningContent.text;
    } else if (event.contentBlockStart) {
      const { contentBlockIndex: i = 0, start } = event.contentBlockStart;
      if (start?.toolUse) this.blocks[i] = { ...this.blocks[i], toolUseId: start.toolUse.toolUseId, name: start.toolUse.name };
    } else if (event.messageStart) {
      if (event.messageStart.role) this.role = event.messageStart.role;
    } else if (event.messageStop) {
      this.stopReason = event.messageStop.stopReason;
    } else if (event.metadata) {
      this.usage = event.metadata.usage;
      this.model = routedModel(event.metadata.trace) ?? this.model;
    }
  }

  /** The message as Converse returns it, with tool inputs parsed where their JSON completed. */
  message(): any {
    const content: any[] = [];
    for (const b of this.blocks) {
      if (!b) continue;
      if (b.name !== undefined || b.toolUseId !== undefined) {
        let input: unknown = b.input ?? "";
        try {
          input = b.input ? JSON.parse(b.input) : {};
        } catch {
          /* cut short: keep the text that arrived */
        }
        content.push({ toolUse: { toolUseId: b.toolUseId, name: b.name, input } });
      } else if (b.reasoning !== undefined) content.push({ reasoningContent: { reasoningText: { text: b.reasoning } } });
      else if (b.text !== undefined) content.push({ text: b.text });
    }
    return { role: this.role, content };
  }

  finish(span: Span): void {
    const message = this.message();
    const out = converseOutputMessage(message);
    const a: Attributes = { [Attr.OUTPUT_VALUE]: out.content ?? "", [Attr.OUTPUT_MIME_TYPE]: "text/plain" };
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    setOutputMessages(a, [out]);
    if (this.stopReason) a[Attr.FINISH_REASON] = this.stopReason;
    Object.assign(a, tokenAttributes(converseTokens(this.usage)));
    span.setAttributes(a);
  }
}

// ---------------------------------------------------------------------------------------------
// InvokeModel bodies, by shape
// ---------------------------------------------------------------------------------------------

/** Keys of the model bodies that hold the conversation (recorded as messages, not as parameters). */
const BODY_CONTENT_KEYS = ["messages", "system", "tools", "toolConfig", "prompt", "inputText", "message", "chat_history", "preamble", "documents", "tool_results", "texts", "images"];

/** Which family's body this is, from its shape (a model id may be an ARN that names no vendor). */
type BodyKind = "anthropic" | "converse" | "titan" | "prompt" | "cohere" | "chat" | "unknown";

function bodyKind(body: any): BodyKind {
  if (!body || typeof body !== "object") return "unknown";
  if (body.anthropic_version !== undefined) return "anthropic";
  if (body.schemaVersion !== undefined || (Array.isArray(body.messages) && Array.isArray(body.messages[0]?.content) && body.messages[0].content.some((c: any) => c && c.type === undefined))) return "converse";
  if (typeof body.inputText === "string") return "titan";
  if (typeof body.message === "string" || Array.isArray(body.chat_history)) return "cohere";
  if (Array.isArray(body.messages)) return "chat";
  if (typeof body.prompt === "string") return "prompt";
  return "unknown";
}

const SYSTEM_OF_KIND: Partial<Record<BodyKind, string>> = { anthropic: "anthropic", titan: "amazon", cohere: "cohere" };

function invokeInputMessages(body: any, kind: BodyKind): MessageLike[] {
  switch (kind) {
    case "anthropic":
      return anthropicMessages(body);
    case "converse":
      return converseMessages(body);
    case "titan":
      return [{ role: "user", content: body.inputText }];
    case "prompt":
      return [{ role: "user", content: body.prompt }];
    case "chat":
      return body.messages.map(chatInputMessage);
    case "cohere": {
      const msgs: MessageLike[] = [];
      if (typeof body.preamble === "string") msgs.push({ role: "system", content: body.preamble });
      for (const h of Array.isArray(body.chat_history) ? body.chat_history : []) msgs.push({ role: cohereRole(h?.role), content: h?.message });
      if (typeof body.message === "string" && body.message) msgs.push({ role: "user", content: body.message });
      for (const r of Array.isArray(body.tool_results) ? body.tool_results : []) msgs.push({ role: "tool", name: r?.call?.name, content: stringify(r?.outputs) });
      return msgs;
    }
  }
  return [];
}

function cohereRole(role: unknown): string | undefined {
  if (role === "USER") return "user";
  if (role === "CHATBOT") return "assistant";
  if (role === "SYSTEM") return "system";
  if (role === "TOOL") return "tool";
  return typeof role === "string" ? role.toLowerCase() : undefined;
}

export function invokeRequest(input: any, streaming: boolean): Attributes {
  const body = parseBody(input?.body);
  const kind = bodyKind(body);
  const a = base(input?.modelId, streaming, systemOf(input?.modelId) ?? SYSTEM_OF_KIND[kind]);
  if (body === undefined) {
    const size = input?.body?.byteLength ?? input?.body?.length;
    if (typeof size === "number") a[Attr.INPUT_VALUE] = bytesNote(size);
    return a;
  }
  a[Attr.INPUT_VALUE] = payloadText(body);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  const params = invocationParameters(body, BODY_CONTENT_KEYS);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  setInputMessages(a, invokeInputMessages(body, kind));
  setTools(a, kind === "converse" ? converseTools(body.toolConfig) : body.tools);
  return a;
}

/** What one family's answer says: the output message, finish reason, tokens and the served model. */
interface Answer {
  message?: MessageLike;
  finish?: string;
  tokens?: TokenCounts;
  model?: string;
  id?: string;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function cohereToolCalls(calls: unknown): ToolCallLike[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c: any) => ({ name: c?.name, arguments: stringify(c?.parameters ?? {}) }));
}

/** A model body's answer, read by its shape. */
export function answerOf(json: any): Answer {
  if (!json || typeof json !== "object") return {};
  // Anthropic Messages
  if (json.type === "message" && Array.isArray(json.content)) {
    return {
      message: anthropicOutputMessage(json),
      finish: json.stop_reason ?? undefined,
      tokens: normalizeUsage(json.usage),
      model: typeof json.model === "string" ? json.model : undefined,
      id: typeof json.id === "string" ? json.id : undefined,
    };
  }
  // Amazon Nova (Converse shapes)
  if (json.output?.message) return { message: converseOutputMessage(json.output.message), finish: json.stopReason, tokens: converseTokens(json.usage) };
  // Amazon Titan Text
  if (Array.isArray(json.results)) {
    const r = json.results[0];
    const completion = json.results.reduce((n: number, x: any) => n + (num(x?.tokenCount) ?? 0), 0);
    return { message: { role: "assistant", content: r?.outputText ?? "" }, finish: r?.completionReason, tokens: { prompt: num(json.inputTextTokenCount), completion } };
  }
  // Meta Llama
  if (typeof json.generation === "string") {
    return { message: { role: "assistant", content: json.generation }, finish: json.stop_reason ?? undefined, tokens: { prompt: num(json.prompt_token_count), completion: num(json.generation_token_count) } };
  }
  // Mistral text completion
  if (Array.isArray(json.outputs)) return { message: { role: "assistant", content: json.outputs[0]?.text ?? "" }, finish: json.outputs[0]?.stop_reason ?? undefined };
  // chat-completions style: Mistral chat, AI21 Jamba, OpenAI models, DeepSeek (choices[].text)
  if (Array.isArray(json.choices)) {
    const c = json.choices[0];
    const message = c?.message ? chatOutputMessage(c.message) : { role: "assistant", content: c?.text ?? "" };
    return { message, finish: c?.finish_reason ?? c?.stop_reason ?? undefined, tokens: json.usage ? normalizeUsage(json.usage) : undefined };
  }
  // Cohere Command R chat
  if (typeof json.text === "string" && (json.generation_id !== undefined || json.finish_reason !== undefined)) {
    const m: MessageLike = { role: "assistant", content: json.text };
    const calls = cohereToolCalls(json.tool_calls);
    if (calls) m.toolCalls = calls;
    const billed = json.meta?.billed_units;
    return { message: m, finish: json.finish_reason, tokens: billed ? { prompt: num(billed.input_tokens), completion: num(billed.output_tokens) } : undefined };
  }
  // Cohere Command (legacy)
  if (Array.isArray(json.generations)) return { message: { role: "assistant", content: json.generations[0]?.text ?? "" }, finish: json.generations[0]?.finish_reason };
  // Anthropic text completions (Claude 2)
  if (typeof json.completion === "string") return { message: { role: "assistant", content: json.completion }, finish: json.stop_reason ?? undefined };
  return {};
}

function answerAttributes(answer: Answer): Attributes {
  const a: Attributes = {};
  if (answer.model) a[Attr.MODEL_NAME] = answer.model;
  if (answer.id) a[Attr.RESPONSE_ID] = answer.id;
  if (answer.message) setOutputMessages(a, [answer.message]);
  if (answer.finish) a[Attr.FINISH_REASON] = answer.finish;
  if (answer.tokens) Object.assign(a, tokenAttributes(answer.tokens));
  return a;
}

export function invokeResponse(span: Span, output: any): void {
  if (!output || typeof output !== "object") return;
  const a: Attributes = requestIdAttributes(output);
  const json = parseBody(output.body);
  if (json === undefined) {
    const size = output.body?.byteLength;
    if (typeof size === "number") a[Attr.OUTPUT_VALUE] = bytesNote(size);
    span.setAttributes(a);
    return;
  }
  a[Attr.OUTPUT_VALUE] = payloadText(json);
  a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  Object.assign(a, answerAttributes(answerOf(json)));
  span.setAttributes(a);
}

/** The token counts Bedrock adds to the last chunk of every model's stream. */
function invocationMetrics(json: any): TokenCounts | undefined {
  const m = json?.["amazon-bedrock-invocationMetrics"];
  if (!m) return undefined;
  return { prompt: num(m.inputTokenCount), completion: num(m.outputTokenCount) };
}

/**
 * InvokeModelWithResponseStream: each `{ chunk: { bytes } }` event is one JSON chunk of the
 * model's own streaming format. The family is told by the first chunk; text, tool calls, the
 * finish reason and tokens are gathered as they pass (Bedrock's invocation metrics in the last
 * chunk give the tokens of any model).
 */
export class InvokeStreamAccumulator implements StreamAccumulator {
  private family?: "anthropic" | "converse" | "text";
  private inner?: StreamAccumulator;
  private text = "";
  private finishReason?: string;
  private tokens?: TokenCounts;
  private toolCalls?: ToolCallLike[];

  add(event: any): void {
    const bytes = event?.chunk?.bytes;
    if (!(bytes instanceof Uint8Array)) return;
    const json = JSON.parse(decoder.decode(bytes));
    this.family ??= typeof json.type === "string" && json.type.startsWith("message") ? "anthropic" : json.messageStart || json.contentBlockDelta || json.contentBlockStart ? "converse" : "text";
    const metrics = invocationMetrics(json);
    if (metrics) this.tokens = metrics;
    if (this.family === "anthropic") {
      (this.inner ??= new MessagesStreamAccumulator()).add(json);
      return;
    }
    if (this.family === "converse") {
      (this.inner ??= new ConverseStreamAccumulator()).add(json);
      return;
    }
    this.addText(json);
  }

  /** The text families: Titan, Llama, Mistral (text and chat), Cohere, chat-completions style. */
  private addText(json: any): void {
    if (typeof json.outputText === "string") this.text += json.outputText;
    else if (typeof json.generation === "string") this.text += json.generation;
    else if (Array.isArray(json.outputs)) this.text += json.outputs[0]?.text ?? "";
    else if (Array.isArray(json.choices)) {
      const c = json.choices[0];
      this.text += c?.message?.content ?? c?.delta?.content ?? c?.text ?? "";
      const calls = c?.message?.tool_calls ?? c?.delta?.tool_calls;
      if (Array.isArray(calls) && calls.length) this.toolCalls = calls.map((t: any) => ({ id: t?.id, name: t?.function?.name, arguments: t?.function?.arguments }));
      const reason = c?.finish_reason ?? c?.stop_reason;
      if (reason) this.finishReason = reason;
    } else if (json.event_type === "text-generation" && typeof json.text === "string") this.text += json.text;
    else if (json.event_type === "tool-calls-generation") this.toolCalls = cohereToolCalls(json.tool_calls);
    const reason = json.completionReason ?? json.stop_reason ?? json.outputs?.[0]?.stop_reason ?? json.finish_reason;
    if (reason) this.finishReason = reason;
  }

  finish(span: Span): void {
    if (this.inner) {
      this.inner.finish(span);
      // the invocation metrics are Bedrock's own count: they win over a partial one in the events
      if (this.tokens && this.family !== "anthropic") span.setAttributes(tokenAttributes(this.tokens));
      return;
    }
    const m: MessageLike = { role: "assistant", content: this.text };
    if (this.toolCalls) m.toolCalls = this.toolCalls;
    span.setAttributes({ [Attr.OUTPUT_VALUE]: this.text, [Attr.OUTPUT_MIME_TYPE]: "text/plain", ...answerAttributes({ message: m, finish: this.finishReason, tokens: this.tokens }) });
  }
}

// ---------------------------------------------------------------------------------------------
// embeddings through InvokeModel (Titan, Cohere Embed)
// ---------------------------------------------------------------------------------------------

export function isEmbeddingModel(modelId: unknown): boolean {
  const id = baseModelId(modelId);
  return !!id && /embed/.test(id);
}

export function embeddingRequest(input: any): Attributes {
  const body = parseBody(input?.body);
  const a: Attributes = { [Attr.LLM_PROVIDER]: PROVIDER };
  const system = systemOf(input?.modelId);
  if (system) {
    a[Attr.LLM_SYSTEM] = system;
    a[Attr.SYSTEM] = system;
  }
  if (typeof input?.modelId === "string") a[Attr.EMBEDDING_MODEL_NAME] = input.modelId;
  const texts: string[] = typeof body?.inputText === "string" ? [body.inputText] : Array.isArray(body?.texts) ? body.texts.filter((t: unknown) => typeof t === "string") : [];
  if (texts.length === 1) {
    a[Attr.INPUT_VALUE] = texts[0]!;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
  } else if (body !== undefined) {
    a[Attr.INPUT_VALUE] = payloadText(texts.length ? texts : body);
    a[Attr.INPUT_MIME_TYPE] = "application/json";
  }
  texts.forEach((t, i) => (a[OIA.embeddingText(i)] = t));
  const params = body ? invocationParameters(body, ["inputText", "texts", "images"]) : undefined;
  if (params) a["embedding.invocation_parameters"] = params;
  return a;
}

export function embeddingResponse(span: Span, output: any, recordVectors: boolean): void {
  const json = parseBody(output?.body);
  const a: Attributes = requestIdAttributes(output);
  if (json && typeof json === "object") {
    const vectors: unknown[] = Array.isArray(json.embedding) ? [json.embedding] : Array.isArray(json.embeddings) ? json.embeddings : Array.isArray(json.embeddings?.float) ? json.embeddings.float : [];
    if (recordVectors) vectors.forEach((v, i) => Array.isArray(v) && (a[OIA.embeddingVector(i)] = v as number[]));
    const prompt = num(json.inputTextTokenCount);
    if (prompt !== undefined) Object.assign(a, tokenAttributes({ prompt }));
  }
  span.setAttributes(a);
}
