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
import { context, trace, SpanStatusCode, type Attributes, type Context } from "@opentelemetry/api";
import type { PatchContext, TracerSource } from "../types";
import { wrapMethod } from "../kit";
import { Attr, MessageRole, OpenInferenceAttribute as OI, SpanKindValues, type SpanKind } from "../../semconv";
import { ioValue } from "../../spans/coerce";
import { markFrameworkLLMSpan } from "../../spans/context";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import { RunRegistry, registry as langchainRuns } from "../langchain/handler";
import { commonAttributes, messageAttributes, usageFromMetadata, type SimpleMessage } from "../langchain/mapping";

const ALS_KEY = Symbol.for("ls:tracing_async_local_storage");

const langsmithRuns = new RunRegistry();

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
function ensureSpan(rt: any, source: TracerSource): Context | undefined {
  const existing = langsmithRuns.get(rt.id);
  if (existing) return existing.ctx;
  if (rt.tracingEnabled === false || langchainRuns.owns(rt.id)) return undefined;
  const parent = parentContextOf(rt);
  const kind = KIND[rt.run_type] ?? SpanKindValues.CHAIN;
  const startTime = typeof rt.start_time === "number" ? rt.start_time : undefined;
  const span = source.tracer.startSpan(String(rt.name ?? rt.run_type), { attributes: { [Attr.SPAN_KIND]: kind }, startTime }, parent);
  guarded(span, "langsmith.start", () => span.setAttributes(runStartAttributes(rt)));
  let ctx = trace.setSpan(parent, span);
  // the provider call under a wrapOpenAI/wrapAnthropic LLM run is this span: no second LLM span
  if (kind === SpanKindValues.LLM) ctx = markFrameworkLLMSpan(ctx, span);
  langsmithRuns.set(rt.id, { span, ctx, started: Date.now() });
  return ctx;
}

/**
 * A run posted to LangSmith. LangChain's own tracer posts each LangChain run before our LangChain
 * handler has seen it (and again when it ends): decide once the callbacks of this turn have run,
 * so a run LangChain's handler records is never recorded a second time (a span started and
 * dropped would still be ended and exported at exit). Timestamps come from the run itself.
 */
function onPosted(rt: any, source: TracerSource): void {
  if (langsmithRuns.get(rt.id)) {
    if (rt.end_time) finishSpan(rt); // a RunTree posted after it ended
    return;
  }
  setImmediate(() => {
    try {
      if (langchainRuns.owns(rt.id) || !ensureSpan(rt, source)) return;
      if (rt.end_time) finishSpan(rt);
    } catch (err) {
      internalError("langsmith.posted", err);
    }
  });
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

function patchRunTree(RunTree: any, source: TracerSource): boolean {
  const proto = RunTree?.prototype;
  if (!proto || typeof proto.postRun !== "function") return false;
  const posted = wrapMethod(proto, "postRun", (orig) =>
    function (this: any, ...args: any[]) {
      try {
        patchGlobalAls(source);
        onPosted(this, source);
      } catch (err) {
        internalError("langsmith.postRun", err);
      }
      return orig.apply(this, args);
    },
  );
  wrapMethod(proto, "patchRun", (orig) =>
    function (this: any, ...args: any[]) {
      try {
        finishSpan(this);
      } catch (err) {
        internalError("langsmith.patchRun", err);
      }
      return orig.apply(this, args);
    },
  );
  return posted;
}

/** traceable runs the user's function in LangSmith's AsyncLocalStorage.run(runTree, fn): run fn in the span's context. */
function patchGlobalAls(source: TracerSource): boolean {
  const als = (globalThis as any)[ALS_KEY];
  if (!als || typeof als.run !== "function") return false;
  return wrapMethod(als, "run", (orig) =>
    function (this: any, store: any, fn: any, ...args: any[]) {
      let ctx: Context | undefined;
      try {
        if (typeof fn === "function" && isRunTree(store) && store.tracingEnabled !== false) ctx = ensureSpan(store, source);
      } catch (err) {
        internalError("langsmith.als", err);
      }
      if (!ctx) return orig.call(this, store, fn, ...args);
      const bound = ctx;
      return orig.call(this, store, (...a: unknown[]) => context.with(bound, fn, undefined, ...a));
    },
  );
}

export function patchLangSmith(exports: any, ctx: PatchContext): boolean {
  if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return false;
  const RunTree = exports.RunTree ?? (typeof exports.prototype?.postRun === "function" ? exports : undefined);
  const patched = RunTree ? patchRunTree(RunTree, ctx) : false;
  // the shared AsyncLocalStorage exists once traceable's module has loaded
  const als = patchGlobalAls(ctx);
  return patched || (typeof exports.traceable === "function" && als);
}

export function isLangSmith(candidate: any): boolean {
  return !!candidate && (typeof candidate.RunTree === "function" || typeof candidate.prototype?.postRun === "function");
}
