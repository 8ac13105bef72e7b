/**
 * @inference/tracing/ai-sdk: explicit patching of the Vercel AI SDK, and what an app can pass to
 * the SDK itself when no patch can reach its calls (an ES module namespace that cannot be
 * rebound): telemetry settings pointed at our tracer, and a span processor that maps AI SDK
 * spans recorded through another provider.
 */
import type { Tracer } from "@opentelemetry/api";
import { installHelpers } from "../instrument";
import { mappingTracer } from "../integrations/ai-sdk/tracer";
import { activeTracer } from "../state";

export const { instrument: instrumentAISdk, install: installAISdkInstrumentation } = installHelpers("aiSdk");
export { AISdkSpanProcessor } from "../integrations/ai-sdk/processor";
export { aiSdkAttributeTransform } from "../integrations/ai-sdk/transform";

export interface AISdkTelemetryOptions {
  functionId?: string;
  metadata?: Record<string, unknown>;
  recordInputs?: boolean;
  recordOutputs?: boolean;
}

/**
 * Telemetry settings for `experimental_telemetry`: enabled, pointed at our tracer (or yours),
 * with OpenInference attributes added to every span the SDK records.
 *
 *   await generateText({ model, prompt, experimental_telemetry: createAISdkTelemetrySettings() })
 */
export function createAISdkTelemetrySettings(tracer?: Tracer, options: AISdkTelemetryOptions = {}) {
  const settings: Record<string, unknown> = { isEnabled: true, tracer: mappingTracer(tracer ?? (() => activeTracer())) };
  if (options.functionId !== undefined) settings.functionId = options.functionId;
  if (options.metadata !== undefined) settings.metadata = options.metadata;
  if (options.recordInputs !== undefined) settings.recordInputs = options.recordInputs;
  if (options.recordOutputs !== undefined) settings.recordOutputs = options.recordOutputs;
  return settings as {
    isEnabled: true;
    tracer: Tracer;
    functionId?: string;
    metadata?: Record<string, any>;
    recordInputs?: boolean;
    recordOutputs?: boolean;
  };
}
