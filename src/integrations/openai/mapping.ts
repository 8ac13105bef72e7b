/**
 * OpenAI request/response → OpenInference attributes. Pure functions of the request body and
 * the SDK's parsed values (chat completions, Responses API, embeddings, legacy completions)
 * plus the stream accumulators. Key and value conventions follow
 * @arizeai/openinference-instrumentation-openai; deliberate differences are in the docs.
 */
import type { Attributes, Span } from "@opentelemetry/api";
import { LLMProvider } from "@arizeai/openinference-semantic-conventions";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import {
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

const SYSTEM = "openai";

/**
 * Who serves the call, from the client's class and options: a base URL names only a host (a
 * proxy, a private endpoint, 127.0.0.1). AzureOpenAI has an API version and a deployment;
 * openai 7's BedrockOpenAI a Bedrock token provider; any other client is named by its base URL.
 */
function providerOf(client: any): string {
  if (client && typeof client.apiVersion === "string" && "deploymentName" in client) return LLMProvider.AZURE;
  if (client && "bedrockTokenProvider" in client) return LLMProvider.AWS;
  return providerFromBaseURL(client?.baseURL, SYSTEM);
}

/** An Azure deployment: the client's, one already in its base URL, or the request's model (the SDK's order). */
function azureAttributes(client: any, body: any, a: Attributes): void {
  a["azure.openai.api_version"] = client.apiVersion;
  const inURL = typeof client.baseURL === "string" ? /\/deployments\/([^/?]+)/.exec(client.baseURL)?.[1] : undefined;
  const deployment = client.deploymentName || (inURL && decodeURIComponent(inURL)) || body?.model;
  if (typeof deployment === "string" && deployment) a["azure.openai.deployment"] = deployment;
}

function base(self: any, streaming: boolean | undefined, body?: any): Attributes {
  const client = clientOf(self);
  const provider = providerOf(client);
  const a: Attributes = {
    [Attr.LLM_SYSTEM]: SYSTEM,
    [Attr.SYSTEM]: SYSTEM,
    [Attr.LLM_PROVIDER]: provider,
  };
  if (provider === LLMProvider.AZURE && typeof client.apiVersion === "string") azureAttributes(client, body, a);
  if (streaming !== undefined) a[Attr.STREAMING] = streaming;
  return a;
}

// ---------------------------------------------------------------------------------------------
// chat completions
// ---------------------------------------------------------------------------------------------

function chatContentParts(content: unknown[]): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const p of content as any[]) {
    if (!p || typeof p !== "object") continue;
    if (p.type === "text") parts.push({ type: "text", text: p.text });
    else if (p.type === "image_url") parts.push({ type: "image", imageUrl: imageUrlForSpan(p.image_url?.url) });
    else if (p.type === "refusal") parts.push({ type: "refusal", text: p.refusal });
    else if (p.type === "input_audio") parts.push({ type: "audio" });
    else if (p.type === "file") parts.push({ type: "file" });
  }
  return parts;
}

function chatToolCalls(calls: unknown): ToolCallLike[] | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((tc: any) =>
    tc?.type === "function" || tc?.function
      ? { id: tc.id, name: tc.function?.name, arguments: tc.function?.arguments }
      : { id: tc?.id, name: tc?.custom?.name ?? tc?.type, arguments: tc?.custom?.input },
  );
}

export function chatInputMessage(m: any): MessageLike {
  const out: MessageLike = { role: m?.role };
  if (typeof m?.content === "string") out.content = m.content;
  else if (Array.isArray(m?.content)) out.contents = chatContentParts(m.content);
  if (typeof m?.name === "string" && m.role !== "function") out.name = m.name;
  if (m?.role === "assistant") {
    out.toolCalls = chatToolCalls(m.tool_calls);
    if (m.function_call) out.functionCall = { name: m.function_call.name, arguments: m.function_call.arguments };
  }
  if (m?.role === "tool" && m.tool_call_id) out.toolCallId = m.tool_call_id;
  if (m?.role === "function" && m.name) out.functionCall = { name: m.name };
  return out;
}

