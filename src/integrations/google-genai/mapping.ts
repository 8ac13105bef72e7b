/**
 * Google GenAI (@google/genai) request/response → OpenInference attributes: generateContent
 * parameters (contents, systemInstruction, config, function declarations), GenerateContentResponse
 * (candidates, usageMetadata, modelVersion), the stream accumulator, embedContent, and the SDK's
 * errors. Pure functions of the SDK's own parameter and response objects.
 *
 * Names: llm.provider "google" (OpenInference's LLMProvider, for the Gemini API and Vertex AI
 * alike), llm.system "vertexai" (OpenInference's LLMSystem for Google's models), and
 * gen_ai.system "gcp.gemini" or "gcp.vertex_ai" (OpenTelemetry's names) to tell the two apart.
 * Roles: Gemini's "model" is recorded as "assistant", and each functionResponse part as a
 * "tool" message, as for every other provider.
 */
import { LLMProvider, LLMSystem } from "@arizeai/openinference-semantic-conventions";
import type { Attributes, Span } from "@opentelemetry/api";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { tokenAttributes, type TokenCounts } from "../../spans/usage";
import {
  imageUrlForSpan,
  invocationParameters,
  setInputMessages,
  setOutputMessages,
  setTools,
  stringify,
  truncateText,
  type ContentPart,
  type MessageLike,
  type StreamAccumulator,
  type ToolCallLike,
} from "../kit";

const SYSTEM = LLMSystem.VERTEXAI;
const PROVIDER = LLMProvider.GOOGLE;
/** OpenTelemetry's gen_ai.system for each backend. */
const GEN_AI_SYSTEM = { gemini: "gcp.gemini", vertex: "gcp.vertex_ai" } as const;

/** Config keys that are not invocation parameters: inputs recorded elsewhere, and transport (headers hold keys). */
const NOT_PARAMETERS = ["systemInstruction", "tools", "httpOptions", "abortSignal"];

/** Whether the Models instance behind a call talks to Vertex AI. */
export function isVertex(self: any): boolean {
  const client = self?.apiClient;
  if (typeof client?.isVertexAI === "function") return client.isVertexAI() === true;
  return client?.clientOptions?.vertexai === true;
}

function base(self: any, streaming: boolean | undefined): Attributes {
  const a: Attributes = {
    [Attr.LLM_SYSTEM]: SYSTEM,
    [Attr.SYSTEM]: isVertex(self) ? GEN_AI_SYSTEM.vertex : GEN_AI_SYSTEM.gemini,
    [Attr.LLM_PROVIDER]: PROVIDER,
  };
  if (streaming !== undefined) a[Attr.STREAMING] = streaming;
  return a;
}

/** "models/gemini-2.5-flash", "publishers/google/models/x", "projects/…/models/x" → the model id. */
export function modelId(model: unknown): string | undefined {
  if (typeof model !== "string" || model === "") return undefined;
  const at = model.lastIndexOf("models/");
  if (at === -1 || model.startsWith("tunedModels/")) return model;
  return model.slice(at + "models/".length);
}

/** The parameters without transport options, for input.value (httpOptions may carry an API key header). */
function withoutTransport(params: any): any {
  const config = params?.config;
  if (!config || typeof config !== "object" || (config.httpOptions === undefined && config.abortSignal === undefined)) return params;
  const { httpOptions: _h, abortSignal: _s, ...rest } = config;
  return { ...params, config: rest };
}

/** The model and the config, as llm.invocation_parameters (the kit also drops anything named like a secret). */
function parametersOf(params: any): string {
  const config = params?.config && typeof params.config === "object" ? params.config : {};
  return invocationParameters({ model: params?.model, ...config }, NOT_PARAMETERS) ?? "{}";
}

// ---------------------------------------------------------------------------------------------
// contents
// ---------------------------------------------------------------------------------------------

const isContent = (x: any): boolean => !!x && typeof x === "object" && (Array.isArray(x.parts) || typeof x.role === "string");

/** ContentListUnion → Content[], as the SDK reads it: strings and parts become one user turn. */
export function normalizeContents(contents: unknown): any[] {
  if (contents === undefined || contents === null) return [];
  if (!Array.isArray(contents)) return isContent(contents) ? [contents] : [{ role: "user", parts: [contents] }];
  const out: any[] = [];
  let loose: any[] = [];
  for (const item of contents) {
    if (isContent(item)) {
      if (loose.length) out.push({ role: "user", parts: loose });
      loose = [];
      out.push(item);
    } else loose.push(item);
  }
  if (loose.length) out.push({ role: "user", parts: loose });
  return out;
}

