/** A finished OpenTelemetry span → the plain record (src/trace-model/span-record.ts) the local sinks print and write. */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { HrTime } from "@opentelemetry/api";
import type { SpanRecord } from "../trace-model/span-record";

const hrTimeToMilliseconds = (t: HrTime): number => t[0] * 1e3 + t[1] / 1e6;

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
    ...((span as { parentSpanContext?: { isRemote?: boolean } }).parentSpanContext?.isRemote ? { remoteParent: true } : {}),
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