export function chatRequest(body: any, self: any): Attributes {
  const a = base(self, body?.stream === true, body);
  if (body?.model !== undefined) a[Attr.MODEL_NAME] = body.model;
  a[Attr.INPUT_VALUE] = stringify(body);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  const params = invocationParameters(body, ["messages", "tools", "functions"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  if (Array.isArray(body?.messages)) setInputMessages(a, body.messages.map(chatInputMessage));
  setTools(a, body?.tools ?? body?.functions);
  return a;
}

export function chatOutputMessage(msg: any): MessageLike {
  const out: MessageLike = { role: msg?.role ?? "assistant" };
  if (msg?.content) out.content = msg.content;
  else if (msg?.refusal) out.content = msg.refusal;
  out.toolCalls = chatToolCalls(msg?.tool_calls);
  if (msg?.function_call) out.functionCall = { name: msg.function_call.name, arguments: msg.function_call.arguments };
  return out;
}

export function chatResponse(span: Span, completion: any): void {
  if (!completion || typeof completion !== "object") return;
  const a: Attributes = {};
  a[Attr.OUTPUT_VALUE] = stringify(completion);
  a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  if (completion.model) a[Attr.MODEL_NAME] = completion.model;
  if (typeof completion.id === "string") a[Attr.RESPONSE_ID] = completion.id;
  const choices: any[] = Array.isArray(completion.choices) ? completion.choices : [];
  setOutputMessages(
    a,
    choices.map((c) => chatOutputMessage(c?.message)),
  );
  if (choices[0]?.finish_reason) a[Attr.FINISH_REASON] = choices[0].finish_reason;
  if (completion.usage) Object.assign(a, tokenAttributes(normalizeUsage(completion.usage)));
  span.setAttributes(a);
}

interface ChoiceAcc {
  content: string;
  refusal: string;
  role?: string;
  finish?: string;
  tools: { id?: string; name?: string; arguments: string }[];
  fn?: { name?: string; arguments: string };
}

/** Rebuilds the assistant message(s) of a streamed chat completion from its chunks. */
export class ChatStreamAccumulator implements StreamAccumulator {
  private choices: ChoiceAcc[] = [];
  private model?: string;
  private id?: string;
  private usage?: unknown;

  add(chunk: any): void {
    if (chunk.model) this.model = chunk.model;
    if (typeof chunk.id === "string") this.id = chunk.id;
    if (chunk.usage) this.usage = chunk.usage;
    const cs = chunk.choices;
    if (!cs) return;
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i];
      const idx = c.index ?? 0;
      const acc = (this.choices[idx] ??= { content: "", refusal: "", tools: [] });
      const d = c.delta;
      if (d) {
        if (d.role) acc.role = d.role;
        if (d.content) acc.content += d.content;
        if (d.refusal) acc.refusal += d.refusal;
        if (d.tool_calls) {
          for (const tc of d.tool_calls) {
            const t = (acc.tools[tc.index ?? 0] ??= { arguments: "" });
            if (tc.id) t.id = tc.id;
            if (tc.function?.name) t.name = tc.function.name;
            if (tc.function?.arguments) t.arguments += tc.function.arguments;
          }
        }
        if (d.function_call) {
          acc.fn ??= { arguments: "" };
          if (d.function_call.name) acc.fn.name = d.function_call.name;
          if (d.function_call.arguments) acc.fn.arguments += d.function_call.arguments;
        }
      }
      if (c.finish_reason) acc.finish = c.finish_reason;
    }
  }

  finish(span: Span): void {
    const a: Attributes = {};
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    if (this.id) a[Attr.RESPONSE_ID] = this.id;
    const first = this.choices[0];
    a[Attr.OUTPUT_VALUE] = first?.content || first?.refusal || "";
    a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    const msgs: MessageLike[] = [];
    for (let i = 0; i < this.choices.length; i++) {
      const c = this.choices[i];
      if (!c) continue;
      // content is always recorded for a streamed choice, "" when only tool calls came (as the reference does)
      const m: MessageLike = { role: c.role ?? "assistant", content: c.content || c.refusal };
      const tools = c.tools.filter(Boolean);
      if (tools.length) m.toolCalls = tools.map((t) => ({ id: t.id, name: t.name, arguments: t.arguments }));
      if (c.fn) m.functionCall = c.fn;
      msgs[i] = m;
    }
    setOutputMessages(a, msgs.filter(Boolean));
    if (first?.finish) a[Attr.FINISH_REASON] = first.finish;
    if (this.usage) Object.assign(a, tokenAttributes(normalizeUsage(this.usage)));
    span.setAttributes(a);
  }
}

// ---------------------------------------------------------------------------------------------
// Responses API
// ---------------------------------------------------------------------------------------------

