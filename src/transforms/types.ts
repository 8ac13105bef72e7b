import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * An export-time change to a finished span's attributes (cost, privacy masking, size limits, an
 * SDK's native-span mapping). Runs once per span, before any exporter sees it; it may add,
 * replace or delete keys of `attributes` in place.
 */
export type AttributeTransform = (attributes: Record<string, unknown>, span: ReadableSpan) => void;
