/**
 * Pure mapping of the Vercel AI SDK's native telemetry spans (ai.generateText,
 * ai.generateText.doGenerate, ai.streamText.doStream, ai.toolCall, ai.embed, …) to
 * OpenInference attributes. Input: the span name and its native attributes; output: the
 * OpenInference attributes to add. The native attributes stay on the span.
 */
import type { AttributeValue } from "@opentelemetry/api";
import { Attr, MessageRole, OpenInferenceAttribute as OI, SpanKindValues, type SpanKind } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { tokenAttributes, type TokenCounts } from "../../spans/usage";
import { faultPoint } from "../../util/fault";
import { setInputMessages, type ContentPart, type MessageLike, type ToolCallLike } from "../kit";

type Attrs = Record<string, unknown>;
type Out = Record<string, AttributeValue>;

/** Marker our own telemetry tracer sets on the call span of a ToolLoopAgent run. */
export const AGENT_MARK = "inference.ai_sdk.agent";

const CALLS = new Set(["ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"]);
const STEPS = new Set(["ai.generateText.doGenerate", "ai.streamText.doStream", "ai.generateObject.doGenerate", "ai.streamObject.doStream"]);

/** Is this one of the AI SDK's native spans? */
export function isAISdkSpan(name: string, attrs: Attrs): boolean {
  return typeof attrs["ai.operationId"] === "string" || (name.startsWith("ai.") && attrs["ai.model.provider"] !== undefined);
}

export function kindForOperation(op: string, attrs: Attrs): SpanKind {
  if (CALLS.has(op)) return attrs[AGENT_MARK] !== undefined ? SpanKindValues.AGENT : SpanKindValues.CHAIN;
  if (STEPS.has(op)) return SpanKindValues.LLM;
  if (op === "ai.toolCall") return SpanKindValues.TOOL;
  if (op === "ai.embed.doEmbed" || op === "ai.embedMany.doEmbed") return SpanKindValues.EMBEDDING;
  if (op === "ai.rerank.doRerank") return SpanKindValues.RERANKER;
  return SpanKindValues.CHAIN; // ai.embed / ai.embedMany (the call around doEmbed), ai.rerank, …
}

/** "openai.responses" -> "openai", "anthropic.messages" -> "anthropic", "google.generative-ai" -> "google". */
export function providerOf(p: unknown): string | undefined {
  if (typeof p !== "string" || !p) return undefined;
  const base = p.split(".")[0]!.toLowerCase();
  if (base === "google-vertex" || base === "vertex") return "google";
  if (base === "azure-openai") return "azure";
  return base;
}

function parse(v: unknown): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function partText(part: any): string | undefined {
  if (typeof part === "string") return part;
  if (part?.type === "text" || part?.type === "reasoning") return typeof part.text === "string" ? part.text : undefined;
  return undefined;
}

function toolOutputText(output: any): string {
  if (output === undefined || output === null) return "";
  if (typeof output === "string") return output;
  if (typeof output === "object" && "type" in output && "value" in output) {
    return typeof output.value === "string" ? output.value : safeJson(output.value);
  }
  return safeJson(output);
}

/**
 * AI SDK model messages (ModelMessage; v4 spells tool arguments `args` and results `result`) as
 * the kit's messages: one message per tool result, text and http(s) image parts, tool calls.
 */
export function modelMessages(messages: unknown): MessageLike[] {
  const out: MessageLike[] = [];
  if (!Array.isArray(messages)) return out;
  for (const m of messages) {
    if (!m || typeof m !== "object") continue;
    const msg = m as any;
    const role = String(msg.role ?? "user");
    if (role === "tool" && Array.isArray(msg.content)) {
      for (const part of msg.content) {
        if (part?.type !== "tool-result") continue;
        out.push({
          role: MessageRole.TOOL,
          content: toolOutputText(part.output ?? part.result),
          toolCallId: part.toolCallId ? String(part.toolCallId) : undefined,
          name: part.toolName ? String(part.toolName) : undefined,
        });
      }
      continue;
    }
    if (typeof msg.content === "string") {
      out.push({ role, content: msg.content });
      continue;
    }
    const message: MessageLike = { role };
    out.push(message);
    if (!Array.isArray(msg.content)) continue;
    const texts: string[] = [];
    const contents: ContentPart[] = [];
    const toolCalls: ToolCallLike[] = [];
    for (const part of msg.content) {
      const t = partText(part);
      if (t !== undefined) {
        texts.push(t);
        contents.push({ type: "text", text: t });
      } else if (part?.type === "image" && typeof part.image === "string" && /^https?:/.test(part.image)) {
        contents.push({ type: "image", imageUrl: part.image });
      } else if (part?.type === "tool-call") {
        const args = part.input ?? part.args;
        toolCalls.push({
          id: part.toolCallId ? String(part.toolCallId) : undefined,
          name: part.toolName ? String(part.toolName) : undefined,
          arguments: typeof args === "string" ? args : safeJson(args ?? {}),
        });
      }
    }
    if (texts.length > 0) message.content = texts.join("");
    if (contents.length > 0) message.contents = contents;
    if (toolCalls.length > 0) message.toolCalls = toolCalls;
  }
  return out;
}

