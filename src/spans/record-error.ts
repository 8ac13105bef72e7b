/** A failure on a span: an exception event and ERROR with the message. Never throws. */
import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { internalError } from "../util/log";

export function recordError(span: Span, err: unknown): void {
  try {
    const e = err instanceof Error ? err : new Error(String(err));
    span.recordException(e);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  } catch (inner) {
    internalError("recordError", inner);
  }
}
