import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * An export-time change to a finished span's attributes (cost, privacy masking, size limits, an
 * SDK's native-span mapping). Runs once per span, before any exporter sees it; it may add,
 * replace or delete keys of `attributes` in place.
 */
export type AttributeTransform = (attributes: Record<string, unknown>, span: ReadableSpan) => void;

/**
 * An export-time step that works off the main thread (a tokenizer in a worker): it runs before the
 * synchronous transforms, on the spans it wants (a cheap synchronous check), and the span waits for
 * it before any exporter sees it.
 */
export interface AsyncAttributeTransform {
  wants(attributes: Record<string, unknown>): boolean;
  run(attributes: Record<string, unknown>, span: ReadableSpan): Promise<void>;
}
