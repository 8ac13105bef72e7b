/**
 * Mistral (@mistralai/mistralai) request/response → OpenInference attributes: chat and agents
 * completions (messages, content chunks, tool calls, thinking), FIM completions, embeddings,
 * the stream accumulator for CompletionEvents, and the SDK's errors. The SDK hands us its own
 * camelCase objects (maxTokens, toolCalls, finishReason, promptTokens); the wire's snake_case
 * extras it passes through (usage.prompt_tokens_details) are read too.
 *
 * Names: llm.provider and llm.system "mistralai" (OpenInference), gen_ai.system "mistral_ai"
 * (OpenTelemetry), whatever serverURL the client uses (a gateway still serves Mistral's models).
 */
import { LLMProvider, LLMSystem } from "@arizeai/openinference-semantic-conventions";
import type { Attributes, Span } from "@opentelemetry/api";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import {
  imageUrlForSpan,
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

const GEN_AI_SYSTEM = "mistral_ai";

function base(streaming: boolean | undefined): Attributes {
  const a: Attributes = {
    [Attr.LLM_SYSTEM]: LLMSystem.MISTRALAI,
    [Attr.SYSTEM]: GEN_AI_SYSTEM,
    [Attr.LLM_PROVIDER]: LLMProvider.MISTRALAI,
  };
  if (streaming !== undefined) a[Attr.STREAMING] = streaming;
  return a;
}

// ---------------------------------------------------------------------------------------------
// messages
// ---------------------------------------------------------------------------------------------

/** A content chunk's text (text chunks, and the text inside a thinking chunk). */
function chunkText(chunks: unknown): string {
  if (!Array.isArray(chunks)) return "";
  return chunks.map((c: any) => (typeof c === "string" ? c : c?.type === "text" || c?.text !== undefined ? (c.text ?? "") : "")).join("");
}

function contentParts(chunks: unknown[]): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const c of chunks as any[]) {
    if (!c || typeof c !== "object") continue;
    switch (c.type) {
      case "text":
        parts.push({ type: "text", text: c.text });
        break;
      case "thinking":
        parts.push({ type: "reasoning", text: chunkText(c.thinking) });
        break;
      case "image_url": {
        const url = typeof c.imageUrl === "string" ? c.imageUrl : c.imageUrl?.url;
        parts.push({ type: "image", imageUrl: imageUrlForSpan(url) });
        break;
      }
      case "document_url":
        parts.push({ type: "document", text: c.documentUrl });
        break;
      case "input_audio":
        parts.push({ type: "audio" });
        break;
      default:
        parts.push({ type: String(c.type ?? "unknown") });
    }
  }
  return parts;
}

/** A message's content as MessageLike fields: a string stays content, chunks become parts. */
function withContent(m: MessageLike, content: unknown): MessageLike {
  if (typeof content === "string") m.content = content;
  else if (Array.isArray(content)) {
    const parts = contentParts(content);
    // one text chunk reads as plain content
    if (parts.length === 1 && parts[0]!.type === "text") m.content = parts[0]!.text;
    else m.contents = parts;
  }
  return m;
}

function toolCallsOf(calls: unknown): ToolCallLike[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((tc: any) => ({
    id: tc?.id,
    name: tc?.function?.name,
    arguments: typeof tc?.function?.arguments === "string" ? tc.function.arguments : stringify(tc?.function?.arguments ?? {}),
  }));
}

export function inputMessage(m: any): MessageLike {
  const out = withContent({ role: m?.role }, m?.content);
  if (m?.role === "assistant") out.toolCalls = toolCallsOf(m.toolCalls ?? m.tool_calls);
  if (m?.role === "tool") {
    const callId = m.toolCallId ?? m.tool_call_id;
    if (callId) out.toolCallId = callId;
    if (typeof m.name === "string") out.name = m.name;
  }
  return out;
}

function outputMessage(msg: any): MessageLike {
  const out = withContent({ role: msg?.role ?? "assistant" }, msg?.content);
  out.toolCalls = toolCallsOf(msg?.toolCalls ?? msg?.tool_calls);
  return out;
}

// ---------------------------------------------------------------------------------------------
// chat and agents completions
// ---------------------------------------------------------------------------------------------

