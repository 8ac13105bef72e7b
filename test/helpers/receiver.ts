/** Typed access to the OTLP receiver fixture. */
import type { ReceivedSpan } from "./spans";
// @ts-expect-error plain ESM fixture without types
import { startOtlpReceiver as start } from "../../fixtures/otlp-receiver.mjs";

export interface Receiver {
  url: string;
  endpoint: string;
  port: number;
  spans: ReceivedSpan[];
  /** Every metric record received (one per metric per request). */
  metrics: ReceivedMetric[];
  /** Every request received; `at` is when its body had arrived (Date.now()). */
  requests: { method: string; url: string; headers: Record<string, string>; bytes: number; status: number; spanCount: number; at: number }[];
  setBehavior(b: { status?: number; hang?: boolean; delayMs?: number; retryAfter?: string }): void;
  clear(): void;
  waitForSpans(predicate?: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  waitForMetrics(predicate?: (metrics: ReceivedMetric[]) => boolean, timeoutMs?: number): Promise<ReceivedMetric[]>;
  close(): Promise<void>;
}

export interface ReceivedMetricPoint {
  attributes: Record<string, unknown>;
  startTimeUnixNano: number;
  timeUnixNano: number;
  /** Histograms. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
  min?: number;
  max?: number;
  /** Sums and gauges. */
  value?: number;
}

export interface ReceivedMetric {
  name: string;
  description: string;
  unit: string;
  type: "histogram" | "sum" | "gauge" | "other";
  temporality: "delta" | "cumulative" | "unspecified";
  isMonotonic?: boolean;
  points: ReceivedMetricPoint[];
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

export const startOtlpReceiver: (options?: { port?: number }) => Promise<Receiver> = start;
