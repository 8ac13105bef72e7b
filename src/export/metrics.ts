/**
 * Metrics without a metrics SDK: histograms and counters aggregated in process, exported over
 * OTLP/HTTP (ExportMetricsServiceRequest, metrics/v1) with the traces' transport, headers,
 * protocol and compression:
 *  - every `intervalMillis` on an unref'd timer, at flush (natural exit, signals: setup's
 *    lifecycle) and at process.exit() from a short-lived child process, as spans are;
 *  - cumulative temporality by default, delta when asked for (a failed delta export is merged back);
 *  - memory bounded: at most `cardinalityLimit` series per metric, the rest go to one overflow
 *    series (`otel.metric.overflow=true`), as the OpenTelemetry SDK does.
 * Which metrics there are and what is recorded is decided elsewhere (src/transforms/).
 */
import type { HrTime } from "@opentelemetry/api";
import type { Config } from "../config";
import { TRACER_NAME, TRACER_VERSION } from "../package-info";
import { debug, internalError, warnOnce } from "../util/log";
import { postAtExit } from "./export-queue";
import { FIXED64, LEN, VARINT, Writer, keyValues, tag } from "./otlp-proto";
import { OtlpHttpTransport } from "./otlp-transport";

export interface MetricDefinition {
  name: string;
  description: string;
  unit: string;
  kind: "histogram" | "counter";
  /** Histogram bucket boundaries (ExplicitBucketBoundaries). */
  boundaries?: readonly number[];
  /** A counter of whole numbers (sent as as_int). */
  integer?: boolean;
}

export type MetricAttributes = Record<string, string | number | boolean>;

interface HistogramSeries {
  key: string;
  attributes: MetricAttributes;
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}
interface CounterSeries {
  key: string;
  attributes: MetricAttributes;
  value: number;
}
type Series = HistogramSeries | CounterSeries;

const OVERFLOW: MetricAttributes = { "otel.metric.overflow": true };
const OVERFLOW_KEY = "\u0000overflow";
/** The OpenTelemetry SDK's default cardinality limit per metric. */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

export type Temporality = "cumulative" | "delta";

/** One metric's data points as collected. */
export interface CollectedMetric {
  definition: MetricDefinition;
  series: Series[];
}

export class MetricAggregator {
  private readonly definitions = new Map<string, MetricDefinition>();
  private series = new Map<string, Map<string, Series>>();
  private startTime = Date.now();

  constructor(
    definitions: readonly MetricDefinition[],
    readonly temporality: Temporality = "cumulative",
    private readonly cardinalityLimit = DEFAULT_CARDINALITY_LIMIT,
  ) {
    for (const d of definitions) this.definitions.set(d.name, d);
  }

  /**
   * Record one measurement; unknown metric names are ignored. `key` identifies the series (the
   * recorder builds it from the attribute values, in a fixed order); `attributes` is only called
   * for a new series, so a measurement of a known series allocates nothing.
   */
  record(name: string, value: number, key: string, attributes: () => MetricAttributes): void {
    const definition = this.definitions.get(name);
    if (!definition || !Number.isFinite(value)) return;
    if (definition.kind === "counter" && value < 0) return;
    if (definition.integer) value = Math.round(value);
    let byKey = this.series.get(name);
    if (!byKey) this.series.set(name, (byKey = new Map()));
    let s = byKey.get(key);
    if (!s) {
      // the overflow series counts toward the limit
      if (byKey.size >= this.cardinalityLimit - 1) {
        s = byKey.get(OVERFLOW_KEY);
        if (!s) {
          warnOnce(`metric-overflow:${name}`, `metric ${name} reached ${this.cardinalityLimit} attribute sets; further ones are counted in one overflow series`);
          byKey.set(OVERFLOW_KEY, (s = newSeries(definition, OVERFLOW_KEY, OVERFLOW)));
        }
      } else byKey.set(key, (s = newSeries(definition, key, attributes())));
    }
    if ("value" in s) s.value += value;
    else addToHistogram(s, definition.boundaries ?? [], value);
  }