const roleOf = (role: unknown): string => (role === "model" ? "assistant" : typeof role === "string" ? role : "user");

function mediaPart(mimeType: unknown, url: string | undefined): ContentPart {
  const mime = typeof mimeType === "string" ? mimeType : "";
  if (mime.startsWith("image/")) return { type: "image", imageUrl: url };
  if (mime.startsWith("audio/")) return { type: "audio" };
  if (mime.startsWith("video/")) return { type: "video" };
  return { type: "file" };
}

/**
 * One Content may become several messages: its functionResponse parts are `tool` messages, the
 * rest (text, thoughts, media, function calls) one message in the content's role.
 */
export function contentMessages(content: any, roleOverride?: string): MessageLike[] {
  const role = roleOverride ?? roleOf(content?.role);
  const parts: any[] = typeof content === "string" ? [{ text: content }] : Array.isArray(content?.parts) ? content.parts : [];
  const texts: string[] = [];
  const contents: ContentPart[] = [];
  const toolCalls: ToolCallLike[] = [];
  const toolResults: MessageLike[] = [];
  for (const raw of parts) {
    const p = typeof raw === "string" ? { text: raw } : raw;
    if (!p || typeof p !== "object") continue;
    if (typeof p.text === "string") {
      if (p.thought === true) contents.push({ type: "reasoning", text: p.text });
      else {
        texts.push(p.text);
        contents.push({ type: "text", text: p.text });
      }
    } else if (p.functionCall) {
      toolCalls.push({ id: p.functionCall.id, name: p.functionCall.name, arguments: stringify(p.functionCall.args ?? {}) });
    } else if (p.functionResponse) {
      const fr = p.functionResponse;
      toolResults.push({ role: "tool", name: fr.name, toolCallId: fr.id, content: stringify(fr.response ?? {}) });
    } else if (p.inlineData) {
      const d = p.inlineData;
      contents.push(mediaPart(d.mimeType, typeof d.data === "string" ? imageUrlForSpan(`data:${d.mimeType};base64,${d.data}`) : undefined));
    } else if (p.fileData) {
      contents.push(mediaPart(p.fileData.mimeType, p.fileData.fileUri));
    } else if (p.executableCode) {
      contents.push({ type: "executable_code", text: p.executableCode.code });
    } else if (p.codeExecutionResult) {
      contents.push({ type: "code_execution_result", text: p.codeExecutionResult.output });
    }
  }
  const out: MessageLike[] = [];
  if (contents.length > 0 || toolCalls.length > 0 || toolResults.length === 0) {
    const m: MessageLike = { role };
    // one plain text part is the message's content; anything richer keeps its parts
    if (texts.length === 1 && contents.length === 1) m.content = texts[0];
    else if (contents.length > 0) m.contents = contents;
    if (toolCalls.length > 0) m.toolCalls = toolCalls;
    out.push(m);
  }
  out.push(...toolResults);
  return out;
}

