/**
 * The OpenTelemetry context must flow from the moment tracing starts, not from the first span:
 * a framework marks the context around a model call (so the provider call inside it makes no
 * second span) before its own first span is started, and a mark set through the API's no-op
 * context manager is lost. So the context manager is registered when setup() runs (the export
 * pipeline, built at the first span, registers none of its own). An app that registered its own
 * manager keeps it. On Node 20/22, AsyncLocalStorage switches its promise hooks on at its first
 * run(), i.e. at the first traced call, as before.
 */
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks/build/src/AsyncLocalStorageContextManager";

const PROBE = Symbol("@inference/tracing.context-probe");

/** True when context already flows (a manager of the app's, or ours registered earlier). */
function contextFlows(): boolean {
  return context.with(context.active().setValue(PROBE, true), () => context.active().getValue(PROBE)) === true;
}

export function ensureContextManager(): void {
  if (contextFlows()) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}