  /** Take the data points to export (delta: and start a new interval). */
  collect(): { metrics: CollectedMetric[]; startTime: number; time: number } {
    const time = Date.now();
    const startTime = this.startTime;
    const metrics: CollectedMetric[] = [];
    const taken = this.series;
    for (const [name, byKey] of taken) {
      if (byKey.size === 0) continue;
      const definition = this.definitions.get(name)!;
      metrics.push({ definition, series: [...byKey.values()].map((s) => (this.temporality === "cumulative" ? copySeries(s) : s)) });
    }
    if (this.temporality === "delta") {
      this.series = new Map();
      this.startTime = time;
    }
    return { metrics, startTime, time };
  }

  /** A delta interval that could not be exported is added back to the current one. */
  restore(metrics: CollectedMetric[], startTime: number): void {
    if (this.temporality !== "delta") return;
    this.startTime = Math.min(this.startTime, startTime);
    for (const m of metrics) for (const s of m.series) this.merge(m.definition, s);
  }

  private merge(definition: MetricDefinition, from: Series): void {
    let byKey = this.series.get(definition.name);
    if (!byKey) this.series.set(definition.name, (byKey = new Map()));
    const s = byKey.get(from.key);
    if (!s) byKey.set(from.key, copySeries(from));
    else if ("value" in s) s.value += (from as CounterSeries).value;
    else {
      const h = from as HistogramSeries;
      s.count += h.count;
      s.sum += h.sum;
      s.min = Math.min(s.min, h.min);
      s.max = Math.max(s.max, h.max);
      for (let i = 0; i < s.buckets.length; i++) s.buckets[i]! += h.buckets[i] ?? 0;
    }
  }
}

function newSeries(d: MetricDefinition, key: string, attributes: MetricAttributes): Series {
  if (d.kind === "counter") return { key, attributes, value: 0 };
  return { key, attributes, count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: new Array((d.boundaries?.length ?? 0) + 1).fill(0) };
}

function copySeries(s: Series): Series {
  return "value" in s ? { ...s } : { ...s, buckets: [...s.buckets] };
}

function addToHistogram(s: HistogramSeries, boundaries: readonly number[], value: number): void {
  s.count++;
  s.sum += value;
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
  // a bucket holds (previous bound, bound]: the first bound the value does not exceed
  let i = 0;
  while (i < boundaries.length && value > boundaries[i]!) i++;
  s.buckets[i]!++;
}

// ---------------------------------------------------------------------------------------------
// OTLP encoding
// ---------------------------------------------------------------------------------------------

const AGGREGATION_TEMPORALITY = { delta: 1, cumulative: 2 } as const;

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export interface MetricsPayload {
  resource: Record<string, unknown>;
  metrics: CollectedMetric[];
  startTime: number;
  time: number;
  temporality: Temporality;
}

