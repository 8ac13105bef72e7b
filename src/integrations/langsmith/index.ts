/**
 * LangSmith (langsmith): runs an app already records with LangSmith (`traceable`, `wrapOpenAI`,
 * `wrapAnthropic`, `RunTree`) also become OpenInference spans in our trace tree, while the app's own
 * export to LangSmith stays exactly as it was (same client, same endpoint, same wire format).
 *
 * How: RunTree.prototype.postRun / patchRun (which every LangSmith run goes through to reach the
 * LangSmith API) start and end one span per run, parented by the run tree; and LangSmith's shared
 * AsyncLocalStorage `run` (where `traceable` runs the user's function) runs that function inside the
 * span's OpenTelemetry context, so provider spans and LangChain runs inside a traceable nest under it.
 * A model call recorded by wrapOpenAI/wrapAnthropic runs inside markFrameworkLLMSpan, so the
 * openai/anthropic integrations do not record it a second time.
 *
 * LangSmith's own OTel mode (LANGSMITH_TRACING_MODE=otel) is not switched on: in langsmith 0.12 it
 * replaces the LangSmith API export with an OTLP export. Its span attributes (langsmith.span.kind,
 * gen_ai.*) are still mapped when an app turns that mode on itself: see `langsmithAttributeTransform`.
 */
import * as path from "node:path";
import { context, trace, SpanStatusCode, type Attributes, type Context, type Tracer } from "@opentelemetry/api";
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { Attr, MessageRole, OpenInferenceAttribute as OI, SpanKindValues, type SpanKind } from "../../semconv";
import { ioValue } from "../../spans/coerce";
import { markFrameworkLLMSpan } from "../../spans/context";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import { appManifest, findPackage } from "../../hooks/resolve";
import { RunRegistry, registry as langchainRuns } from "../langchain/handler";
import { commonAttributes, messageAttributes, usageFromMetadata, type SimpleMessage } from "../langchain/mapping";
import { usesEagerEsm } from "../langchain";
import { langsmithAttributeTransform } from "./transform";

const PATCHED = Symbol.for("@inference/tracing.patched");
const ALS_KEY = Symbol.for("ls:tracing_async_local_storage");

export const langsmithRuns = new RunRegistry();
let tracerGetter: (() => Tracer) | undefined;

const KIND: Record<string, SpanKind> = {
  llm: SpanKindValues.LLM,
  chain: SpanKindValues.CHAIN,
  tool: SpanKindValues.TOOL,
  retriever: SpanKindValues.RETRIEVER,
  embedding: SpanKindValues.EMBEDDING,
  prompt: SpanKindValues.PROMPT,
  parser: SpanKindValues.CHAIN,
};

function isRunTree(x: any): boolean {
  return !!x && typeof x === "object" && typeof x.id === "string" && typeof x.run_type === "string" && typeof x.postRun === "function";
}

// ------------------------------------------------------------------ mapping (pure)

function openAIMessages(list: unknown): SimpleMessage[] {
  if (!Array.isArray(list)) return [];
  return list.map((m: any) => ({
    role: m?.role ?? (m?.type === "human" ? MessageRole.USER : m?.type === "ai" ? MessageRole.ASSISTANT : String(m?.type ?? "unknown")),
    content: m?.content,
    name: typeof m?.name === "string" ? m.name : undefined,
    toolCallId: typeof m?.tool_call_id === "string" ? m.tool_call_id : undefined,
    toolCalls: Array.isArray(m?.tool_calls)
      ? m.tool_calls.map((c: any) => ({ id: c.id, name: c.function?.name ?? c.name, args: c.function?.arguments ?? c.args }))
      : undefined,
  }));
}

function io(v: unknown) {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    // LangSmith wraps a plain argument / return value as { input } / { output } / { outputs }
    if (keys.length === 1 && /^(input|inputs|output|outputs)$/.test(keys[0]!) && typeof (v as any)[keys[0]!] === "string") return ioValue((v as any)[keys[0]!]);
  }
  return ioValue(v);
}

