/**
 * GenAI client metrics, recorded at export time from each model-call span's OpenInference
 * attributes (so every integration has them, and the sums match the spans exactly).
 *
 * Names, units, buckets and attributes of OpenTelemetry Semantic Conventions v1.41.0
 * (docs/gen-ai/gen-ai-metrics.md):
 *   gen_ai.client.token.usage                     histogram {token}, gen_ai.token.type input | output
 *   gen_ai.client.operation.duration              histogram s (error.type on failed calls)
 *   gen_ai.client.operation.time_to_first_chunk   histogram s, streamed calls only
 * With OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental, the two renamed in the GenAI
 * conventions' own repository (semantic-conventions-genai v0.1.0, client-inference.md) take the
 * new names instead: gen_ai.client.inference.duration and gen_ai.client.inference.time_to_first_chunk.
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
  COST: "llm.client.cost",
} as const;

/** The metrics recorded (names of the pinned version, or the renamed ones behind the opt-in). */
export function genAiMetricDefinitions(latest: boolean): MetricDefinition[] {
  return [
    { name: GenAiMetric.TOKEN_USAGE, description: "Number of input and output tokens used.", unit: "{token}", kind: "histogram", boundaries: TOKEN_BUCKETS },
    {
      name: latest ? GenAiMetric.INFERENCE_DURATION : GenAiMetric.OPERATION_DURATION,
      description: "GenAI operation duration.",
      unit: "s",
      kind: "histogram",
      boundaries: SECONDS_BUCKETS,
    },
    {
      name: latest ? GenAiMetric.INFERENCE_TIME_TO_FIRST_CHUNK : GenAiMetric.TIME_TO_FIRST_CHUNK,
      description: "Time to receive the first chunk, from when the client issues the generation request.",
      unit: "s",
      kind: "histogram",
      boundaries: SECONDS_BUCKETS,
    },
    { name: GenAiMetric.COST, description: "Cost of GenAI calls in US dollars, from the price table that prices the spans.", unit: "USD", kind: "counter" },
  ];
}

const FIRST_PROMPT = `${Attr.LLM_PROMPTS}.0`;
const MODEL_CALL_OPERATIONS: Record<string, string> = { [SpanKindValues.LLM]: "chat", [SpanKindValues.EMBEDDING]: "embeddings" };

/** Records each model call's metrics once, when its span is exported. */
export function genAiMetricsTransform(aggregator: MetricAggregator, latest: boolean): AttributeTransform {
  const [tokens, duration, firstChunk, cost] = genAiMetricDefinitions(latest).map((d) => d.name) as [string, string, string, string];
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
    // the attribute makers are written where they are passed: a closure bound to a name gets its
    // name by defineProperty in the bundle (keepNames), ~0.4 µs per span
    if (span.status?.code === 2) {
      const error = errorType(a, span);
      aggregator.record(duration, durationSeconds(span), `${key}\u0001${error}`, () => ({ ...seriesAttributes(keys), [GenAi.ERROR_TYPE]: error }));
    } else aggregator.record(duration, durationSeconds(span), key, () => seriesAttributes(keys));
    const ttfc = a[Attr.TIME_TO_FIRST_CHUNK];
    if (typeof ttfc === "number") aggregator.record(firstChunk, ttfc, key, () => seriesAttributes(keys));
    const input = a[Attr.TOKEN_COUNT_PROMPT];
    if (typeof input === "number") aggregator.record(tokens, input, keys.input, () => ({ ...seriesAttributes(keys), [TOKEN_TYPE]: "input" }));
    const output = a[Attr.TOKEN_COUNT_COMPLETION];
    if (typeof output === "number") aggregator.record(tokens, output, keys.output, () => ({ ...seriesAttributes(keys), [TOKEN_TYPE]: "output" }));
    const usd = a[Attr.COST_TOTAL];
    if (typeof usd === "number" && usd > 0) aggregator.record(cost, usd, key, () => seriesAttributes(keys));
  };
}

/** A series' metric attributes, for its first measurement. */
function seriesAttributes(keys: SeriesKeys): MetricAttributes {
  const out: MetricAttributes = { [GenAi.OPERATION_NAME]: keys.operation };
  if (keys.provider) out[GenAi.PROVIDER_NAME] = keys.provider;
  if (keys.model) out[GenAi.REQUEST_MODEL] = keys.model;
  if (keys.answered) out[GenAi.RESPONSE_MODEL] = keys.answered;
  return out;
}

const TOKEN_TYPE = "gen_ai.token.type";

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