/** ExportMetricsServiceRequest as OTLP/protobuf. */
export function encodeMetricsRequestProto(p: MetricsPayload): Buffer {
  const w = new Writer(4096);
  const start = hrTime(p.startTime);
  const time = hrTime(p.time);
  const temporality = AGGREGATION_TEMPORALITY[p.temporality];
  w.byte(tag(1, LEN)); // ResourceMetrics
  const resourceMetrics = w.open();
  w.byte(tag(1, LEN)); // Resource
  const resource = w.open();
  keyValues(w, p.resource, 1);
  w.close(resource);
  w.byte(tag(2, LEN)); // ScopeMetrics
  const scopeMetrics = w.open();
  w.byte(tag(1, LEN)); // InstrumentationScope
  const scope = w.open();
  w.byte(tag(1, LEN));
  w.string(TRACER_NAME);
  w.byte(tag(2, LEN));
  w.string(TRACER_VERSION);
  w.close(scope);
  for (const m of p.metrics) {
    w.byte(tag(2, LEN)); // Metric
    const metric = w.open();
    w.byte(tag(1, LEN));
    w.string(m.definition.name);
    w.byte(tag(2, LEN));
    w.string(m.definition.description);
    w.byte(tag(3, LEN));
    w.string(m.definition.unit);
    const histogram = m.definition.kind === "histogram";
    w.byte(tag(histogram ? 9 : 7, LEN)); // Histogram | Sum
    const data = w.open();
    for (const s of m.series) {
      w.byte(tag(1, LEN)); // data point
      const point = w.open();
      w.byte(tag(2, FIXED64));
      w.time(start);
      w.byte(tag(3, FIXED64));
      w.time(time);
      if ("value" in s) {
        if (m.definition.integer) {
          w.byte(tag(6, FIXED64)); // as_int (sfixed64; counters are never negative)
          w.fixed64(s.value);
        } else {
          w.byte(tag(4, FIXED64)); // as_double
          w.double(s.value);
        }
        keyValues(w, s.attributes, 7);
      } else {
        w.byte(tag(4, FIXED64));
        w.fixed64(s.count);
        w.byte(tag(5, FIXED64));
        w.double(s.sum);
        w.byte(tag(6, LEN)); // bucket_counts, packed fixed64
        w.varint(s.buckets.length * 8);
        for (const c of s.buckets) w.fixed64(c);
        const bounds = m.definition.boundaries ?? [];
        if (bounds.length) {
          w.byte(tag(7, LEN)); // explicit_bounds, packed double
          w.varint(bounds.length * 8);
          for (const b of bounds) w.double(b);
        }
        keyValues(w, s.attributes, 9);
        if (s.count > 0) {
          w.byte(tag(11, FIXED64));
          w.double(s.min);
          w.byte(tag(12, FIXED64));
          w.double(s.max);
        }
      }
      w.close(point);
    }
    w.byte(tag(2, VARINT));
    w.varint(temporality);
    if (!histogram) {
      w.byte(tag(3, VARINT)); // is_monotonic
      w.byte(1);
    }
    w.close(data);
    w.close(metric);
  }
  w.close(scopeMetrics);
  w.close(resourceMetrics);
  return w.buf.subarray(0, w.pos);
}

/** ExportMetricsServiceRequest as OTLP/JSON (64-bit integers as strings, as the protobuf JSON mapping has them). */
export function encodeMetricsRequestJson(p: MetricsPayload): string {
  const nanos = (ms: number) => {
    const [s, n] = hrTime(ms);
    return `${s}${String(n).padStart(9, "0")}`;
  };
  const attrs = (a: Record<string, unknown>) => Object.entries(a).map(([key, v]) => ({ key, value: jsonValue(v) }));
  const startTimeUnixNano = nanos(p.startTime);
  const timeUnixNano = nanos(p.time);
  const aggregationTemporality = AGGREGATION_TEMPORALITY[p.temporality];
  const metrics = p.metrics.map((m) => {
    const base = { name: m.definition.name, description: m.definition.description, unit: m.definition.unit };
    if (m.definition.kind === "counter") {
      const value = (s: Series) => (m.definition.integer ? { asInt: String((s as CounterSeries).value) } : { asDouble: (s as CounterSeries).value });
      const dataPoints = m.series.map((s) => ({ attributes: attrs(s.attributes), startTimeUnixNano, timeUnixNano, ...value(s) }));
      return { ...base, sum: { dataPoints, aggregationTemporality, isMonotonic: true } };
    }
    const dataPoints = m.series.map((x) => {
      const s = x as HistogramSeries;
      return {
        attributes: attrs(s.attributes),
        startTimeUnixNano,
        timeUnixNano,
        count: String(s.count),
        sum: s.sum,
        bucketCounts: s.buckets.map(String),
        explicitBounds: m.definition.boundaries ?? [],
        ...(s.count > 0 ? { min: s.min, max: s.max } : {}),
      };
    });
    return { ...base, histogram: { dataPoints, aggregationTemporality } };
  });
  return JSON.stringify({
    resourceMetrics: [{ resource: { attributes: attrs(p.resource) }, scopeMetrics: [{ scope: { name: TRACER_NAME, version: TRACER_VERSION }, metrics }] }],
  });
}

