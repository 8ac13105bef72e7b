/**
 * Vercel AI SDK (`ai`).
 *
 * AI SDK 7+ (it has `registerTelemetry`): the SDK reports every call to registered telemetry
 * integrations; we register ours (telemetry.ts) through that public function, once per process
 * (every copy of the SDK shares the registry), and mark ToolLoopAgent runs with the agent's name.
 * Nothing of the SDK is replaced, so this works the same in every module format, ESM mode and runtime.
 *
 * AI SDK 4–6: the SDK records its own OpenTelemetry spans when a call enables
 * `experimental_telemetry`; we (1) turn that on for calls that did not set it themselves
 * (never touching a caller's own settings), pointed at our tracer, and (2) add OpenInference
 * attributes to the native spans (kinds, model, provider, messages, tool calls, tokens,
 * finish reason) while keeping every native attribute.
 *
 * Where the AI SDK 4–6 zero-code default can be injected:
 *  - ToolLoopAgent (and its Experimental_Agent alias): through its prototype, in every module
 *    format and ESM mode;
 *  - generateText / streamText / generateObject / streamObject / embed / embedMany: where the
 *    module's exports can be reassigned (import-in-the-middle's ESM namespaces in the "sync" and
 *    "loader" modes, setup({ modules }) with a plain object), and in CommonJS, whose exports are
 *    non-configurable getters: there the require hook hands out a copy of the exports (the same
 *    getters, so every binding stays live) with these six functions wrapped. The SDK's own ESM
 *    namespace (eager mode, Bun) cannot be changed: there, pass createAISdkTelemetrySettings()
 *    — the export-time mapping covers any AI SDK span.
 */
import { context } from "@opentelemetry/api";
import type { PatchContext } from "../types";
import { originalOf, wrapFunction, wrapMethod } from "../kit";
import { internalError } from "../../util/log";
import { OpenInferenceTelemetry, withAgentName } from "./telemetry";
import { mappingTracer } from "./tracer";

/** What an AI SDK 4–6 patch reads from its context: the tracer, and where to note a call it turned telemetry on for. */
type Source = Pick<PatchContext, "tracer" | "noteCall">;

const FUNCTIONS = ["generateText", "streamText", "generateObject", "streamObject", "embed", "embedMany"] as const;

/** The call options with our telemetry added, unless the caller set experimental_telemetry. */
function withDefaultTelemetry(options: unknown, source: Source, agentName?: string): unknown {
  if (!options || typeof options !== "object") return options;
  if ((options as Record<string, unknown>).experimental_telemetry !== undefined) return options;
  source.noteCall();
  return { ...(options as object), experimental_telemetry: { isEnabled: true, tracer: mappingTracer(() => source.tracer, { agentName }) } };
}

function wrapCallFunction(original: (...a: any[]) => any, source: Source): (...a: any[]) => any {
  return wrapFunction(original, (orig) =>
    function (this: unknown, ...args: any[]) {
      try {
        args[0] = withDefaultTelemetry(args[0], source);
      } catch (err) {
        internalError("ai-sdk.defaults", err);
      }
      return orig.apply(this, args);
    },
  );
}

function patchFunctions(exp: any, source: Source): number {
  let n = 0;
  for (const name of FUNCTIONS) {
    const original = exp[name];
    if (typeof original !== "function" || originalOf(original)) continue;
    try {
      exp[name] = wrapCallFunction(original, source);
      if (exp[name] !== original) n++;
    } catch {
      // an ES module namespace or a getter-only CommonJS export: not reassignable
    }
  }
  return n;
}

/**
 * CommonJS exports we cannot change: a copy with the same property descriptors (getters stay
 * live, classes keep their identity) and the functions wrapped. Undefined when nothing to wrap.
 */
function replacementExports(exp: any, source: Source): object | undefined {
  const wanted = FUNCTIONS.filter((name) => typeof exp[name] === "function" && !originalOf(exp[name]));
  if (wanted.length === 0) return undefined;
  const copy = Object.create(Object.getPrototypeOf(exp));
  // same keys in the same order; the wrapped functions take their original descriptor's flags
  for (const key of Reflect.ownKeys(exp)) {
    const d = Object.getOwnPropertyDescriptor(exp, key)!;
    if ((wanted as readonly PropertyKey[]).includes(key)) {
      Object.defineProperty(copy, key, { value: wrapCallFunction(exp[key as string], source), enumerable: d.enumerable, configurable: d.configurable, writable: false });
    } else Object.defineProperty(copy, key, d);
  }
  return copy;
}