export function runStartAttributes(rt: any): Attributes {
  faultPoint("langsmith.start");
  const meta = rt.extra?.metadata ?? rt.metadata ?? {};
  const a: Attributes = { ...commonAttributes(rt.tags, meta) };
  const kind = KIND[rt.run_type] ?? SpanKindValues.CHAIN;
  if (kind === SpanKindValues.TOOL) a[Attr.TOOL_NAME] = rt.name;
  if (kind === SpanKindValues.LLM) {
    const model = meta.ls_model_name ?? rt.inputs?.model ?? rt.extra?.invocation_params?.model;
    if (typeof model === "string") a[Attr.MODEL_NAME] = model;
    if (typeof meta.ls_provider === "string") {
      a[Attr.LLM_PROVIDER] = meta.ls_provider.toLowerCase();
      a[Attr.LLM_SYSTEM] = meta.ls_provider.toLowerCase();
    }
    const msgs = openAIMessages(rt.inputs?.messages);
    msgs.forEach((m, i) => messageAttributes(a, OI.inputMessagePrefix(i), m));
    if (rt.inputs?.stream === true) a[Attr.STREAMING] = true;
  }
  if (rt.inputs !== undefined && Object.keys(rt.inputs ?? {}).length > 0) {
    const v = io(rt.inputs);
    a[Attr.INPUT_VALUE] = v.value;
    a[Attr.INPUT_MIME_TYPE] = v.mimeType;
  }
  a["langsmith.run_id"] = rt.id;
  return a;
}

export function runEndAttributes(rt: any): Attributes {
  faultPoint("langsmith.end");
  const a: Attributes = {};
  const out = rt.outputs;
  if (out !== undefined && out !== null && Object.keys(out).length > 0) {
    const v = io(out);
    a[Attr.OUTPUT_VALUE] = v.value;
    a[Attr.OUTPUT_MIME_TYPE] = v.mimeType;
  }
  if (rt.run_type === "llm" && out && typeof out === "object") {
    const msg = out.choices?.[0]?.message ?? (out.role ? out : undefined);
    if (msg) messageAttributes(a, OI.outputMessagePrefix(0), openAIMessages([msg])[0]!);
    const fr = out.choices?.[0]?.finish_reason ?? out.stop_reason;
    if (typeof fr === "string") a[Attr.FINISH_REASON] = fr;
    if (typeof out.model === "string") a[Attr.MODEL_NAME] = out.model;
    const counts = usageFromMetadata(out.usage_metadata) ?? (out.usage ? normalizeUsage(out.usage) : undefined);
    if (counts) Object.assign(a, tokenAttributes(counts));
  }
  return a;
}

// ------------------------------------------------------------------ span lifecycle

function parentContextOf(rt: any): Context {
  const pid = rt.parent_run_id ?? rt.parent_run?.id;
  return langsmithRuns.get(pid)?.ctx ?? langchainRuns.get(pid)?.ctx ?? context.active();
}

/** Start the span for a LangSmith run (once), unless LangChain's own handler already records this run. */
function ensureSpan(rt: any): Context | undefined {
  const existing = langsmithRuns.get(rt.id);
  if (existing) return existing.ctx;
  if (!tracerGetter || rt.tracingEnabled === false || langchainRuns.get(rt.id)) return undefined;
  const parent = parentContextOf(rt);
  const kind = KIND[rt.run_type] ?? SpanKindValues.CHAIN;
  const startTime = typeof rt.start_time === "number" ? rt.start_time : undefined;
  const span = tracerGetter().startSpan(String(rt.name ?? rt.run_type), { attributes: { [Attr.SPAN_KIND]: kind }, startTime }, parent);
  guarded(span, "langsmith.start", () => span.setAttributes(runStartAttributes(rt)));
  let ctx = trace.setSpan(parent, span);
  // the provider call under a wrapOpenAI/wrapAnthropic LLM run is this span: no second LLM span
  if (kind === SpanKindValues.LLM) ctx = markFrameworkLLMSpan(ctx, span);
  langsmithRuns.set(rt.id, { span, ctx, started: Date.now() });
  // LangChain's tracer may post the same run before our LangChain handler saw it: let LangChain own it
  queueMicrotask(() => {
    if (langchainRuns.get(rt.id)) langsmithRuns.take(rt.id); // dropped unended: never exported
  });
  return ctx;
}

function finishSpan(rt: any): void {
  if (!rt.end_time) return;
  const e = langsmithRuns.take(rt.id);
  if (!e?.span) return;
  guarded(e.span, "langsmith.end", () => {
    // attributes known only at the end (inputs may be deferred)
    if (rt.inputs && Object.keys(rt.inputs).length > 0) e.span!.setAttributes(runStartAttributes(rt));
    e.span!.setAttributes(runEndAttributes(rt));
  });
  if (rt.error) recordError(e.span, new Error(String(rt.error)));
  else e.span.setStatus({ code: SpanStatusCode.OK });
  e.span.end(typeof rt.end_time === "number" ? rt.end_time : undefined);
}