function responseItemMessage(item: any): MessageLike {
  if (typeof item === "string") return { role: "user", content: item };
  if (!item || typeof item !== "object") return {};
  if ("role" in item && (item.type === undefined || item.type === "message")) {
    const m: MessageLike = { role: item.role };
    if (typeof item.content === "string") m.content = item.content;
    else if (Array.isArray(item.content)) {
      m.contents = [];
      for (const p of item.content) {
        if (p?.type === "input_text" || p?.type === "output_text") m.contents.push({ type: p.type, text: p.text });
        else if (p?.type === "input_image") m.contents.push({ type: "input_image", imageUrl: imageUrlForSpan(p.image_url) });
        else if (p?.type === "refusal") m.contents.push({ type: "refusal", text: p.refusal });
        else if (p?.type === "input_file") m.contents.push({ type: "input_file" });
      }
    }
    return m;
  }
  switch (item.type) {
    case "function_call":
      return { role: "assistant", toolCalls: [{ id: item.call_id, name: item.name, arguments: item.arguments }] };
    case "custom_tool_call":
      return { role: "assistant", toolCalls: [{ id: item.call_id, name: item.name, arguments: item.input }] };
    case "function_call_output":
    case "custom_tool_call_output":
      return { role: "tool", toolCallId: item.call_id, content: typeof item.output === "string" ? item.output : stringify(item.output) };
    case "reasoning": {
      const texts = (item.summary ?? []).filter((s: any) => s?.type === "summary_text").map((s: any) => s.text);
      return { role: "assistant", contents: [{ type: "reasoning", ...(texts.length ? { text: texts.join("\n") } : {}) }] };
    }
    case "web_search_call":
      return { role: "assistant", toolCalls: [{ id: item.id, name: item.type }] };
    case "file_search_call":
      return item.results
        ? { role: "tool", toolCallId: item.id, content: stringify(item.results) }
        : { role: "assistant", toolCalls: [{ id: item.id, name: item.type, arguments: stringify(item.queries) }] };
    case "computer_call":
      return { role: "assistant", toolCalls: [{ id: item.id, name: item.type, arguments: stringify(item.action) }] };
    case "computer_call_output":
      return { role: "tool", toolCallId: item.call_id, content: stringify(item.output) };
  }
  return {};
}

