/**
 * The AI SDK mapping as an export-time AttributeTransform, for the pipeline's "framework
 * mappers" slot (src/export/pipeline.ts exportTransforms). A leaf module: it imports only the
 * pure mapping, so the pipeline can import it without pulling in the integration or setup().
 * Runs on every finished span; does nothing unless the span is one of the AI SDK's own
 * (it has `ai.operationId`), and never overwrites an attribute that is already set.
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { applyAISdkMapping } from "./mapping";

export function aiSdkAttributeTransform(attributes: Record<string, unknown>, span: ReadableSpan): void {
  if (attributes["ai.operationId"] === undefined) return;
  applyAISdkMapping(span.name, attributes);
}