/**
 * A structured-output request (chat.parse / parseStream) names its response format by a schema
 * object of the app's validation library (zod), which the SDK sends as a JSON schema: recorded as
 * that kind of format, not as the library's internals.
 */
function plainBody(body: any): any {
  const rf = body?.responseFormat;
  if (rf && typeof rf === "object" && typeof rf.safeParse === "function") return { ...body, responseFormat: { type: "json_schema" } };
  return body;
}

export function chatRequest(body: any, streaming: boolean): Attributes {
  const a = base(streaming);
  const plain = plainBody(body);
  if (typeof body?.model === "string") a[Attr.MODEL_NAME] = body.model;
  a[Attr.INPUT_VALUE] = stringify(plain);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  const params = invocationParameters(plain, ["messages", "tools"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  if (Array.isArray(body?.messages)) setInputMessages(a, body.messages.map(inputMessage));
  setTools(a, body?.tools);
  return a;
}

function usageAttributes(usage: unknown): Attributes {
  const counts = normalizeUsage(usage);
  // the SDK passes the wire's details through under their snake_case names, or camelCase ones
  const u = usage as any;
  counts.cacheRead ??= u?.promptTokensDetails?.cachedTokens ?? u?.prompt_tokens_details?.cached_tokens;
  return tokenAttributes(counts);
}

export function chatResponse(span: Span, completion: any): void {
  if (!completion || typeof completion !== "object") return;
  const a: Attributes = { [Attr.OUTPUT_VALUE]: stringify(completion), [Attr.OUTPUT_MIME_TYPE]: "application/json" };
  if (typeof completion.model === "string" && completion.model) a[Attr.MODEL_NAME] = completion.model;
  const choices: any[] = Array.isArray(completion.choices) ? completion.choices : [];
  setOutputMessages(
    a,
    choices.map((c) => outputMessage(c?.message)),
  );
  const finish = choices[0]?.finishReason ?? choices[0]?.finish_reason;
  if (typeof finish === "string") a[Attr.FINISH_REASON] = finish;
  if (completion.usage) Object.assign(a, usageAttributes(completion.usage));
  span.setAttributes(a);
}

interface ChoiceAcc {
  text: string;
  thinking: string;
  role?: string;
  finish?: string;
  tools: { id?: string; name?: string; arguments: string }[];
}

/**
 * Rebuilds the message(s) of a streamed chat, agents or FIM completion from its CompletionEvents
 * (`{ data: CompletionChunk }`): content strings or chunks, thinking chunks, tool calls (whole or
 * in pieces by index), the finish reason, and the usage the last chunk carries.
 */
export class CompletionStreamAccumulator implements StreamAccumulator {
  private choices: ChoiceAcc[] = [];
  private model?: string;
  private usage?: unknown;

  add(event: any): void {
    const chunk = event?.data ?? event;
    if (typeof chunk?.model === "string" && chunk.model) this.model = chunk.model;
    if (chunk?.usage) this.usage = chunk.usage;
    const cs = chunk?.choices;
    if (!Array.isArray(cs)) return;
    for (const c of cs) {
      const acc = (this.choices[c?.index ?? 0] ??= { text: "", thinking: "", tools: [] });
      const d = c?.delta;
      if (d) {
        if (d.role) acc.role = d.role;
        if (typeof d.content === "string") acc.text += d.content;
        else if (Array.isArray(d.content)) {
          for (const part of d.content) {
            if (part?.type === "thinking") acc.thinking += chunkText(part.thinking);
            else if (part?.type === "text") acc.text += part.text ?? "";
          }
        }
        const calls = d.toolCalls ?? d.tool_calls;
        if (Array.isArray(calls)) {
          for (let k = 0; k < calls.length; k++) {
            const tc = calls[k];
            const t = (acc.tools[tc?.index ?? acc.tools.length] ??= { arguments: "" });
            if (tc?.id) t.id = tc.id;
            if (tc?.function?.name) t.name = tc.function.name;
            const args = tc?.function?.arguments;
            if (typeof args === "string") t.arguments += args;
            else if (args && typeof args === "object") t.arguments = stringify(args);
          }
        }
      }
      const finish = c?.finishReason ?? c?.finish_reason;
      if (typeof finish === "string") acc.finish = finish;
    }
  }

  finish(span: Span): void {
    const a: Attributes = {};
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    const first = this.choices[0];
    a[Attr.OUTPUT_VALUE] = first?.text ?? "";
    a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    const msgs: MessageLike[] = [];
    for (const c of this.choices) {
      if (!c) continue;
      const m: MessageLike = { role: c.role ?? "assistant" };
      // content is always recorded for a streamed choice, "" when only tool calls came
      if (c.thinking) m.contents = [{ type: "reasoning", text: c.thinking }, { type: "text", text: c.text }];
      else m.content = c.text;
      const tools = c.tools.filter(Boolean);
      if (tools.length) m.toolCalls = tools.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments }));
      msgs.push(m);
    }
    setOutputMessages(a, msgs);
    if (first?.finish) a[Attr.FINISH_REASON] = first.finish;
    if (this.usage) Object.assign(a, usageAttributes(this.usage));
    span.setAttributes(a);
  }
}