export function responsesRequest(body: any, self: any): Attributes {
  const a = base(self, body?.stream === true, body);
  if (body?.model !== undefined) a[Attr.MODEL_NAME] = body.model;
  a[Attr.INPUT_VALUE] = stringify(body);
  a[Attr.INPUT_MIME_TYPE] = "application/json";
  const params = invocationParameters(body, ["input", "instructions", "tools"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  const items: any[] = [];
  if (body?.instructions) items.push({ role: "system", content: body.instructions });
  if (typeof body?.input === "string") items.push({ role: "user", content: body.input });
  else if (Array.isArray(body?.input)) items.push(...body.input);
  setInputMessages(
    a,
    items.map(responseItemMessage).filter((m) => m.role !== undefined),
  );
  setTools(a, body?.tools);
  return a;
}

export function responsesResponse(span: Span, response: any): void {
  if (!response || typeof response !== "object") return;
  const a: Attributes = {};
  a[Attr.OUTPUT_VALUE] = stringify(response);
  a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  if (response.model) a[Attr.MODEL_NAME] = response.model;
  if (typeof response.id === "string") a[Attr.RESPONSE_ID] = response.id;
  const output: any[] = Array.isArray(response.output) ? response.output : [];
  setOutputMessages(
    a,
    output.map(responseItemMessage).filter((m) => m.role !== undefined),
  );
  const finish = response.incomplete_details?.reason ?? response.status;
  if (finish) a[Attr.FINISH_REASON] = finish;
  if (response.usage) Object.assign(a, tokenAttributes(normalizeUsage(response.usage)));
  span.setAttributes(a);
}

/** A Responses stream: the final `response.completed` (or failed/incomplete) event carries the whole response. */
export class ResponsesStreamAccumulator implements StreamAccumulator {
  private final?: any;
  private text = "";
  private model?: string;
  private id?: string;
  add(event: any): void {
    const t = event.type;
    if (t === "response.output_text.delta") this.text += event.delta ?? "";
    else if (t === "response.completed" || t === "response.incomplete" || t === "response.failed") this.final = event.response;
    else if (t === "response.created" && event.response) {
      if (event.response.model) this.model = event.response.model;
      if (typeof event.response.id === "string") this.id = event.response.id;
    }
  }
  finish(span: Span): void {
    if (this.final) return responsesResponse(span, this.final);
    const a: Attributes = { [Attr.OUTPUT_VALUE]: this.text, [Attr.OUTPUT_MIME_TYPE]: "text/plain" };
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    if (this.id) a[Attr.RESPONSE_ID] = this.id;
    if (this.text) setOutputMessages(a, [{ role: "assistant", content: this.text }]);
    span.setAttributes(a);
  }
}

// ---------------------------------------------------------------------------------------------
// embeddings
// ---------------------------------------------------------------------------------------------

export function embeddingsRequest(body: any, self: any): Attributes {
  const a = base(self, undefined, body);
  if (body?.model !== undefined) a[Attr.EMBEDDING_MODEL_NAME] = body.model;
  const input = body?.input;
  if (typeof input === "string") {
    a[Attr.INPUT_VALUE] = input;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
    a[OIA.embeddingText(0)] = input;
  } else {
    a[Attr.INPUT_VALUE] = stringify(input);
    a[Attr.INPUT_MIME_TYPE] = "application/json";
    if (Array.isArray(input) && typeof input[0] === "string") input.forEach((t: string, i: number) => (a[OIA.embeddingText(i)] = t));
  }
  const params = invocationParameters(body, ["input"]);
  if (params) a["embedding.invocation_parameters"] = params;
  return a;
}

export function embeddingsResponse(span: Span, result: any, recordVectors: boolean): void {
  if (!result || typeof result !== "object") return;
  const a: Attributes = {};
  if (result.model) a[Attr.EMBEDDING_MODEL_NAME] = result.model;
  if (recordVectors && Array.isArray(result.data)) {
    result.data.forEach((d: any, i: number) => {
      if (Array.isArray(d?.embedding)) a[OIA.embeddingVector(i)] = d.embedding;
    });
  }
  if (result.usage) Object.assign(a, tokenAttributes(normalizeUsage(result.usage)));
  span.setAttributes(a);
}

// ---------------------------------------------------------------------------------------------
// legacy completions
// ---------------------------------------------------------------------------------------------

export function completionsRequest(body: any, self: any): Attributes {
  const a = base(self, body?.stream === true, body);
  if (body?.model !== undefined) a[Attr.MODEL_NAME] = body.model;
  const prompt = body?.prompt;
  const prompts: string[] = typeof prompt === "string" ? [prompt] : Array.isArray(prompt) && prompt.every((p) => typeof p === "string") ? prompt : [];
  if (prompts.length > 0) {
    a[Attr.INPUT_VALUE] = prompts[0]!;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
    a[Attr.LLM_PROMPTS] = prompts;
  }
  const params = invocationParameters(body, ["prompt"]);
  if (params) a[Attr.INVOCATION_PARAMETERS] = params;
  return a;
}

export function completionsResponse(span: Span, completion: any): void {
  if (!completion || typeof completion !== "object") return;
  const a: Attributes = {};
  if (completion.model) a[Attr.MODEL_NAME] = completion.model;
  const choice = completion.choices?.[0];
  if (choice) {
    a[Attr.OUTPUT_VALUE] = String(choice.text);
    a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    if (choice.finish_reason) a[Attr.FINISH_REASON] = choice.finish_reason;
  }
  if (completion.usage) Object.assign(a, tokenAttributes(normalizeUsage(completion.usage)));
  span.setAttributes(a);
}

export class CompletionsStreamAccumulator implements StreamAccumulator {
  private text = "";
  private model?: string;
  private finishReason?: string;
  private usage?: unknown;
  add(chunk: any): void {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const c = chunk.choices?.[0];
    if (c) {
      if (c.text) this.text += c.text;
      if (c.finish_reason) this.finishReason = c.finish_reason;
    }
  }
  finish(span: Span): void {
    const a: Attributes = { [Attr.OUTPUT_VALUE]: this.text, [Attr.OUTPUT_MIME_TYPE]: "text/plain" };
    if (this.model) a[Attr.MODEL_NAME] = this.model;
    if (this.finishReason) a[Attr.FINISH_REASON] = this.finishReason;
    if (this.usage) Object.assign(a, tokenAttributes(normalizeUsage(this.usage)));
    span.setAttributes(a);
  }
}
