import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { LIVEKIT_SCOPE, livekitToolError, mapLiveKitAttributes } from "./mapping";

/**
 * Export-time mapping for LiveKit spans created by LiveKit's own tracer (instrumentation scope
 * "livekit-agents"), e.g. when the app called telemetry.setTracerProvider() with its own
 * provider and our processors are attached to it. Idempotent: spans already mapped are skipped.
 * Shape: the pipeline's AttributeTransform, (attributes, span) => void, editing in place.
 */
export function livekitAttributeTransform(attributes: Record<string, unknown>, span: ReadableSpan): void {
  if (span.instrumentationScope?.name !== LIVEKIT_SCOPE) return;
  Object.assign(attributes, mapLiveKitAttributes(span.name, attributes));
  const toolError = livekitToolError(span.name, attributes);
  if (toolError !== undefined && span.status?.code === SpanStatusCode.UNSET) {
    try {
      (span as { status: ReadableSpan["status"] }).status = { code: SpanStatusCode.ERROR, message: toolError.slice(0, 500) };
    } catch {
      /* a read-only span keeps its status */
    }
  }
}
