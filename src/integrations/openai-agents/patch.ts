/**
 * OpenAI Agents (@openai/agents, @openai/agents-core). Uses the SDK's public tracing API: one
 * TracingProcessor registered on the SDK's global trace provider (shared by the ESM and CommonJS
 * copies), plus a context storage (setTracingContextStorage) that keeps the OpenTelemetry context
 * in step with the SDK's spans. The SDK's own processors (its export to OpenAI) are left as the
 * app configured them; our processor stays registered when the app calls setTraceProcessors().
 */
import type { PatchContext } from "../types";
import { markPatched, wrapMethod } from "../kit";
import { AgentsTracingProcessor } from "./processor";
import { installContextBridge } from "./bridge";

const PROVIDER_KEY = Symbol.for("openai.agents.core.traceProvider");
/** Our processor, kept on the SDK's trace provider: that provider is process-wide (shared by the ESM and CommonJS copies), so is the processor. */
const PROCESSOR = Symbol.for("@inference/tracing.openai-agents.processor");

function sdkExports(mod: any): any {
  if (mod && typeof mod.addTraceProcessor === "function") return mod;
  if (mod?.default && typeof mod.default.addTraceProcessor === "function") return mod.default;
  return undefined;
}

function globalProvider(exp: any): any {
  const existing = (globalThis as any)[PROVIDER_KEY];
  if (existing) return existing;
  return typeof exp.getGlobalTraceProvider === "function" ? exp.getGlobalTraceProvider() : undefined;
}

/**
 * Register our processor on the provider once (the first install's tracer stays) and re-add it
 * whenever the app replaces the processor list. A provider-less SDK gets a processor per copy.
 */
function register(provider: any, exp: any, ctx: PatchContext): AgentsTracingProcessor {
  if (!provider || typeof provider !== "object") {
    const proc = new AgentsTracingProcessor(ctx);
    exp.addTraceProcessor(proc);
    return proc;
  }
  if (provider[PROCESSOR]) return provider[PROCESSOR];
  const proc = new AgentsTracingProcessor(ctx);
  Object.defineProperty(provider, PROCESSOR, { value: proc, configurable: true });
  wrapMethod(provider, "setProcessors", (original) =>
    function (this: any, processors: unknown[]) {
      const list = Array.isArray(processors) ? processors.filter((p) => p !== proc) : processors;
      const r = original.call(this, list);
      try {
        this.registerProcessor(proc);
      } catch {
        /* the SDK changed: its own behaviour stands */
      }
      return r;
    },
  );
  if (typeof provider.registerProcessor === "function") provider.registerProcessor(proc);
  else exp.addTraceProcessor(proc);
  markPatched(provider);
  return proc;
}

export function patchOpenAIAgents(moduleExports: any, ctx: PatchContext): boolean {
  const exp = sdkExports(moduleExports);
  if (!exp) return false;
  const proc = register(globalProvider(exp), exp, ctx);
  const bridged = installContextBridge((store) => proc.contextForStore(store), exp.setTracingContextStorage);
  if (!bridged) ctx.debug("could not install the tracing context bridge: provider calls and tool code will nest under the run's parent");
  return true;
}

export const isOpenAIAgents = (x: unknown): boolean => !!sdkExports(x) && typeof (sdkExports(x).Agent ?? sdkExports(x).Runner) === "function";