function jsonValue(v: unknown): Record<string, unknown> {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  return { stringValue: String(v) };
}

// ---------------------------------------------------------------------------------------------
// the exporter
// ---------------------------------------------------------------------------------------------

export class MetricsExporter {
  private readonly transport: OtlpHttpTransport;
  private timer?: ReturnType<typeof setInterval>;
  private resource: Record<string, unknown> = {};
  private sending?: Promise<void>;
  private failing = false;
  private stopped = false;

  constructor(
    readonly aggregator: MetricAggregator,
    private readonly config: Pick<Config, "metricsUrl" | "headers" | "protocol" | "compression" | "metricExportIntervalMillis" | "exportTimeoutMillis" | "shutdownTimeoutMillis">,
  ) {
    this.transport = new OtlpHttpTransport(config.metricsUrl!, config.headers, config.protocol, config.compression);
  }

  /** Start the periodic export and the exit hook (after the span queue's, so its exit export records first). */
  start(resource: Record<string, unknown>): void {
    this.resource = resource;
    this.timer = setInterval(() => void this.exportNow(), this.config.metricExportIntervalMillis);
    this.timer.unref?.();
    process.on("exit", this.onExit);
  }

  private readonly onExit = () => this.exitSync();

  private payload(): MetricsPayload | undefined {
    const { metrics, startTime, time } = this.aggregator.collect();
    if (metrics.length === 0) return undefined;
    return { resource: this.resource, metrics, startTime, time, temporality: this.aggregator.temporality };
  }

  private encode(p: MetricsPayload): Buffer {
    return this.config.protocol === "http/json" ? Buffer.from(encodeMetricsRequestJson(p), "utf8") : encodeMetricsRequestProto(p);
  }

  /**
   * Export what has been recorded; never rejects. An awaited flush keeps the process alive until it
   * ends or the shutdown timeout passes (a ref'd timer: the request's socket is unref'd), as the
   * span queue's does; the periodic export holds nothing.
   */
  flush(): Promise<void> {
    const done = this.exportNow();
    const hold = setTimeout(() => {}, this.config.shutdownTimeoutMillis);
    return done.finally(() => clearTimeout(hold));
  }

  /** One request at a time: an export asked for during a send follows it. */
  private exportNow(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const next = (this.sending ?? Promise.resolve()).then(() => this.sendOnce());
    this.sending = next;
    return next;
  }

  private async sendOnce(): Promise<void> {
    let p: MetricsPayload | undefined;
    try {
      p = this.payload();
      if (!p) return;
      const outcome = await this.transport.sendEncoded(this.encode(p), this.config.exportTimeoutMillis);
      if (outcome.kind === "ok") {
        if (this.failing) debug("metrics export resumed");
        this.failing = false;
        return;
      }
      this.aggregator.restore(p.metrics, p.startTime);
      if (!this.failing) warnOnce("metrics-export", `metrics export to ${this.config.metricsUrl} failed (${outcome.reason}); trying again at the next interval`);
      this.failing = true;
    } catch (err) {
      if (p) this.aggregator.restore(p.metrics, p.startTime);
      internalError("metrics export", err);
    }
  }

  /** process.exit(): what was recorded since the last export, POSTed from a child process. */
  exitSync(): void {
    try {
      process.removeListener("exit", this.onExit);
      if (this.failing || this.stopped) return;
      const p = this.payload();
      if (!p) return;
      const { confirmed, reason } = postAtExit(this.transport.exitRequestForBody(this.encode(p)), 1, Math.max(500, Math.min(this.config.shutdownTimeoutMillis, 3000)));
      debug(`exit: metrics ${confirmed ? "sent" : `not sent (${reason ?? "no answer"})`}`);
    } catch (err) {
      internalError("metrics exitSync", err);
    }
  }

  async shutdown(): Promise<void> {
    await this.flush();
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    process.removeListener("exit", this.onExit);
    await this.transport.shutdown();
  }
}
