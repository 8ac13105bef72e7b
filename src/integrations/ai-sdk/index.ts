/**
 * Vercel AI SDK (`ai`). The SDK records its own OpenTelemetry spans when a call enables
 * `experimental_telemetry`; we (1) turn that on for calls that did not set it themselves
 * (never touching a caller's own settings), pointed at our tracer, and (2) add OpenInference
 * attributes to the native spans (kinds, model, provider, messages, tool calls, tokens,
 * finish reason) while keeping every native attribute.
 *
 * Where the zero-code default can be injected:
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
import type { ReadableSpan, Span as SdkSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Context, Tracer } from "@opentelemetry/api";
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { activeTracer } from "../../state";
import { internalError } from "../../util/log";
import { applyAISdkMapping } from "./mapping";
import { mappingTracer } from "./tracer";
import { aiSdkAttributeTransform } from "./transform";

export { mapAISdkSpan, applyAISdkMapping, isAISdkSpan } from "./mapping";
export { mappingTracer } from "./tracer";

const PATCHED = Symbol.for("@inference/tracing.patched");
const FUNCTIONS = ["generateText", "streamText", "generateObject", "streamObject", "embed", "embedMany"] as const;

let tracerGetter: (() => Tracer) | undefined;
const ourTracer = (): Tracer => (tracerGetter ? tracerGetter() : activeTracer());

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
  const settings: Record<string, unknown> = { isEnabled: true, tracer: mappingTracer(tracer ?? (() => ourTracer())) };
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

/**
 * An export-time processor that adds OpenInference attributes to AI SDK spans recorded through
 * any tracer of the provider (apps that pass their own telemetry settings). The lead wires it
 * into the pipeline; it edits a finished span's attributes in place and is idempotent.
 */
export class AISdkSpanProcessor implements SpanProcessor {
  onStart(_span: SdkSpan, _ctx: Context): void {}
  onEnd(span: ReadableSpan): void {
    try {
      applyAISdkMapping(span.name, span.attributes as Record<string, unknown>);
    } catch (err) {
      internalError("ai-sdk.processor", err);
    }
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
/** The same mapping as an AttributeTransform (attributes, span) => void for the export pipeline. */
export { aiSdkAttributeTransform } from "./transform";

/** The call options with our telemetry added, unless the caller set experimental_telemetry. */
function withDefaultTelemetry(options: unknown, agentName?: string): unknown {
  if (!options || typeof options !== "object") return options;
  if ((options as Record<string, unknown>).experimental_telemetry !== undefined) return options;
  return { ...(options as object), experimental_telemetry: { isEnabled: true, tracer: mappingTracer(() => ourTracer(), { agentName }) } };
}

function wrapFunction(original: (...a: any[]) => any): (...a: any[]) => any {
  const wrapped = function (this: unknown, ...args: any[]) {
    try {
      args[0] = withDefaultTelemetry(args[0]);
    } catch (err) {
      internalError("ai-sdk.defaults", err);
    }
    return original.apply(this, args);
  };
  Object.defineProperty(wrapped, "length", { value: original.length });
  Object.defineProperty(wrapped, "name", { value: original.name });
  Object.defineProperty(wrapped, PATCHED, { value: original });
  return wrapped;
}

function patchFunctions(exp: any): number {
  let n = 0;
  for (const name of FUNCTIONS) {
    const original = exp[name];
    if (typeof original !== "function" || original[PATCHED]) continue;
    try {
      exp[name] = wrapFunction(original);
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
function replacementExports(exp: any): object | undefined {
  const wanted = FUNCTIONS.filter((name) => typeof exp[name] === "function" && !exp[name][PATCHED]);
  if (wanted.length === 0) return undefined;
  const copy = Object.create(Object.getPrototypeOf(exp));
  // same keys in the same order; the wrapped functions take their original descriptor's flags
  for (const key of Reflect.ownKeys(exp)) {
    const d = Object.getOwnPropertyDescriptor(exp, key)!;
    if ((wanted as readonly PropertyKey[]).includes(key)) {
      Object.defineProperty(copy, key, { value: wrapFunction(exp[key as string]), enumerable: d.enumerable, configurable: d.configurable, writable: false });
    } else Object.defineProperty(copy, key, d);
  }
  return copy;
}

function patchAgentClass(cls: any): boolean {
  const proto = cls?.prototype;
  if (!proto || typeof proto.prepareCall !== "function") return false;
  if (Object.prototype.hasOwnProperty.call(proto, PATCHED)) return true;
  const original = proto.prepareCall;
  const wrapped = async function (this: any, ...args: any[]) {
    const prepared = await original.apply(this, args);
    try {
      const name = typeof this?.id === "string" && this.id ? this.id : "ToolLoopAgent";
      return withDefaultTelemetry(prepared, name);
    } catch (err) {
      internalError("ai-sdk.agent-defaults", err);
      return prepared;
    }
  };
  Object.defineProperty(wrapped, "length", { value: original.length });
  Object.defineProperty(proto, "prepareCall", { value: wrapped, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(proto, PATCHED, { value: original, configurable: true });
  return true;
}

function sdkExports(mod: any): any {
  if (mod && (typeof mod.generateText === "function" || typeof mod.streamText === "function")) return mod;
  if (mod?.default && typeof mod.default.generateText === "function") return mod.default;
  return undefined;
}

export const aiSdkIntegration: Integration = {
  key: "aiSdk",
  displayName: "Vercel AI SDK",
  packages: ["ai"],
  versionRange: ">=4.0.0 <8",
  esmNeedsRebinding: true,
  exportTransform: aiSdkAttributeTransform,
  detect: (x) => !!sdkExports(x),
  patch(moduleExports: any, ctx: PatchContext) {
    const exp = sdkExports(moduleExports);
    if (!exp) return false;
    tracerGetter = () => ctx.tracer;
    const fns = patchFunctions(moduleExports);
    if (moduleExports !== exp) patchFunctions(exp);
    let agents = false;
    for (const name of ["ToolLoopAgent", "Experimental_Agent"]) if (patchAgentClass(exp[name])) agents = true;
    if (fns === 0 && ctx.format === "cjs" && exp === moduleExports) {
      const replacement = replacementExports(exp);
      if (replacement) return { replacementExports: replacement };
    }
    if (fns === 0) {
      ctx.debug(
        `${ctx.format}: generateText & co. cannot be wrapped in this module format; ` +
          `telemetry is on by default for ToolLoopAgent${agents ? "" : " (not in this version)"}, pass createAISdkTelemetrySettings() elsewhere`,
      );
    }
    return fns > 0 || agents;
  },
};

export const { instrument: instrumentAISdk, install: installAISdkInstrumentation } = makeInstallHelpers("aiSdk");