function wrap(owner: any, name: string, make: (orig: (...a: any[]) => any) => (...a: any[]) => any): boolean {
  const orig = owner?.[name];
  if (typeof orig !== "function" || orig[PATCHED]) return false;
  const w = make(orig);
  Object.defineProperty(w, PATCHED, { value: true });
  Object.defineProperty(w, "length", { value: orig.length });
  owner[name] = w;
  return true;
}

function patchRunTree(RunTree: any): boolean {
  const proto = RunTree?.prototype;
  if (!proto || typeof proto.postRun !== "function") return false;
  wrap(proto, "postRun", (orig) =>
    function (this: any, ...args: any[]) {
      try {
        patchGlobalAls();
        ensureSpan(this);
        if (this.end_time) finishSpan(this); // a RunTree posted after it ended
      } catch (err) {
        internalError("langsmith.postRun", err);
      }
      return orig.apply(this, args);
    },
  );
  wrap(proto, "patchRun", (orig) =>
    function (this: any, ...args: any[]) {
      try {
        finishSpan(this);
      } catch (err) {
        internalError("langsmith.patchRun", err);
      }
      return orig.apply(this, args);
    },
  );
  return !!proto.postRun[PATCHED];
}

/** traceable runs the user's function in LangSmith's AsyncLocalStorage.run(runTree, fn): run fn in the span's context. */
export function patchGlobalAls(): boolean {
  const als = (globalThis as any)[ALS_KEY];
  if (!als || typeof als.run !== "function") return false;
  if (als.run[PATCHED]) return true;
  return wrap(als, "run", (orig) =>
    function (this: any, store: any, fn: any, ...args: any[]) {
      let ctx: Context | undefined;
      try {
        if (typeof fn === "function" && isRunTree(store) && store.tracingEnabled !== false) ctx = ensureSpan(store);
      } catch (err) {
        internalError("langsmith.als", err);
      }
      if (!ctx) return orig.call(this, store, fn, ...args);
      const bound = ctx;
      return orig.call(this, store, (...a: unknown[]) => context.with(bound, fn, undefined, ...a));
    },
  );
}

export function patchLangSmithExports(exports: any): boolean {
  if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return false;
  let patched = false;
  const RunTree = exports.RunTree ?? (typeof exports.prototype?.postRun === "function" ? exports : undefined);
  if (RunTree) patched = patchRunTree(RunTree) || patched;
  patchGlobalAls();
  return patched;
}

const CJS_FILES = ["lib/run_trees.js", "lib/traceable.js"];

export const langsmithIntegration: Integration = {
  key: "langsmith",
  displayName: "LangSmith",
  packages: ["langsmith"],
  files: CJS_FILES,
  versionRange: ">=0.3.0 <1",
  exportTransform: (attributes) => langsmithAttributeTransform(attributes),
  patch(exports: any, ctx: PatchContext) {
    tracerGetter = () => ctx.tracer;
    let patched = patchLangSmithExports(exports);
    if (ctx.format === "esm" && usesEagerEsm()) {
      // make sure the ESM traceable module (which creates LangSmith's shared AsyncLocalStorage) is in place
      const loc = findPackage("langsmith", appManifest()?.dir ?? process.cwd());
      if (loc) {
        for (const f of ["lib/run_trees.mjs", "lib/traceable.mjs"]) {
          try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            patched = patchLangSmithExports(require(path.join(loc.dir, f))) || patched;
          } catch (err) {
            internalError("langsmith.esm", err);
          }
        }
      }
    }
    return patched || (!!exports && typeof exports.traceable === "function" && patchGlobalAls());
  },
  onSetup(ctx) {
    tracerGetter = () => ctx.tracer;
    try {
      for (const [file, mod] of Object.entries(require.cache)) {
        if (mod && /[\\/]node_modules[\\/]langsmith[\\/]lib[\\/](run_trees|traceable)\.js$/.test(file)) patchLangSmithExports(mod.exports);
      }
    } catch (err) {
      internalError("langsmith.onSetup", err);
    }
  },
  detect(candidate: any) {
    return !!candidate && (typeof candidate.RunTree === "function" || typeof candidate.prototype?.postRun === "function");
  },
};

export { langsmithAttributeTransform } from "./transform";

export const { instrument: instrumentLangSmith, install: installLangSmithInstrumentation } = makeInstallHelpers("langsmith");
/** The name the lead asked for: patch a LangSmith module (or RunTree) explicitly. */
export const installLangSmith = (module: unknown) => instrumentLangSmith(module);
