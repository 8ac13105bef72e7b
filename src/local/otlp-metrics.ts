/**
 * OTLP/HTTP metrics request bodies (ExportMetricsServiceRequest, JSON or protobuf) → the GenAI
 * usage points the local view keeps: tokens, cost, calls and their time, by model. Other metrics
 * are accepted and not kept.
 *
 * What counts (the names of semconv v1.41.0 and of the newer GenAI conventions our opt-in sends,
 * see src/transforms/gen-ai-metrics.ts, so other OpenTelemetry GenAI instrumentations count too):
 *   input/output tokens  gen_ai.client.token.usage (histogram sum, by gen_ai.token.type), the counters
 *                        gen_ai.client.inference.usage.{input,output}_tokens, and
 *                        gen_ai.client.embeddings.operation.input_tokens (histogram sum)
 *   cost (USD)           llm.client.cost (ours)
 *   calls, errors, time  gen_ai.client.{operation,inference,embeddings}.duration (count, sum, error.type)
 * The newer conventions' per-operation token histograms repeat their counters and are not counted,
 * nor is gen_ai.client.token.usage from a scope that also sends those counters.
 */
import { createHash } from "node:crypto";
import { attributes, fields, nanosToMs, protoRoot, TO_OBJECT } from "./otlp-decode";

export type Measure = "input_tokens" | "output_tokens" | "cost" | "duration";

export interface UsagePoint {
  measure: Measure;
  /** The model asked for, else the one that answered; OVERFLOW_MODEL for a sender's overflow series; "" when none is named. */
  model: string;
  provider?: string;
  /** Calls that failed (a duration point with error.type). */
  failed: boolean;
  /** Tokens, USD, or the seconds of all calls (a histogram's sum). */
  sum: number;
  /** Calls (a duration histogram's count); 0 for the others. */
  count: number;
  timeMs: number;
  /** Cumulative points only: the identity of their series, so that running totals become increments. */
  stream?: string;
}

export interface DecodedMetricsSlice {
  points: UsagePoint[];
  rejected: string[];
}

/** The series a sender puts past its cardinality limit (otel.metric.overflow=true) names no model. */
export const OVERFLOW_MODEL = "(over the sender's cardinality limit)";

const TOKEN_USAGE = "gen_ai.client.token.usage";
const TOKEN_COUNTERS: Record<string, Measure> = {
  "gen_ai.client.inference.usage.input_tokens": "input_tokens",
  "gen_ai.client.inference.usage.output_tokens": "output_tokens",
};
const KEPT = new Set([
  TOKEN_USAGE,
  ...Object.keys(TOKEN_COUNTERS),
  "gen_ai.client.embeddings.operation.input_tokens",
  "llm.client.cost",
  "gen_ai.client.operation.duration",
  "gen_ai.client.inference.duration",
  "gen_ai.client.embeddings.duration",
]);
const MAX_MODEL_CHARS = 256;

function measureOf(name: string, attrs: Record<string, unknown>): Measure | undefined {
  if (name === TOKEN_USAGE) {
    const type = attrs["gen_ai.token.type"];
    return type === "input" ? "input_tokens" : type === "output" ? "output_tokens" : undefined;
  }
  if (name in TOKEN_COUNTERS) return TOKEN_COUNTERS[name];
  if (name === "gen_ai.client.embeddings.operation.input_tokens") return "input_tokens";
  if (name === "llm.client.cost") return "cost";
  return "duration";
}

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v.replace(/[\u0000-\u001f]/g, " ").slice(0, MAX_MODEL_CHARS) : undefined);

function modelOf(attrs: Record<string, unknown>): string {
  return text(attrs["gen_ai.request.model"]) ?? text(attrs["gen_ai.response.model"]) ?? (attrs["otel.metric.overflow"] === true ? OVERFLOW_MODEL : "");
}

/** OTLP's AggregationTemporality: a number, or its name in the protobuf JSON mapping. */
function temporalityOf(v: unknown): "delta" | "cumulative" | undefined {
  if (v === 1 || v === "AGGREGATION_TEMPORALITY_DELTA") return "delta";
  if (v === 2 || v === "AGGREGATION_TEMPORALITY_CUMULATIVE") return "cumulative";
  return undefined;
}

const sorted = (attrs: Record<string, unknown>) => Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** What identifies a series beyond its metric and point attributes: its resource and scope. */
interface Scope {
  identity: string;
  /** The scope sends the newer token counters: its gen_ai.client.token.usage (if any) would count the same tokens twice. */
  hasTokenCounters: boolean;
}
function scopeOf(resource: Record<string, unknown>, scope: any, metricNames: string[]): Scope {
  return { identity: JSON.stringify([sorted(resource), String(scope?.name ?? ""), String(scope?.version ?? "")]), hasTokenCounters: metricNames.some((n) => n in TOKEN_COUNTERS) };
}