/** The step's answer: text (or object) plus tool calls, as one assistant output message. */
function outputMessageAttributes(attrs: Attrs): Out {
  const out: Out = {};
  const p = OI.outputMessagePrefix(0);
  const text = attrs["ai.response.text"] ?? attrs["ai.response.object"];
  const calls = parse(attrs["ai.response.toolCalls"]);
  if (text === undefined && !Array.isArray(calls)) return out;
  out[OI.role(p)] = MessageRole.ASSISTANT;
  if (typeof text === "string") out[OI.content(p)] = text;
  if (Array.isArray(calls)) {
    calls.forEach((c: any, j: number) => {
      const tp = OI.toolCallPrefix(p, j);
      if (c?.toolCallId) out[OI.toolCallId(tp)] = String(c.toolCallId);
      if (c?.toolName) out[OI.toolCallFunctionName(tp)] = String(c.toolName);
      const args = c?.input ?? c?.args;
      out[OI.toolCallFunctionArguments(tp)] = typeof args === "string" ? args : safeJson(args ?? {});
    });
  }
  return out;
}

function usageCounts(attrs: Attrs): TokenCounts {
  const prompt = num(attrs["ai.usage.inputTokens"]) ?? num(attrs["ai.usage.promptTokens"]) ?? num(attrs["gen_ai.usage.input_tokens"]);
  const completion = num(attrs["ai.usage.outputTokens"]) ?? num(attrs["ai.usage.completionTokens"]) ?? num(attrs["gen_ai.usage.output_tokens"]);
  const c: TokenCounts = { prompt, completion, total: num(attrs["ai.usage.totalTokens"]) };
  c.cacheRead = num(attrs["ai.usage.inputTokenDetails.cacheReadTokens"]) ?? num(attrs["ai.usage.cachedInputTokens"]);
  c.cacheWrite = num(attrs["ai.usage.inputTokenDetails.cacheWriteTokens"]);
  c.reasoning = num(attrs["ai.usage.outputTokenDetails.reasoningTokens"]) ?? num(attrs["ai.usage.reasoningTokens"]);
  for (const k of Object.keys(c) as (keyof TokenCounts)[]) if (c[k] === undefined) delete c[k];
  return c;
}

function setIO(out: Out, which: "input" | "output", v: unknown): void {
  if (v === undefined || v === null) return;
  const valueKey = which === "input" ? Attr.INPUT_VALUE : Attr.OUTPUT_VALUE;
  const mimeKey = which === "input" ? Attr.INPUT_MIME_TYPE : Attr.OUTPUT_MIME_TYPE;
  if (typeof v === "string") {
    const parsed = parse(v);
    out[valueKey] = v;
    out[mimeKey] = parsed !== undefined && typeof parsed === "object" && parsed !== null ? "application/json" : "text/plain";
    return;
  }
  out[valueKey] = safeJson(v);
  out[mimeKey] = "application/json";
}

function metadataOf(attrs: Attrs): Record<string, unknown> | undefined {
  const md: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("ai.telemetry.metadata.")) {
      md[k.slice("ai.telemetry.metadata.".length)] = v;
      any = true;
    }
  }
  return any ? md : undefined;
}

