/**
 * GenAI client metrics, recorded at export time from each model-call span's OpenInference
 * attributes (so every integration has them, and the sums match the spans exactly).
 *
 * Names, units, buckets and attributes of OpenTelemetry Semantic Conventions v1.41.0
 * (docs/gen-ai/gen-ai-metrics.md):
 *   gen_ai.client.token.usage                     histogram {token}, gen_ai.token.type input | output
 *   gen_ai.client.operation.duration              histogram s (error.type on failed calls)
 *   gen_ai.client.operation.time_to_first_chunk   histogram s, streamed calls only
 * With OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, the metrics of the GenAI
 * conventions' own repository instead. It has no release yet, so they are pinned to a commit of its
 * main branch: open-telemetry/semantic-conventions-genai 88eccb155ca7d6984826da1f4b1c08ee916e0f49
 * (model/gen-ai/metrics.yaml and token-metrics.yaml), where gen_ai.client.token.usage no longer exists:
 *   chat, text_completion  gen_ai.client.inference.duration, gen_ai.client.inference.time_to_first_chunk,
 *                          the counters gen_ai.client.inference.usage.{input,output}_tokens (with
 *                          gen_ai.token.modality, `unknown`: spans do not split tokens by modality) and
 *                          .cache_read.input_tokens, .cache_write.input_tokens, .reasoning.output_tokens,
 *                          the histograms gen_ai.client.inference.operation.{input,output}_tokens
 *   embeddings             gen_ai.client.embeddings.duration, gen_ai.client.embeddings.operation.input_tokens
 * Ours, outside the conventions (they define no cost): llm.client.cost, a counter in USD from
 * the price table that prices the spans (llm.cost.total).
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { MetricAggregator, MetricAttributes, MetricDefinition } from "../export/metrics";
import { Attr, SpanKindValues } from "../semconv";
import { errorType, GenAi, providerName, requestModel, responseModel } from "./gen-ai";
import type { AttributeTransform } from "./types";

const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export const GenAiMetric = {
  TOKEN_USAGE: "gen_ai.client.token.usage",
  OPERATION_DURATION: "gen_ai.client.operation.duration",
  TIME_TO_FIRST_CHUNK: "gen_ai.client.operation.time_to_first_chunk",
  INFERENCE_DURATION: "gen_ai.client.inference.duration",
  INFERENCE_TIME_TO_FIRST_CHUNK: "gen_ai.client.inference.time_to_first_chunk",
  INFERENCE_INPUT_TOKENS: "gen_ai.client.inference.usage.input_tokens",
  INFERENCE_OUTPUT_TOKENS: "gen_ai.client.inference.usage.output_tokens",
  INFERENCE_CACHE_READ_TOKENS: "gen_ai.client.inference.usage.cache_read.input_tokens",
  INFERENCE_CACHE_WRITE_TOKENS: "gen_ai.client.inference.usage.cache_write.input_tokens",
  INFERENCE_REASONING_TOKENS: "gen_ai.client.inference.usage.reasoning.output_tokens",
  INFERENCE_OPERATION_INPUT_TOKENS: "gen_ai.client.inference.operation.input_tokens",
  INFERENCE_OPERATION_OUTPUT_TOKENS: "gen_ai.client.inference.operation.output_tokens",
  EMBEDDINGS_DURATION: "gen_ai.client.embeddings.duration",
  EMBEDDINGS_OPERATION_INPUT_TOKENS: "gen_ai.client.embeddings.operation.input_tokens",
  COST: "llm.client.cost",
} as const;

const seconds = (name: string, description: string): MetricDefinition => ({ name, description, unit: "s", kind: "histogram", boundaries: SECONDS_BUCKETS });
const tokenHistogram = (name: string, description: string): MetricDefinition => ({ name, description, unit: "{token}", kind: "histogram", boundaries: TOKEN_BUCKETS });
const tokenCounter = (name: string, description: string): MetricDefinition => ({ name, description, unit: "{token}", kind: "counter", integer: true });
const COST_DEFINITION: MetricDefinition = { name: GenAiMetric.COST, description: "Cost of GenAI calls in US dollars, from the price table that prices the spans.", unit: "USD", kind: "counter" };

const PINNED: MetricDefinition[] = [
  tokenHistogram(GenAiMetric.TOKEN_USAGE, "Number of input and output tokens used."),
  seconds(GenAiMetric.OPERATION_DURATION, "GenAI operation duration."),
  seconds(GenAiMetric.TIME_TO_FIRST_CHUNK, "Time to receive the first chunk, from when the client issues the generation request."),
  COST_DEFINITION,
];

const LATEST: MetricDefinition[] = [
  seconds(GenAiMetric.INFERENCE_DURATION, "GenAI client inference operation duration."),
  seconds(GenAiMetric.INFERENCE_TIME_TO_FIRST_CHUNK, "Time to receive the first chunk, from when the client issues the generation request."),
  tokenCounter(GenAiMetric.INFERENCE_INPUT_TOKENS, "The number of input (prompt) tokens used, including cached tokens."),
  tokenCounter(GenAiMetric.INFERENCE_OUTPUT_TOKENS, "The number of output (completion) tokens used, including reasoning tokens."),
  tokenCounter(GenAiMetric.INFERENCE_CACHE_READ_TOKENS, "The number of input tokens served from a provider-managed cache."),
  tokenCounter(GenAiMetric.INFERENCE_CACHE_WRITE_TOKENS, "The number of input tokens written to a provider-managed cache."),
  tokenCounter(GenAiMetric.INFERENCE_REASONING_TOKENS, "The number of output tokens used for reasoning."),
  tokenHistogram(GenAiMetric.INFERENCE_OPERATION_INPUT_TOKENS, "The number of input (prompt) tokens used per inference operation."),
  tokenHistogram(GenAiMetric.INFERENCE_OPERATION_OUTPUT_TOKENS, "The number of output (completion) tokens used per inference operation."),
  seconds(GenAiMetric.EMBEDDINGS_DURATION, "GenAI client embeddings operation duration."),
  tokenHistogram(GenAiMetric.EMBEDDINGS_OPERATION_INPUT_TOKENS, "The number of input tokens used per embeddings operation."),
  COST_DEFINITION,
];

/** The metrics recorded (those of the pinned version, or of the newer conventions behind the opt-in). */
export function genAiMetricDefinitions(latest: boolean): MetricDefinition[] {
  return latest ? LATEST : PINNED;
}

