import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { internalError } from "../../util/log";
import { applyAISdkMapping } from "./mapping";

/**
 * A span processor that adds OpenInference attributes to AI SDK spans recorded through any
 * tracer of your provider (apps that pass their own telemetry settings): put it before that
 * provider's exporting processor. It edits a finished span's attributes in place and is idempotent.
 */
export class AISdkSpanProcessor implements SpanProcessor {
  onStart(_span: SdkSpan, _ctx: Context): void {}
  onEnd(span: ReadableSpan): void {
    try {
      applyAISdkMapping(span.name, span.attributes as Record<string, unknown>);
    } catch (err) {
      internalError("ai-sdk.processor", err);
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
