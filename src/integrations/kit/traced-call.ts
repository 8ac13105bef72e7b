/**
 * The traced call every provider method goes through: one span per call, opened before the SDK
 * method runs and ended exactly once however the call finishes (value, stream, error, abort).
 * The app gets back the very object the SDK returned; see observe.ts for how it is watched.
 */
import { context, createContextKey, SpanKind, trace, type Context, type Span } from "@opentelemetry/api";
import { Attr } from "../../semconv";
import { isInsideFrameworkLLMSpan } from "../../spans/context";
import { contextEntryCanBeSkipped } from "../../spans/context-manager";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import type { TracerSource } from "../types";
import type { CallSpec } from "./call-spec";
import { observeResult } from "./observe";
import { SpanOwner } from "./span-owner";

/** Anthropic's messages.stream(): the span the helper opened, for the create() call it makes to adopt. */
const CLAIM_KEY = createContextKey("@inference/tracing.llm-span-claim");
interface Claim {
  span: Span;
  taken: boolean;
}

/** Run `fn` with `span` offered to the first traced create() called synchronously inside it. */
export function withClaim<T>(ctx: Context, span: Span, fn: () => T): { result: T; taken: boolean } {
  const claim: Claim = { span, taken: false };
  const c = trace.setSpan(ctx, span).setValue(CLAIM_KEY, claim);
  try {
    const result = context.with(c, fn);
    return { result, taken: claim.taken };
  } finally {
    claim.taken = true; // a claim is only valid during the synchronous call
  }
}

function takeClaim(ctx: Context): Span | undefined {
  const claim = ctx.getValue(CLAIM_KEY) as Claim | undefined;
  if (!claim || claim.taken) return undefined;
  claim.taken = true;
  return claim.span;
}

export interface TracedCallOptions {
  /** OpenInference span kind of the calls (default LLM). */
  kind?: "LLM" | "EMBEDDING";
}

/**
 * The wrapper every traced SDK method uses. `original` is the SDK's method; the returned
 * function calls it with the same `this` and args (or the opt-in rewritten args) and
 * returns exactly what it returned.
 */
export function makeTraced(original: (...a: any[]) => any, spec: CallSpec, source: TracerSource, opts: TracedCallOptions = {}) {
  const spanKind = opts.kind ?? "LLM";
  return function traced(this: any, ...args: any[]): any {
    const ctx = context.active();
    if (isInsideFrameworkLLMSpan(ctx)) return original.apply(this, args);
    const body = args[0];
    let owner: SpanOwner;
    let callCtx: Context;
    let rewrite: { args: any[]; hide: (chunk: any) => boolean } | undefined;
    try {
      const adopted = takeClaim(ctx);
      const span = adopted ?? source.tracer.startSpan(spec.spanName, { kind: SpanKind.INTERNAL }, ctx);
      owner = new SpanOwner(span);
      callCtx = adopted ? ctx : trace.setSpan(ctx, span);
      span.setAttribute(Attr.SPAN_KIND, spanKind);
      guarded(span, `${spec.key}.request`, () => {
        faultPoint(`${spec.key}.request`);
        span.setAttributes(spec.request(body, this));
      });
      if (spec.rewriteArgs) rewrite = guarded(span, `${spec.key}.rewrite`, () => spec.rewriteArgs!(args));
    } catch (err) {
      internalError(`${spec.key}.start`, err);
      return original.apply(this, args);
    }
    let result: any;
    try {
      const call = () => original.apply(this, rewrite ? rewrite.args : args);
      // on Node 20/22 entering the first context of the process switches promise hooks on for good;
      // a call nobody can start a span under needs none (spans/context-manager.ts)
      result = contextEntryCanBeSkipped() ? call() : context.with(callCtx, call);
    } catch (err) {
      owner.error(err);
      throw err;
    }
    try {
      observeResult(result, owner, spec, body, rewrite?.hide);
    } catch (err) {
      internalError(`${spec.key}.observe`, err);
      guarded(owner.span, `${spec.key}.observe`, () => {
        throw err;
      });
      owner.ok();
    }
    return result;
  };
}

