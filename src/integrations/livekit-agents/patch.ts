/**
 * LiveKit Agents (@livekit/agents). No monkey-patching of AgentSession: when the package
 * loads we give LiveKit our tracer provider through its public hook
 * `telemetry.setTracerProvider(provider, { registerSpanProcessor })`, and map LiveKit's own
 * spans to OpenInference as they end (see provider.ts and mapping.ts).
 */
import type { PatchContext } from "../types";
import { LiveKitTracerProvider } from "./provider";

const PATCHED_SET = Symbol.for("@inference/tracing.livekit.patched");

/** The `telemetry` namespace of a loaded @livekit/agents (ESM namespace, CJS exports or the namespace itself). */
function findTelemetry(mod: any): any {
  for (const c of [mod?.telemetry, mod?.default?.telemetry, mod]) {
    if (c && typeof c.setTracerProvider === "function") return c;
  }
  return undefined;
}

export const isLiveKitAgents = (x: unknown): boolean => findTelemetry(x) !== undefined;

export function patchLiveKitAgents(mod: any, ctx: PatchContext): boolean {
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
}

/** Patched telemetry namespaces (an ESM namespace cannot carry a marker), shared by every copy of this package. */
function patchedTelemetry(): WeakSet<object> {
  const g = globalThis as unknown as Record<symbol, WeakSet<object> | undefined>;
  return (g[PATCHED_SET] ??= new WeakSet());
}