// ---------------------------------------------------------------------------------------------
// FIM (fill-in-the-middle) completions
// ---------------------------------------------------------------------------------------------

export function fimRequest(body: any, streaming: boolean): Attributes {
  const a = base(streaming);
  if (typeof body?.model === "string") a[Attr.MODEL_NAME] = body.model;
  const prompt = body?.prompt;
  if (typeof prompt === "string") {
    a[Attr.LLM_PROMPTS] = [prompt];
    if (typeof body.suffix === "string") {
      a[Attr.INPUT_VALUE] = stringify({ prompt, suffix: body.suffix });
      a[Attr.INPUT_MIME_TYPE] = "application/json";
    } else {
      a[Attr.INPUT_VALUE] = prompt;
      a[Attr.INPUT_MIME_TYPE] = "text/plain";
    }
  }
  const params = invocationParameters(body, ["prompt", "suffix"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  return a;
}

// ---------------------------------------------------------------------------------------------
// embeddings
// ---------------------------------------------------------------------------------------------

export function embeddingsRequest(body: any): Attributes {
  const a = base(undefined);
  if (typeof body?.model === "string") a[Attr.EMBEDDING_MODEL_NAME] = body.model;
  const input = body?.inputs ?? body?.input;
  if (typeof input === "string") {
    a[Attr.INPUT_VALUE] = input;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
    a[OIA.embeddingText(0)] = input;
  } else {
    a[Attr.INPUT_VALUE] = stringify(input);
    a[Attr.INPUT_MIME_TYPE] = "application/json";
    if (Array.isArray(input)) input.forEach((t: unknown, i: number) => typeof t === "string" && (a[OIA.embeddingText(i)] = t));
  }
  const params = invocationParameters(body, ["inputs", "input"]);
  if (params) a["embedding.invocation_parameters"] = params;
  return a;
}

export function embeddingsResponse(span: Span, result: any, recordVectors: boolean): void {
  if (!result || typeof result !== "object") return;
  const a: Attributes = {};
  if (typeof result.model === "string" && result.model) a[Attr.EMBEDDING_MODEL_NAME] = result.model;
  if (recordVectors && Array.isArray(result.data)) {
    result.data.forEach((d: any, i: number) => Array.isArray(d?.embedding) && (a[OIA.embeddingVector(i)] = d.embedding));
  }
  if (result.usage) Object.assign(a, usageAttributes(result.usage));
  span.setAttributes(a);
}

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * The SDK's errors carry their status as `statusCode` (MistralError, 1.x SDKError) or only on the
 * raw response; a 1.x HTTPValidationError carries none, but the SDK raises it for 422 alone.
 * error.type: Mistral's error type from the body ("rate_limit_exceeded") when it names one.
 */
export function mistralErrorAttributes(err: unknown): Attributes | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as any;
  const a: Attributes = {};
  const status = typeof e.statusCode === "number" ? e.statusCode : typeof e.rawResponse?.status === "number" ? e.rawResponse.status : e.name === "HTTPValidationError" ? 422 : undefined;
  if (status !== undefined) a["http.response.status_code"] = status;
  if (typeof e.body === "string" && e.body.startsWith("{")) {
    try {
      const type = JSON.parse(e.body)?.type;
      if (typeof type === "string" && type) a["error.type"] = type;
    } catch {
      /* not JSON */
    }
  }
  return a;
}
