/**
 * OpenAI Agents (@openai/agents, @openai/agents-core). Uses the SDK's public tracing API: one
 * TracingProcessor registered on the SDK's global trace provider (shared by the ESM and CommonJS
 * copies), plus a context storage (setTracingContextStorage) that keeps the OpenTelemetry context
 * in step with the SDK's spans. The SDK's own processors (its export to OpenAI) are left as the
 * app configured them; our processor stays registered when the app calls setTraceProcessors().
 */
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { AgentsTracingProcessor } from "./processor";
import { installContextBridge } from "./bridge";

const PROVIDER_KEY = Symbol.for("openai.agents.core.traceProvider");
const PATCHED = Symbol.for("@inference/tracing.patched");

let processor: AgentsTracingProcessor | undefined;
let currentTracer: (() => PatchContext["tracer"]) | undefined;

/** The process-wide processor (its tracer is read at call time from the latest patch context). */
export function agentsProcessor(): AgentsTracingProcessor {
  return (processor ??= new AgentsTracingProcessor(() => currentTracer!()));
}

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

/** Register on the provider once; re-add ourselves whenever the app replaces the processor list. */
function register(provider: any, exp: any, proc: AgentsTracingProcessor): void {
  if (provider && typeof provider === "object") {
    if (provider[PATCHED]) return;
    const original = provider.setProcessors;
    if (typeof original === "function") {
      const wrapped = function (this: any, processors: unknown[]) {
        const list = Array.isArray(processors) ? processors.filter((p) => p !== proc) : processors;
        const r = original.call(this, list);
        try {
          this.registerProcessor(proc);
        } catch {
          /* the SDK changed: its own behaviour stands */
        }
        return r;
      };
      Object.defineProperty(wrapped, "length", { value: original.length });
      Object.defineProperty(wrapped, PATCHED, { value: original });
      provider.setProcessors = wrapped;
    }
    if (typeof provider.registerProcessor === "function") provider.registerProcessor(proc);
    else exp.addTraceProcessor(proc);
    Object.defineProperty(provider, PATCHED, { value: true, configurable: true });
    return;
  }
  exp.addTraceProcessor(proc);
}

export const openaiAgentsIntegration: Integration = {
  key: "openaiAgents",
  displayName: "OpenAI Agents",
  packages: ["@openai/agents", "@openai/agents-core"],
  versionRange: ">=0.1.0 <1",
  detect: (x) => !!sdkExports(x) && typeof (sdkExports(x).Agent ?? sdkExports(x).Runner) === "function",
  patch(moduleExports: any, ctx: PatchContext) {
    const exp = sdkExports(moduleExports);
    if (!exp) return false;
    currentTracer = () => ctx.tracer;
    const proc = agentsProcessor();
    register(globalProvider(exp), exp, proc);
    const bridged = installContextBridge((store) => proc.contextForStore(store), exp.setTracingContextStorage);
    if (!bridged) ctx.debug("could not install the tracing context bridge: provider calls and tool code will nest under the run's parent");
    return true;
  },
};

export { AgentsTracingProcessor } from "./processor";
export const { instrument: instrumentOpenAIAgents, install: installOpenAIAgentsInstrumentation } = makeInstallHelpers("openaiAgents");
