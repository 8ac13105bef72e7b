/**
 * The AI SDK mapping at export time: on every finished span, does nothing unless the span is one
 * of the AI SDK's own (it has `ai.operationId`), and never overwrites an attribute already set.
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { applyAISdkMapping } from "./mapping";

export function aiSdkAttributeTransform(attributes: Record<string, unknown>, span: ReadableSpan): void {
  if (attributes["ai.operationId"] === undefined) return;
  applyAISdkMapping(span.name, attributes);
}