/** Tools as OpenInference lists them: one entry per function declaration, one per other tool. */
function flattenTools(tools: unknown): unknown[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const out: unknown[] = [];
  for (const t of tools) {
    if (t && typeof t === "object" && Array.isArray((t as any).functionDeclarations)) {
      const { functionDeclarations, ...others } = t as any;
      out.push(...functionDeclarations);
      if (Object.keys(others).length > 0) out.push(others);
    } else out.push(t);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// generateContent
// ---------------------------------------------------------------------------------------------

export function generateContentRequest(params: any, self: any, streaming: boolean): Attributes {
  const a = base(self, streaming);
  const model = modelId(params?.model);
  if (model !== undefined) a[Attr.MODEL_NAME] = model;
  a[Attr.INPUT_VALUE] = stringify(withoutTransport(params));
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  a[Attr.INVOCATION_PARAMETERS] = parametersOf(params);
  const msgs: MessageLike[] = [];
  const system = params?.config?.systemInstruction;
  if (system !== undefined && system !== null) {
    for (const c of normalizeContents(system)) msgs.push(...contentMessages(c, "system"));
  }
  for (const c of normalizeContents(params?.contents)) msgs.push(...contentMessages(c));
  setInputMessages(a, msgs);
  setTools(a, flattenTools(params?.config?.tools));
  return a;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function modalityTokens(details: unknown, modality: string): number | undefined {
  if (!Array.isArray(details)) return undefined;
  let n: number | undefined;
  for (const d of details) if (d?.modality === modality && num(d.tokenCount) !== undefined) n = (n ?? 0) + d.tokenCount;
  return n;
}

/**
 * usageMetadata → token counts. promptTokenCount already includes the cached part
 * (cachedContentTokenCount) and tool-use prompts are counted apart; thoughts are output tokens
 * billed beside the candidates, so they are part of the completion and its reasoning detail.
 */
export function usageCounts(u: any): TokenCounts {
  if (!u || typeof u !== "object") return {};
  const c: TokenCounts = {};
  const prompt = num(u.promptTokenCount);
  const toolUse = num(u.toolUsePromptTokenCount);
  if (prompt !== undefined || toolUse !== undefined) c.prompt = (prompt ?? 0) + (toolUse ?? 0);
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  if (candidates !== undefined || thoughts !== undefined) c.completion = (candidates ?? 0) + (thoughts ?? 0);
  c.total = num(u.totalTokenCount);
  c.cacheRead = num(u.cachedContentTokenCount);
  c.reasoning = thoughts;
  c.promptAudio = modalityTokens(u.promptTokensDetails, "AUDIO");
  c.completionAudio = modalityTokens(u.candidatesTokensDetails, "AUDIO");
  return c;
}

/** The response as output.value: the SDK's object without its HTTP headers. */
function responseJson(response: any): string {
  if (response && typeof response === "object" && "sdkHttpResponse" in response) {
    const { sdkHttpResponse: _h, ...rest } = response;
    return stringify(rest);
  }
  return stringify(response);
}

function finishReasonOf(response: any): string | undefined {
  const first = response?.candidates?.[0]?.finishReason;
  if (typeof first === "string") return first;
  // a blocked prompt has no candidates: the block reason says why
  const blocked = response?.promptFeedback?.blockReason;
  return typeof blocked === "string" ? blocked : undefined;
}

export function generateContentResponse(span: Span, response: any): void {
  if (!response || typeof response !== "object") return;
  const a: Attributes = { [Attr.OUTPUT_VALUE]: responseJson(response), [Attr.OUTPUT_MIME_TYPE]: "application/json" };
  if (typeof response.modelVersion === "string" && response.modelVersion) a[Attr.MODEL_NAME] = response.modelVersion;
  const candidates: any[] = Array.isArray(response.candidates) ? response.candidates : [];
  setOutputMessages(
    a,
    candidates.map((c) => contentMessages(c?.content, "assistant")[0]!),
  );
  const finish = finishReasonOf(response);
  if (finish) a[Attr.FINISH_REASON] = finish;
  Object.assign(a, tokenAttributes(usageCounts(response.usageMetadata)));
  span.setAttributes(a);
}

interface CandidateAcc {
  parts: any[];
  finish?: string;
}

/**
 * Rebuilds the candidates of a streamed generateContent from its chunks: text and thought
 * pieces are joined, function calls (sent whole) kept in order; the last usageMetadata is the
 * total.
 */
export class GenerateContentStreamAccumulator implements StreamAccumulator {
  private candidates: CandidateAcc[] = [];
  private model?: string;
  private usage?: unknown;
  private blockReason?: string;
  constructor(private readonly maxLength: number) {}

  add(chunk: any): void {
    if (typeof chunk?.modelVersion === "string" && chunk.modelVersion) this.model = chunk.modelVersion;
    if (chunk?.usageMetadata) this.usage = chunk.usageMetadata;
    if (chunk?.promptFeedback?.blockReason) this.blockReason = chunk.promptFeedback.blockReason;
    const cs = chunk?.candidates;
    if (!Array.isArray(cs)) return;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      const acc = (this.candidates[typeof c?.index === "number" ? c.index : i] ??= { parts: [] });
      if (typeof c?.finishReason === "string") acc.finish = c.finishReason;
      const parts = c?.content?.parts;
      if (!Array.isArray(parts)) continue;
      for (const p of parts) {
        const last = acc.parts[acc.parts.length - 1];
        // consecutive text pieces of the same kind (answer or thought) are one part
        if (typeof p?.text === "string" && last && typeof last.text === "string" && !!last.thought === !!p.thought) last.text += p.text;
        else if (p && typeof p === "object") acc.parts.push({ ...p });
      }
    }
  }

  finish(span: Span): void {
    const a: Attributes = {};
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    const first = this.candidates[0];
    const answer = (first?.parts ?? []).filter((p) => typeof p.text === "string" && !p.thought).map((p) => p.text).join("");
    a[Attr.OUTPUT_VALUE] = truncateText(answer, this.maxLength);
    a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    const msgs: MessageLike[] = [];
    for (const c of this.candidates) {
      if (!c) continue;
      const parts = c.parts.map((p) => (typeof p.text === "string" ? { ...p, text: truncateText(p.text, this.maxLength) } : p));
      // content is always recorded for a streamed candidate, "" when only function calls came
      const m = contentMessages({ parts }, "assistant")[0]!;
      if (m.content === undefined && m.contents === undefined) m.content = "";
      msgs.push(m);
    }
    setOutputMessages(a, msgs);
    const finish = first?.finish ?? this.blockReason;
    if (finish) a[Attr.FINISH_REASON] = finish;
    Object.assign(a, tokenAttributes(usageCounts(this.usage)));
    span.setAttributes(a);
  }
}

// ---------------------------------------------------------------------------------------------
// embedContent
// ---------------------------------------------------------------------------------------------

/** The texts being embedded, one per content (its text parts joined). */
function embeddedTexts(contents: unknown): string[] | undefined {
  const list = Array.isArray(contents) ? contents : contents === undefined || contents === null ? [] : [contents];
  const texts: string[] = [];
  for (const c of list) {
    if (typeof c === "string") texts.push(c);
    else if (Array.isArray((c as any)?.parts)) texts.push((c as any).parts.map((p: any) => (typeof p === "string" ? p : (p?.text ?? ""))).join(""));
    else if (typeof (c as any)?.text === "string") texts.push((c as any).text);
    else return undefined;
  }
  return texts;
}

export function embedContentRequest(params: any, self: any): Attributes {
  const a = base(self, undefined);
  const model = modelId(params?.model);
  if (model !== undefined) a[Attr.EMBEDDING_MODEL_NAME] = model;
  // the SDK's Vertex path passes a single `content` beside `contents`
  const contents = params?.contents ?? params?.content;
  if (typeof contents === "string") {
    a[Attr.INPUT_VALUE] = contents;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
  } else {
    a[Attr.INPUT_VALUE] = stringify(contents);
    a[Attr.INPUT_MIME_TYPE] = "application/json";
  }
  embeddedTexts(contents)?.forEach((t, i) => (a[OIA.embeddingText(i)] = t));
  a["embedding.invocation_parameters"] = parametersOf(params);
  return a;
}

export function embedContentResponse(span: Span, response: any, recordVectors: boolean): void {
  if (!response || typeof response !== "object") return;
  const a: Attributes = {};
  const embeddings: any[] = Array.isArray(response.embeddings) ? response.embeddings : [];
  if (recordVectors) embeddings.forEach((e, i) => Array.isArray(e?.values) && (a[OIA.embeddingVector(i)] = e.values));
  // Gemini embedding models report usage; Vertex's text-embedding models count per embedding
  let prompt = num(response.usageMetadata?.promptTokenCount);
  if (prompt === undefined) {
    for (const e of embeddings) {
      const n = num(e?.statistics?.tokenCount);
      if (n !== undefined) prompt = (prompt ?? 0) + n;
    }
  }
  if (prompt !== undefined) Object.assign(a, tokenAttributes({ prompt, total: num(response.usageMetadata?.totalTokenCount) ?? prompt }));
  span.setAttributes(a);
}

// ---------------------------------------------------------------------------------------------
// errors
// ---------------------------------------------------------------------------------------------

/**
 * The status and Google's error status name ("RESOURCE_EXHAUSTED") from an SDK error: ApiError
 * carries `status` and the JSON body as its message; early 1.x ClientError/ServerError only say
 * "got status: 429 Too Many Requests. {…}".
 */
export function googleErrorAttributes(err: unknown): Attributes | undefined {
  const message = (err as any)?.message;
  if (typeof message !== "string") return undefined;
  const a: Attributes = {};
  if (typeof (err as any).status !== "number") {
    const m = /^got status: (\d{3})\b/.exec(message);
    if (m) a["http.response.status_code"] = Number(m[1]);
  }
  const brace = message.indexOf("{");
  if (brace !== -1) {
    try {
      const status = JSON.parse(message.slice(brace))?.error?.status;
      if (typeof status === "string" && status) a["error.type"] = status;
    } catch {
      /* not a JSON body */
    }
  }
  return a;
}
