/**
 * PI AI (@mariozechner/pi-ai) objects -> OpenInference attributes. Pure functions:
 * Model + Context + options in, request attributes out; the final AssistantMessage in,
 * response attributes out (messages with thinking kept apart from text, tool calls, tokens
 * with cache read/write, llm.cost.* from the usage the library computed, stop reason).
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr, MessageRole, OpenInferenceAttribute as OIA } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { faultPoint } from "../../util/fault";

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** llm.system (OpenInference LLMSystem values) from the model's wire API. */
export function systemOf(api: unknown): string | undefined {
  const a = typeof api === "string" ? api : "";
  if (a.startsWith("anthropic")) return "anthropic";
  if (a.startsWith("openai") || a.startsWith("azure-openai")) return "openai";
  if (a.startsWith("google")) return "vertexai";
  if (a.startsWith("mistral")) return "mistralai";
  return undefined;
}

/** llm.provider: OpenInference LLMProvider values where pi-ai's provider maps to one, else pi-ai's own name. */
const PROVIDERS: Record<string, string> = {
  "amazon-bedrock": "aws",
  google: "google",
  "google-vertex": "google",
  "azure-openai-responses": "azure",
  mistral: "mistralai",
  "openai-codex": "openai",
};
export function providerOf(provider: unknown): string | undefined {
  if (typeof provider !== "string" || !provider) return undefined;
  return PROVIDERS[provider] ?? provider;
}

function partsText(content: unknown, keepThinking = false): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((c: any) => {
      if (c?.type === "text") return String(c.text ?? "");
      if (c?.type === "image") return `[image ${c.mimeType ?? ""}]`.trim();
      if (keepThinking && c?.type === "thinking") return String(c.thinking ?? "");
      return "";
    })
    .filter(Boolean)
    .join("\n");
}

/** One pi-ai message (or the assistant reply) under a message prefix. */
function messageAttributes(a: Attributes, prefix: string, m: any): void {
  const role = m?.role === "toolResult" ? MessageRole.TOOL : typeof m?.role === "string" ? m.role : "unknown";
  a[OIA.role(prefix)] = role;
  if (m?.role === "toolResult") {
    if (typeof m.toolCallId === "string") a[OIA.messageToolCallId(prefix)] = m.toolCallId;
    if (typeof m.toolName === "string") a[OIA.name(prefix)] = m.toolName;
    a[OIA.content(prefix)] = partsText(m.content);
    return;
  }
  const content = m?.content;
  if (typeof content === "string") {
    a[OIA.content(prefix)] = content;
    return;
  }
  if (!Array.isArray(content)) return;
  // text only in message.content; thinking kept apart, in message.contents with type "thinking"
  const text = partsText(content);
  if (text) a[OIA.content(prefix)] = text;
  const hasThinking = content.some((c: any) => c?.type === "thinking");
  if (hasThinking) {
    let k = 0;
    for (const c of content) {
      if (c?.type !== "text" && c?.type !== "thinking") continue;
      const cp = OIA.contentPrefix(prefix, k++);
      a[OIA.contentType(cp)] = c.type;
      a[OIA.contentText(cp)] = String(c.type === "text" ? (c.text ?? "") : c.redacted ? "[redacted]" : (c.thinking ?? ""));
    }
  }
  let j = 0;
  for (const c of content) {
    if (c?.type !== "toolCall") continue;
    const tp = OIA.toolCallPrefix(prefix, j++);
    if (typeof c.id === "string") a[OIA.toolCallId(tp)] = c.id;
    a[OIA.toolCallFunctionName(tp)] = String(c.name ?? "");
    a[OIA.toolCallFunctionArguments(tp)] = safeJson(c.arguments ?? {});
  }
}

