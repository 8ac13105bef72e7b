/**
 * LiveKit Agents (@livekit/agents). No monkey-patching of AgentSession: when the package
 * loads we give LiveKit our tracer provider through its public hook
 * `telemetry.setTracerProvider(provider, { registerSpanProcessor })`, and map LiveKit's own
 * spans to OpenInference as they end (see provider.ts and mapping.ts).
 *
 * `livekitAttributeTransform` does the same mapping at export time, for LiveKit spans that
 * reach our processors through a tracer provider the app gave LiveKit itself.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { LIVEKIT_SCOPE, livekitToolError, mapLiveKitAttributes } from "./mapping";
import { LiveKitTracerProvider } from "./provider";

export { mapLiveKitAttributes, livekitSpanKind, LIVEKIT_SCOPE } from "./mapping";
export { LiveKitTracerProvider } from "./provider";

const PATCHED_SET = Symbol.for("@inference/tracing.livekit.patched");

/** The `telemetry` namespace of a loaded @livekit/agents (ESM namespace, CJS exports or the namespace itself). */
function findTelemetry(mod: any): any {
  for (const c of [mod?.telemetry, mod?.default?.telemetry, mod]) {
    if (c && typeof c.setTracerProvider === "function") return c;
  }
  return undefined;
}

export const livekitAgentsIntegration: Integration = {
  key: "livekitAgents",
  displayName: "LiveKit Agents",
  packages: ["@livekit/agents"],
  versionRange: ">=1.0.0 <2",
  exportTransform: (attributes, span) => livekitAttributeTransform(attributes, span),
  detect: (x) => findTelemetry(x) !== undefined,
  patch(mod: any, ctx: PatchContext) {
    const telemetry = findTelemetry(mod);
    if (!telemetry) return false;
    if (patchedTelemetry().has(telemetry)) return true;
    patchedTelemetry().add(telemetry);
    const provider = new LiveKitTracerProvider(() => ctx.tracer);
    // LiveKit's public hook: its tracer (one per loaded copy of the package) now creates
    // spans through ours; registerSpanProcessor keeps its PII filter and Cloud export working
    telemetry.setTracerProvider(provider, { registerSpanProcessor: provider.registerSpanProcessor });
    ctx.debug(`${ctx.version ?? ""} (${ctx.format}): LiveKit spans now go through @inference/tracing (telemetry.setTracerProvider)`);
    return true;
  },
};

/** Patched telemetry namespaces (an ESM namespace cannot carry a marker), shared by every copy of this package. */
function patchedTelemetry(): WeakSet<object> {
  const g = globalThis as unknown as Record<symbol, WeakSet<object> | undefined>;
  return (g[PATCHED_SET] ??= new WeakSet());
}

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

export const { instrument: instrumentLiveKitAgents, install: installLiveKitAgentsInstrumentation } = makeInstallHelpers("livekitAgents");