const FIRST_PROMPT = `${Attr.LLM_PROMPTS}.0`;
const MODEL_CALL_OPERATIONS: Record<string, string> = { [SpanKindValues.LLM]: "chat", [SpanKindValues.EMBEDDING]: "embeddings" };
const TOKEN_TYPE = "gen_ai.token.type";
const TOKEN_MODALITY = "gen_ai.token.modality";

/** Records each model call's metrics once, when its span is exported. */
export function genAiMetricsTransform(aggregator: MetricAggregator, latest: boolean): AttributeTransform {
  // consecutive calls nearly always belong to the same series (one provider, one model): their key
  // strings are built once and reused, so a span's measurements make no new key to hash
  let last: SeriesKeys | undefined;
  return (a, span) => {
    let operation = MODEL_CALL_OPERATIONS[a[Attr.SPAN_KIND] as string];
    if (!operation) return;
    if (operation === "chat" && a[FIRST_PROMPT] !== undefined) operation = "text_completion";
    const provider = providerName(a);
    const model = requestModel(a);
    const answered = responseModel(a);
    if (!last || last.operation !== operation || last.provider !== provider || last.model !== model || last.answered !== answered) {
      // the series key: the attribute values in a fixed order; the attributes themselves only for a new series
      const key = `${operation}\u0001${provider ?? ""}\u0001${model ?? ""}\u0001${answered ?? ""}`;
      last = { operation, provider, model, answered, key, input: `${key}\u0001input`, output: `${key}\u0001output` };
    }
    const keys = last;
    const key = keys.key;
    const embeddings = operation === "embeddings";
    const duration = !latest ? GenAiMetric.OPERATION_DURATION : embeddings ? GenAiMetric.EMBEDDINGS_DURATION : GenAiMetric.INFERENCE_DURATION;
    // the attribute makers are written where they are passed: a closure bound to a name gets its
    // name by defineProperty in the bundle (keepNames), ~0.4 µs per span
    if (span.status?.code === 2) {
      const error = errorType(a, span);
      aggregator.record(duration, durationSeconds(span), `${key}\u0001${error}`, () => ({ ...seriesAttributes(keys), [GenAi.ERROR_TYPE]: error }));
    } else aggregator.record(duration, durationSeconds(span), key, () => seriesAttributes(keys));
    const firstChunk = a[Attr.TIME_TO_FIRST_CHUNK];
    const input = a[Attr.TOKEN_COUNT_PROMPT];
    const output = a[Attr.TOKEN_COUNT_COMPLETION];
    if (!latest) {
      if (typeof firstChunk === "number") aggregator.record(GenAiMetric.TIME_TO_FIRST_CHUNK, firstChunk, key, () => seriesAttributes(keys));
      if (typeof input === "number") aggregator.record(GenAiMetric.TOKEN_USAGE, input, keys.input, () => ({ ...seriesAttributes(keys), [TOKEN_TYPE]: "input" }));
      if (typeof output === "number") aggregator.record(GenAiMetric.TOKEN_USAGE, output, keys.output, () => ({ ...seriesAttributes(keys), [TOKEN_TYPE]: "output" }));
    } else if (embeddings) {
      if (typeof input === "number") aggregator.record(GenAiMetric.EMBEDDINGS_OPERATION_INPUT_TOKENS, input, key, () => seriesAttributes(keys));
    } else {
      if (typeof firstChunk === "number") aggregator.record(GenAiMetric.INFERENCE_TIME_TO_FIRST_CHUNK, firstChunk, key, () => seriesAttributes(keys));
      if (typeof input === "number") aggregator.record(GenAiMetric.INFERENCE_OPERATION_INPUT_TOKENS, input, key, () => seriesAttributes(keys));
      if (typeof output === "number") aggregator.record(GenAiMetric.INFERENCE_OPERATION_OUTPUT_TOKENS, output, key, () => seriesAttributes(keys));
      recordUsage(aggregator, GenAiMetric.INFERENCE_INPUT_TOKENS, input, keys);
      recordUsage(aggregator, GenAiMetric.INFERENCE_OUTPUT_TOKENS, output, keys);
      recordUsage(aggregator, GenAiMetric.INFERENCE_CACHE_READ_TOKENS, a[Attr.TOKEN_COUNT_PROMPT_CACHE_READ], keys);
      recordUsage(aggregator, GenAiMetric.INFERENCE_CACHE_WRITE_TOKENS, a[Attr.TOKEN_COUNT_PROMPT_CACHE_WRITE], keys);
      recordUsage(aggregator, GenAiMetric.INFERENCE_REASONING_TOKENS, a[Attr.TOKEN_COUNT_COMPLETION_REASONING], keys);
    }
    const usd = a[Attr.COST_TOTAL];
    if (typeof usd === "number" && usd > 0) aggregator.record(GenAiMetric.COST, usd, key, () => seriesAttributes(keys));
  };
}

/** One of the newer conventions' token counters, whose series also carry gen_ai.token.modality. */
function recordUsage(aggregator: MetricAggregator, name: string, value: unknown, keys: SeriesKeys): void {
  if (typeof value === "number") aggregator.record(name, value, keys.key, () => ({ ...seriesAttributes(keys), [TOKEN_MODALITY]: "unknown" }));
}

/** A series' metric attributes, for its first measurement. */
function seriesAttributes(keys: SeriesKeys): MetricAttributes {
  const out: MetricAttributes = { [GenAi.OPERATION_NAME]: keys.operation };
  if (keys.provider) out[GenAi.PROVIDER_NAME] = keys.provider;
  if (keys.model) out[GenAi.REQUEST_MODEL] = keys.model;
  if (keys.answered) out[GenAi.RESPONSE_MODEL] = keys.answered;
  return out;
}

/** A series' identifying values and the keys of its series (the token usage ones per token type). */
interface SeriesKeys {
  operation: string;
  provider: string | undefined;
  model: string | undefined;
  answered: string | undefined;
  key: string;
  input: string;
  output: string;
}

function durationSeconds(span: ReadableSpan): number {
  const d = span.duration;
  return Array.isArray(d) ? d[0] + d[1] / 1e9 : 0;
}
