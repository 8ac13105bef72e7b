/** One finished span as a plain JSON record: the line format of CATALYST_TRACES_FILE. */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { HrTime } from "@opentelemetry/api";

const hrTimeToMilliseconds = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeMs: number;
  endTimeMs: number;
  durationMs: number;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes?: Record<string, unknown> }[];
  resource: Record<string, unknown>;
  scope: { name: string; version?: string };
}

export function parentSpanIdOf(span: ReadableSpan): string | undefined {
  // sdk-trace-base 2.x: parentSpanContext; 1.x: parentSpanId
  const s = span as unknown as { parentSpanContext?: { spanId?: string }; parentSpanId?: string };
  return s.parentSpanContext?.spanId ?? s.parentSpanId;
}

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const ctx = span.spanContext();
  const start = hrTimeToMilliseconds(span.startTime);
  const end = hrTimeToMilliseconds(span.endTime);
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: parentSpanIdOf(span),
    name: span.name,
    kind: span.kind,
    startTimeMs: start,
    endTimeMs: end,
    durationMs: Math.max(0, end - start),
    status: { code: span.status.code, message: span.status.message },
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, timeMs: hrTimeToMilliseconds(e.time), attributes: e.attributes })),
    resource: { ...(span.resource?.attributes ?? {}) },
    scope: {
      name: (span as any).instrumentationScope?.name ?? (span as any).instrumentationLibrary?.name ?? "",
      version: (span as any).instrumentationScope?.version,
    },
  };
}