/** One metric (JSON-shaped, camelCase) → its usage points, and why each unusable point was refused. */
function addMetric(slice: DecodedMetricsSlice, metric: any, scope: Scope): void {
  const name = String(metric?.name ?? "");
  if (!KEPT.has(name) || (name === TOKEN_USAGE && scope.hasTokenCounters)) return;
  const histogram = metric.histogram ?? metric.exponentialHistogram;
  const data = histogram ?? metric.sum;
  if (!data) {
    slice.rejected.push(`metric ${name} is neither a sum nor a histogram`);
    return;
  }
  const temporality = temporalityOf(data.aggregationTemporality);
  for (const p of Array.isArray(data.dataPoints) ? data.dataPoints : []) {
    const attrs = attributes(p?.attributes);
    const measure = measureOf(name, attrs);
    if (!measure) continue;
    if (!temporality) {
      slice.rejected.push(`metric ${name}: its aggregation temporality is not delta or cumulative`);
      continue;
    }
    const timeMs = nanosToMs(p.timeUnixNano);
    if (!(timeMs > 0)) {
      slice.rejected.push(`metric ${name}: a data point has no time`);
      continue;
    }
    const count = histogram ? Number(p.count ?? 0) : 0;
    const sum = histogram ? (p.sum == null ? (measure === "duration" ? 0 : NaN) : Number(p.sum)) : Number(p.asDouble ?? p.asInt);
    if (!(Number.isFinite(sum) && sum >= 0 && Number.isInteger(count) && count >= 0)) {
      slice.rejected.push(`metric ${name}: a data point's value is not a non-negative number`);
      continue;
    }
    const point: UsagePoint = { measure, model: modelOf(attrs), failed: measure === "duration" && attrs["error.type"] !== undefined, sum, count, timeMs };
    const provider = text(attrs["gen_ai.provider.name"]) ?? text(attrs["gen_ai.system"]);
    if (provider) point.provider = provider;
    if (temporality === "cumulative") {
      const identity = JSON.stringify([scope.identity, name, sorted(attrs), nanosToMs(p.startTimeUnixNano)]);
      point.stream = createHash("sha1").update(identity).digest("base64url");
    }
    slice.points.push(point);
  }
}

function* jsonSlices(req: any, sliceSize: number): Generator<DecodedMetricsSlice> {
  let slice: DecodedMetricsSlice = { points: [], rejected: [] };
  for (const rm of req.resourceMetrics ?? []) {
    const resource = attributes(rm?.resource?.attributes);
    for (const sm of Array.isArray(rm?.scopeMetrics) ? rm.scopeMetrics : []) {
      const metrics: any[] = Array.isArray(sm?.metrics) ? sm.metrics : [];
      const scope = scopeOf(resource, sm?.scope, metrics.map((m) => String(m?.name ?? "")));
      for (const m of metrics) {
        addMetric(slice, m, scope);
        if (slice.points.length + slice.rejected.length >= sliceSize) {
          yield slice;
          slice = { points: [], rejected: [] };
        }
      }
    }
  }
  if (slice.points.length || slice.rejected.length) yield slice;
}

function* protobufSlices(body: Uint8Array, sliceSize: number): Generator<DecodedMetricsSlice> {
  const { root } = protoRoot();
  const types = { resource: root.lookupType("otlp.Resource"), scope: root.lookupType("otlp.InstrumentationScope"), metric: root.lookupType("otlp.Metric") };
  const decode = (type: import("protobufjs").Type, bytes: Uint8Array) => type.toObject(type.decode(bytes), TO_OBJECT);
  // a metric's name is read alone first: the metrics not kept are never decoded
  const nameOf = (metric: Uint8Array) => {
    const [name] = fields(metric, 1);
    return name ? Buffer.from(name).toString("utf8") : "";
  };
  let slice: DecodedMetricsSlice = { points: [], rejected: [] };
  for (const rm of fields(body, 1)) {
    const [resourceBytes] = fields(rm, 1);
    const resource = resourceBytes ? attributes(decode(types.resource, resourceBytes).attributes) : {};
    for (const sm of fields(rm, 2)) {
      const [scopeBytes] = fields(sm, 1);
      const metrics = [...fields(sm, 2)].map((bytes) => ({ bytes, name: nameOf(bytes) }));
      const scope = scopeOf(resource, scopeBytes ? decode(types.scope, scopeBytes) : {}, metrics.map((m) => m.name));
      for (const m of metrics) {
        if (!KEPT.has(m.name)) continue;
        let metric;
        try {
          metric = decode(types.metric, m.bytes);
        } catch (err) {
          slice.rejected.push(`cannot decode metric ${m.name}: ${(err as Error).message}`);
          continue;
        }
        addMetric(slice, metric, scope);
        if (slice.points.length + slice.rejected.length >= sliceSize) {
          yield slice;
          slice = { points: [], rejected: [] };
        }
      }
    }
  }
  if (slice.points.length || slice.rejected.length) yield slice;
}

/**
 * Decode an OTLP/HTTP metrics body, `sliceSize` points at a time. Throws when the body as a whole
 * is not an ExportMetricsServiceRequest; an unusable data point is refused in its slice instead.
 */
export function decodeMetricsRequest(body: Uint8Array, format: "json" | "protobuf", sliceSize = 500): Generator<DecodedMetricsSlice> {
  if (format === "json") {
    const req = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
    if (req === null || typeof req !== "object" || Array.isArray(req)) throw new Error("the body is not an ExportMetricsServiceRequest object");
    if (req.resourceMetrics !== undefined && !Array.isArray(req.resourceMetrics)) throw new Error("resourceMetrics is not a list");
    return jsonSlices(req, sliceSize);
  }
  // the walk is lazy: check the framing of the whole body before the first slice is taken
  for (const rm of fields(body, 1)) for (const sm of fields(rm, 2)) for (const metric of fields(sm, 2)) void metric;
  return protobufSlices(body, sliceSize);
}
