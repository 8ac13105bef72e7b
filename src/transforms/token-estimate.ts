/**
 * Token counts for streamed OpenAI calls that ended without usage. OpenAI sends a stream's usage
 * only when the request asks for it (`stream_options.include_usage`), which most apps do not:
 * such a span would carry no tokens and no cost, and every total would under-count silently.
 *
 * At export time (before cost, privacy and limits see the span) an LLM span from the OpenAI SDK
 * (`llm.system` openai, `llm.streaming` true) that has no token count and whose model belongs to
 * a known tokenizer family gets prompt and completion tokens counted with that family's real
 * tokenizer (o200k_base for gpt-4o, gpt-4.1, gpt-5, o-series; cl100k_base for gpt-4 and
 * gpt-3.5), in the chat format OpenAI documents, and `llm.token_count.estimated = true`; the cost
 * transform then prices the estimate. The tokenizer (the `gpt-tokenizer` package) is loaded the
 * first time a span needs it, never at start-up. `CATALYST_OPENAI_INCLUDE_USAGE=1` gets the
 * provider's exact counts instead.
 */
import { Attr } from "../semconv";
import { messagesOf, type Message } from "../trace-model/messages";
import { TOKENS_ESTIMATED_ATTR } from "../trace-model/span-record";
import { countTokens } from "./tokenizer-client";
import type { AsyncAttributeTransform } from "./types";

export type Family = "o200k_base" | "cl100k_base";
type Count = (text: string) => number;

/** Model ids by tokenizer (a provider prefix and date stamps aside). */
export function tokenizerFamily(model: unknown): Family | undefined {
  if (typeof model !== "string") return undefined;
  const id = model.trim().toLowerCase().replace(/^openai[/:]/, "");
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex)/.test(id)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5|gpt-35)/.test(id)) return "cl100k_base";
  return undefined;
}

const text = (v: unknown): string => (typeof v === "string" ? v : Array.isArray(v) ? v.map((p) => (typeof p?.text === "string" ? p.text : "")).join("") : "");

/** OpenAI's chat format: 3 tokens per message, 1 per name, 3 to prime the reply (their cookbook's count). */
function chatPromptTokens(messages: any[], count: Count): number {
  let n = 3;
  for (const m of messages) {
    if (!m || typeof m !== "object") continue;
    n += 3 + count(String(m.role ?? "")) + count(text(m.content));
    if (typeof m.name === "string") n += 1 + count(m.name);
    for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) n += count(String(call?.function?.name ?? "")) + count(String(call?.function?.arguments ?? ""));
    if (m.function_call) n += count(String(m.function_call.name ?? "")) + count(String(m.function_call.arguments ?? ""));
  }
  return n;
}

/** Function definitions as the model sees them (the cookbook's approximation of OpenAI's format). */
function toolTokens(tools: any[], family: Family, count: Count): number {
  if (!tools.length) return 0;
  const funcInit = family === "o200k_base" ? 7 : 10;
  const [propInit, propKey, enumInit, enumItem, funcEnd] = [3, 3, -3, 3, 12];
  const trim = (s: unknown) => String(s ?? "").replace(/\.$/, "");
  let n = funcEnd;
  for (const tool of tools) {
    const fn = tool?.function ?? tool;
    n += funcInit + count(`${fn?.name ?? ""}:${trim(fn?.description)}`);
    const properties = fn?.parameters?.properties;
    if (!properties || typeof properties !== "object" || !Object.keys(properties).length) continue;
    n += propInit;
    for (const [key, p] of Object.entries(properties as Record<string, any>)) {
      n += propKey + count(`${key}:${p?.type ?? ""}:${trim(p?.description)}`);
      if (Array.isArray(p?.enum)) {
        n += enumInit;
        for (const item of p.enum) n += enumItem + count(String(item));
      }
    }
  }
  return n;
}