/** Attributes known when the call starts. */
export function requestAttributes(model: any, ctx: any, options: any, method: string): Attributes {
  faultPoint("pi-ai.request");
  const a: Attributes = {};
  const system = systemOf(model?.api);
  if (system) a[Attr.LLM_SYSTEM] = system;
  const provider = providerOf(model?.provider);
  if (provider) a[Attr.LLM_PROVIDER] = provider;
  if (typeof model?.provider === "string") a["pi_ai.provider"] = model.provider;
  if (typeof model?.id === "string") {
    a[Attr.MODEL_NAME] = model.id;
    a[Attr.REQUEST_MODEL_NAME] = model.id;
  }
  a[Attr.STREAMING] = true;
  a["pi_ai.api"] = String(model?.api ?? "");
  a["pi_ai.method"] = method;
  const params: Record<string, unknown> = {};
  for (const k of ["temperature", "maxTokens", "reasoning", "thinkingBudgets", "cacheRetention", "transport", "toolChoice", "timeoutMs", "maxRetries"]) {
    const v = options?.[k];
    if (v !== undefined && typeof v !== "function") params[k] = v;
  }
  if (Object.keys(params).length > 0) a[Attr.INVOCATION_PARAMETERS] = safeJson(params);
  if (typeof options?.sessionId === "string") a[Attr.SESSION_ID] = options.sessionId;
  if (options?.metadata && typeof options.metadata === "object") a[Attr.METADATA] = safeJson(options.metadata);

  let i = 0;
  if (typeof ctx?.systemPrompt === "string" && ctx.systemPrompt) {
    const p = OIA.inputMessagePrefix(i++);
    a[OIA.role(p)] = MessageRole.SYSTEM;
    a[OIA.content(p)] = ctx.systemPrompt;
  }
  const messages: any[] = Array.isArray(ctx?.messages) ? ctx.messages : [];
  for (const m of messages) messageAttributes(a, OIA.inputMessagePrefix(i++), m);
  const lastUser = [...messages].reverse().find((m) => m?.role === "user" || m?.role === "toolResult");
  if (lastUser) {
    a[Attr.INPUT_VALUE] = partsText(lastUser.content);
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
  }
  const tools: any[] = Array.isArray(ctx?.tools) ? ctx.tools : [];
  tools.forEach((t, k) => {
    a[OIA.toolJsonSchema(k)] = safeJson({ type: "function", function: { name: t?.name, description: t?.description, parameters: t?.parameters } });
  });
  return a;
}

/** Attributes of the final AssistantMessage (from the done or error event). */
export function responseAttributes(msg: any): Attributes {
  faultPoint("pi-ai.response");
  const a: Attributes = {};
  if (!msg || typeof msg !== "object") return a;
  if (typeof msg.responseModel === "string" && msg.responseModel) {
    a[Attr.MODEL_NAME] = msg.responseModel;
    a[Attr.RESPONSE_MODEL_NAME] = msg.responseModel;
  }
  if (typeof msg.responseId === "string") a["pi_ai.response_id"] = msg.responseId;
  if (typeof msg.stopReason === "string") a[Attr.FINISH_REASON] = msg.stopReason;
  const p = OIA.outputMessagePrefix(0);
  messageAttributes(a, p, { role: MessageRole.ASSISTANT, content: Array.isArray(msg.content) ? msg.content : [] });
  const text = partsText(msg.content);
  const calls = Array.isArray(msg.content) ? msg.content.filter((c: any) => c?.type === "toolCall") : [];
  if (text) {
    a[Attr.OUTPUT_VALUE] = text;
    a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
  } else if (calls.length > 0) {
    a[Attr.OUTPUT_VALUE] = safeJson(calls.map((c: any) => ({ name: c.name, arguments: c.arguments })));
    a[Attr.OUTPUT_MIME_TYPE] = "application/json";
  }
  const u = msg.usage;
  if (u && typeof u === "object") {
    // pi-ai's `input` excludes cache reads and writes; OpenInference's prompt count includes them
    const input = num(u.input) ?? 0;
    const cacheRead = num(u.cacheRead);
    const cacheWrite = num(u.cacheWrite);
    const output = num(u.output);
    const prompt = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
    if (num(u.input) !== undefined || cacheRead !== undefined || cacheWrite !== undefined) a[Attr.TOKEN_COUNT_PROMPT] = prompt;
    if (output !== undefined) a[Attr.TOKEN_COUNT_COMPLETION] = output;
    a[Attr.TOKEN_COUNT_TOTAL] = num(u.totalTokens) ?? prompt + (output ?? 0);
    if (cacheRead !== undefined) a[Attr.TOKEN_COUNT_PROMPT_CACHE_READ] = cacheRead;
    if (cacheWrite !== undefined) a[Attr.TOKEN_COUNT_PROMPT_CACHE_WRITE] = cacheWrite;
    const c = u.cost;
    if (c && typeof c === "object") {
      const ci = num(c.input) ?? 0;
      const cr = num(c.cacheRead);
      const cw = num(c.cacheWrite);
      a[Attr.COST_PROMPT] = ci + (cr ?? 0) + (cw ?? 0);
      if (num(c.output) !== undefined) a[Attr.COST_COMPLETION] = c.output;
      if (cr !== undefined) a[Attr.COST_PROMPT_CACHE_READ] = cr;
      if (cw !== undefined) a[Attr.COST_PROMPT_CACHE_WRITE] = cw;
      if (num(c.total) !== undefined) a[Attr.COST_TOTAL] = c.total;
    }
  }
  return a;
}