/** The OpenInference attributes for one finished AI SDK span. */
export function mapAISdkSpan(name: string, attrs: Attrs): Out {
  faultPoint("ai-sdk.mapping");
  const out: Out = {};
  const op = typeof attrs["ai.operationId"] === "string" ? (attrs["ai.operationId"] as string) : name;
  const kind = kindForOperation(op, attrs);
  out[Attr.SPAN_KIND] = kind;
  const provider = providerOf(attrs["ai.model.provider"]);
  const model = attrs["ai.response.model"] ?? attrs["ai.model.id"];
  const md = metadataOf(attrs);
  if (md) {
    out[Attr.METADATA] = safeJson(md);
    if (typeof md.sessionId === "string") out[Attr.SESSION_ID] = md.sessionId;
    if (typeof md.userId === "string") out[Attr.USER_ID] = md.userId;
  }
  if (typeof attrs[AGENT_MARK] === "string" && attrs[AGENT_MARK]) out[Attr.AGENT_NAME] = attrs[AGENT_MARK] as string;

  switch (kind) {
    case SpanKindValues.LLM: {
      if (typeof model === "string") out[Attr.MODEL_NAME] = model;
      if (provider) {
        out[Attr.LLM_PROVIDER] = provider;
        out[Attr.LLM_SYSTEM] = provider;
      }
      setInputMessages(out, modelMessages(parse(attrs["ai.prompt.messages"])));
      setIO(out, "input", attrs["ai.prompt.messages"]);
      Object.assign(out, outputMessageAttributes(attrs));
      const text = attrs["ai.response.text"] ?? attrs["ai.response.object"];
      if (typeof text === "string" && text !== "") setIO(out, "output", text);
      else if (attrs["ai.response.toolCalls"] !== undefined) setIO(out, "output", attrs["ai.response.toolCalls"]);
      Object.assign(out, tokenAttributes(usageCounts(attrs)) as Out);
      const finish = attrs["ai.response.finishReason"];
      if (typeof finish === "string") out[Attr.FINISH_REASON] = finish;
      const tools = attrs["ai.prompt.tools"];
      if (Array.isArray(tools)) tools.forEach((t, i) => (out[OI.toolJsonSchema(i)] = typeof t === "string" ? t : safeJson(t)));
      const params: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(attrs)) if (k.startsWith("ai.settings.")) params[k.slice("ai.settings.".length)] = v;
      const toolChoice = parse(attrs["ai.prompt.toolChoice"]);
      if (toolChoice !== undefined) params.toolChoice = toolChoice;
      if (Object.keys(params).length > 0) out[Attr.INVOCATION_PARAMETERS] = safeJson(params);
      if (op.endsWith(".doStream")) out[Attr.STREAMING] = true;
      break;
    }
    case SpanKindValues.TOOL: {
      if (attrs["ai.toolCall.name"] !== undefined) out[Attr.TOOL_NAME] = String(attrs["ai.toolCall.name"]);
      if (attrs["ai.toolCall.id"] !== undefined) out[Attr.TOOL_CALL_ID] = String(attrs["ai.toolCall.id"]);
      setIO(out, "input", attrs["ai.toolCall.args"] ?? attrs["ai.toolCall.input"]);
      setIO(out, "output", attrs["ai.toolCall.result"] ?? attrs["ai.toolCall.output"]);
      break;
    }
    case SpanKindValues.EMBEDDING: {
      if (typeof model === "string") out[Attr.EMBEDDING_MODEL_NAME] = model;
      const values = attrs["ai.values"];
      if (Array.isArray(values)) {
        values.forEach((v, i) => {
          const parsed = parse(v);
          out[OI.embeddingText(i)] = typeof parsed === "string" ? parsed : String(v);
        });
        setIO(out, "input", values.length === 1 ? (parse(values[0]) ?? values[0]) : values.map((v) => parse(v) ?? v));
      }
      const tokens = num(attrs["ai.usage.tokens"]);
      if (tokens !== undefined) Object.assign(out, tokenAttributes({ prompt: tokens, total: tokens }) as Out);
      break;
    }
    default: {
      // the call around the steps: its input and final output, no token counts (they live on the steps)
      if (typeof model === "string") out[Attr.MODEL_NAME] = model;
      const prompt = parse(attrs["ai.prompt"]) as any;
      if (prompt && typeof prompt === "object") {
        const onlyPrompt = typeof prompt.prompt === "string" && !prompt.system && !prompt.messages;
        setIO(out, "input", onlyPrompt ? prompt.prompt : attrs["ai.prompt"]);
      } else if (attrs["ai.value"] !== undefined) setIO(out, "input", parse(attrs["ai.value"]) ?? attrs["ai.value"]);
      else if (attrs["ai.values"] !== undefined) setIO(out, "input", attrs["ai.values"]);
      const result = attrs["ai.response.text"] ?? attrs["ai.response.object"];
      if (typeof result === "string") setIO(out, "output", result);
      break;
    }
  }
  return out;
}

/** Apply the mapping to an attributes object in place; keys already present win. */
export function applyAISdkMapping(name: string, attrs: Record<string, unknown>): void {
  if (!isAISdkSpan(name, attrs)) return;
  const mapped = mapAISdkSpan(name, attrs);
  for (const [k, v] of Object.entries(mapped)) if (attrs[k] === undefined) attrs[k] = v;
}