/** The request body the OpenAI integration recorded (input.value), when it is one. */
function requestBody(attributes: Record<string, unknown>): any {
  const raw = attributes[Attr.INPUT_VALUE];
  if (typeof raw !== "string" || attributes[Attr.INPUT_MIME_TYPE] !== "application/json") return undefined;
  try {
    const body = JSON.parse(raw);
    return body && typeof body === "object" ? body : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded input messages back in OpenAI's request shape (when input.value is not the request). */
const asChatMessages = (messages: Message[]) =>
  messages.map((m) => ({
    role: m.role,
    content: m.content ?? "",
    name: m.name,
    tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })),
  }));

function promptTokens(attributes: Record<string, unknown>, family: Family, count: Count): number | undefined {
  const body = requestBody(attributes);
  if (Array.isArray(body?.messages)) return chatPromptTokens(body.messages, count) + toolTokens(Array.isArray(body.tools) ? body.tools : Array.isArray(body.functions) ? body.functions : [], family, count);
  // the legacy completions API: a prompt string (or several)
  if (typeof body?.prompt === "string") return count(body.prompt);
  if (Array.isArray(body?.prompt) && body.prompt.every((p: unknown) => typeof p === "string")) return body.prompt.reduce((n: number, p: string) => n + count(p), 0);
  const input = messagesOf(attributes, "input");
  return input.length ? chatPromptTokens(asChatMessages(input), count) : undefined;
}

function completionTokens(attributes: Record<string, unknown>, count: Count): number | undefined {
  const output = messagesOf(attributes, "output");
  if (output.length) {
    return output.reduce((n, m) => n + count(m.content ?? "") + m.toolCalls.reduce((k, c) => k + count(c.name ?? "") + count(c.arguments ?? ""), 0), 0);
  }
  const value = attributes[Attr.OUTPUT_VALUE];
  return typeof value === "string" ? count(value) : undefined;
}

const hasTokenCounts = (a: Record<string, unknown>) =>
  a[Attr.TOKEN_COUNT_PROMPT] !== undefined || a[Attr.TOKEN_COUNT_COMPLETION] !== undefined || a[Attr.TOKEN_COUNT_TOTAL] !== undefined;

/** Spans the estimate applies to: OpenAI streams that ended with no token count, of a model with a known tokenizer. */
function familyWanted(attributes: Record<string, unknown>): Family | undefined {
  if (attributes[Attr.SPAN_KIND] !== "LLM" || attributes[Attr.LLM_SYSTEM] !== "openai" || attributes[Attr.STREAMING] !== true) return undefined;
  if (hasTokenCounts(attributes)) return undefined;
  return tokenizerFamily(attributes[Attr.MODEL_NAME] ?? attributes[Attr.REQUEST_MODEL_NAME]);
}

/** The counts, given a counter: undefined when the span says nothing countable. */
function estimate(attributes: Record<string, unknown>, family: Family, count: Count): { prompt?: number; completion?: number } | undefined {
  const prompt = promptTokens(attributes, family, count);
  const completion = completionTokens(attributes, count);
  return prompt === undefined && completion === undefined ? undefined : { prompt, completion };
}

/** Counts every distinct text on the worker, then applies the chat format's arithmetic to them. */
export const tokenEstimate: AsyncAttributeTransform = {
  wants: (attributes) => familyWanted(attributes) !== undefined,
  async run(attributes) {
    const family = familyWanted(attributes);
    if (!family) return;
    // first pass: which texts the formulas count; second pass: the formulas with the real counts
    const texts = new Set<string>();
    if (!estimate(attributes, family, (t) => (texts.add(t), 0))) return;
    const list = [...texts];
    const counts = await countTokens(family, list);
    if (!counts) return;
    const byText = new Map(list.map((t, i) => [t, counts[i] ?? 0]));
    const result = estimate(attributes, family, (t) => byText.get(t) ?? 0)!;
    if (result.prompt !== undefined) attributes[Attr.TOKEN_COUNT_PROMPT] = result.prompt;
    if (result.completion !== undefined) attributes[Attr.TOKEN_COUNT_COMPLETION] = result.completion;
    attributes[Attr.TOKEN_COUNT_TOTAL] = (result.prompt ?? 0) + (result.completion ?? 0);
    attributes[TOKENS_ESTIMATED_ATTR] = true;
  },
};
