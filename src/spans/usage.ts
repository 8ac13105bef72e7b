/**
 * One normaliser for token usage, shared by the span handle and every integration.
 * Understands OpenAI chat usage, OpenAI Responses usage, Anthropic usage and the
 * camelCase shapes of the Vercel AI SDK and LangChain.
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr } from "../semconv";

export interface TokenCounts {
  prompt?: number;
  completion?: number;
  total?: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
  promptAudio?: number;
  completionAudio?: number;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Normalise a provider usage object into token counts (prompt includes cached tokens). */
export function normalizeUsage(usage: unknown): TokenCounts {
  if (!usage || typeof usage !== "object") return {};
  const u = usage as Record<string, any>;
  const out: TokenCounts = {};
  // Anthropic: input_tokens excludes cache reads/writes, so add them back into the prompt count
  if ("cache_read_input_tokens" in u || "cache_creation_input_tokens" in u) {
    const input = num(u.input_tokens) ?? 0;
    out.cacheRead = num(u.cache_read_input_tokens) ?? undefined;
    out.cacheWrite = num(u.cache_creation_input_tokens) ?? undefined;
    out.prompt = input + (out.cacheRead ?? 0) + (out.cacheWrite ?? 0);
    out.completion = num(u.output_tokens);
  } else {
    out.prompt = num(u.prompt_tokens) ?? num(u.input_tokens) ?? num(u.promptTokens) ?? num(u.inputTokens);
    out.completion =
      num(u.completion_tokens) ?? num(u.output_tokens) ?? num(u.completionTokens) ?? num(u.outputTokens);
    const pd = u.prompt_tokens_details ?? u.input_tokens_details ?? u.inputTokenDetails;
    const cd = u.completion_tokens_details ?? u.output_tokens_details ?? u.outputTokenDetails;
    out.cacheRead = num(pd?.cached_tokens) ?? num(pd?.cacheReadTokens) ?? num(u.cachedInputTokens);
    out.cacheWrite = num(pd?.cacheWriteTokens);
    out.reasoning = num(cd?.reasoning_tokens) ?? num(cd?.reasoningTokens) ?? num(u.reasoningTokens);
    out.promptAudio = num(pd?.audio_tokens);
    out.completionAudio = num(cd?.audio_tokens);
  }
  out.total = num(u.total_tokens) ?? num(u.totalTokens);
  if (out.total === undefined && (out.prompt !== undefined || out.completion !== undefined)) {
    out.total = (out.prompt ?? 0) + (out.completion ?? 0);
  }
  return out;
}

/** The OpenInference token-count attributes for these counts (total computed when absent). */
export function tokenAttributes(counts: TokenCounts): Attributes {
  const a: Attributes = {};
  const total =
    counts.total ??
    (counts.prompt !== undefined || counts.completion !== undefined
      ? (counts.prompt ?? 0) + (counts.completion ?? 0)
      : undefined);
  if (counts.prompt !== undefined) a[Attr.TOKEN_COUNT_PROMPT] = counts.prompt;
  if (counts.completion !== undefined) a[Attr.TOKEN_COUNT_COMPLETION] = counts.completion;
  if (total !== undefined) a[Attr.TOKEN_COUNT_TOTAL] = total;
  if (counts.cacheRead !== undefined) a[Attr.TOKEN_COUNT_PROMPT_CACHE_READ] = counts.cacheRead;
  if (counts.cacheWrite !== undefined) a[Attr.TOKEN_COUNT_PROMPT_CACHE_WRITE] = counts.cacheWrite;
  if (counts.reasoning !== undefined) a[Attr.TOKEN_COUNT_COMPLETION_REASONING] = counts.reasoning;
  if (counts.promptAudio !== undefined) a[Attr.TOKEN_COUNT_PROMPT_AUDIO] = counts.promptAudio;
  if (counts.completionAudio !== undefined) a[Attr.TOKEN_COUNT_COMPLETION_AUDIO] = counts.completionAudio;
  return a;
}