function patchAgentClass(cls: any, source: Source): boolean {
  return wrapMethod(cls?.prototype, "prepareCall", (original) =>
    async function (this: any, ...args: any[]) {
      const prepared = await original.apply(this, args);
      try {
        const name = typeof this?.id === "string" && this.id ? this.id : "ToolLoopAgent";
        return withDefaultTelemetry(prepared, source, name);
      } catch (err) {
        internalError("ai-sdk.agent-defaults", err);
        return prepared;
      }
    },
  );
}

function sdkExports(mod: any): any {
  if (mod && (typeof mod.generateText === "function" || typeof mod.streamText === "function")) return mod;
  if (mod?.default && typeof mod.default.generateText === "function") return mod.default;
  return undefined;
}

export const isAISdk = (x: unknown): boolean => !!sdkExports(x);

/** Marks our integration in the SDK's registry, so a second copy of the SDK does not register it again. */
const OURS = Symbol.for("@inference/tracing.ai-sdk.telemetry");

/** The SDK's registry of telemetry integrations (what registerTelemetry() fills; one per process). */
function registeredIntegrations(): readonly unknown[] {
  const list = (globalThis as { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown }).AI_SDK_TELEMETRY_INTEGRATIONS;
  return Array.isArray(list) ? list : [];
}

/** AI SDK 7+: register our telemetry integration through the SDK's own registerTelemetry(), once. */
function registerTelemetry(exp: any, ctx: PatchContext): boolean {
  if (!registeredIntegrations().some((i) => (i as { [OURS]?: true })?.[OURS])) {
    const ours = Object.assign(new OpenInferenceTelemetry(ctx, registeredIntegrations), { [OURS]: true });
    exp.registerTelemetry(ours);
    // the registry is the SDK's own global: a release that keeps it elsewhere would register us again per copy
    if (!registeredIntegrations().includes(ours)) ctx.debug("registered through registerTelemetry(), but the SDK's registry is not where this version expects it");
  }
  for (const name of ["ToolLoopAgent", "Experimental_Agent"]) markAgentRuns(exp[name]);
  return true;
}

/** A ToolLoopAgent's generate()/stream() run with the agent's name in the context: its call span becomes AGENT. */
function markAgentRuns(cls: any): void {
  for (const method of ["generate", "stream"]) {
    wrapMethod(cls?.prototype, method, (original) =>
      function (this: any, ...args: any[]) {
        let ctx;
        try {
          ctx = withAgentName(context.active(), typeof this?.id === "string" && this.id ? this.id : "ToolLoopAgent");
        } catch (err) {
          internalError("ai-sdk.agent-name", err);
          return original.apply(this, args);
        }
        return context.with(ctx, () => original.apply(this, args));
      },
    );
  }
}

export function patchAISdk(moduleExports: any, ctx: PatchContext): boolean | { replacementExports: object } {
  const exp = sdkExports(moduleExports);
  if (!exp) return false;
  if (typeof exp.registerTelemetry === "function") return registerTelemetry(exp, ctx);
  const fns = patchFunctions(moduleExports, ctx);
  if (moduleExports !== exp) patchFunctions(exp, ctx);
  let agents = false;
  for (const name of ["ToolLoopAgent", "Experimental_Agent"]) if (patchAgentClass(exp[name], ctx)) agents = true;
  if (fns === 0 && ctx.format === "cjs" && exp === moduleExports) {
    const replacement = replacementExports(exp, ctx);
    if (replacement) return { replacementExports: replacement };
  }
  if (fns === 0) {
    ctx.debug(
      `${ctx.format}: generateText & co. cannot be wrapped in this module format; ` +
        `telemetry is on by default for ToolLoopAgent${agents ? "" : " (not in this version)"}, pass createAISdkTelemetrySettings() elsewhere`,
    );
  }
  return fns > 0 || agents;
}
