/**
 * The traced call every provider method goes through: one span per call, opened before the SDK
 * method runs and ended exactly once however the call finishes (value, stream, error, abort).
 * The app gets back the very object the SDK returned; see observe.ts for how it is watched.
 */
import { context, createContextKey, SpanKind, trace, type Context, type Span } from "@opentelemetry/api";
import { Attr } from "../../semconv";
import { isInsideFrameworkLLMSpan } from "../../spans/context";
import { contextEntryCanBeSkipped, noteOthersTrace } from "../../spans/context-manager";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import type { TracerSource } from "../types";
import type { CallSpec } from "./call-spec";
import { observeResult, pointsOf } from "./observe";
import { SpanOwner } from "./span-owner";

/** Anthropic's messages.stream(): the span the helper opened, for the create() call it makes to adopt. */
const CLAIM_KEY = createContextKey("@inference/tracing.llm-span-claim");
interface Claim {
  span: Span;
  taken: boolean;
}

/** The claim on offer while a call runs without entering a context (see contextEntryCanBeSkipped). */
let claimOnOffer: Claim | undefined;

/** Run `fn` with `span` offered to the first traced create() called synchronously inside it. */
export function withClaim<T>(ctx: Context, span: Span, fn: () => T): { result: T; taken: boolean } {
  const claim: Claim = { span, taken: false };
  try {
    if (contextEntryCanBeSkipped()) {
      // the claim is only ever taken synchronously: offered for the call's duration, no context entered
      const outer = claimOnOffer;
      claimOnOffer = claim;
      try {
        return { result: fn(), taken: claim.taken };
      } finally {
        claimOnOffer = outer;
      }
    }
    const result = context.with(trace.setSpan(ctx, span).setValue(CLAIM_KEY, claim), fn);
    return { result, taken: claim.taken };
  } finally {
    claim.taken = true; // a claim is only valid during the synchronous call
  }
}

function takeClaim(ctx: Context): Span | undefined {
  const claim = (ctx.getValue(CLAIM_KEY) as Claim | undefined) ?? claimOnOffer;
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
  const points = pointsOf(spec);
  return function traced(this: any, ...args: any[]): any {
    const ctx = context.active();
    if (isInsideFrameworkLLMSpan(ctx)) return original.apply(this, args);
    const body = args[0];
    let owner: SpanOwner;
    let adopted: Span | undefined;
    let rewrite: { args: any[]; hide: (chunk: any) => boolean } | undefined;
    try {
      if (spec.tracesItself?.(this)) noteOthersTrace();
      adopted = takeClaim(ctx);
      const span = adopted ?? source.tracer.startSpan(spec.spanName, { kind: SpanKind.INTERNAL }, ctx);
      owner = new SpanOwner(span);
      span.setAttribute(Attr.SPAN_KIND, spanKind);
      guarded(span, points.request, () => {
        faultPoint(points.request);
        span.setAttributes(spec.request(body, this));
      });
      if (spec.rewriteArgs) rewrite = guarded(span, points.rewrite, () => spec.rewriteArgs!(args));
    } catch (err) {
      internalError(points.start, err);
      return original.apply(this, args);
    }
    let result: any;
    try {
      const call = () => original.apply(this, rewrite ? rewrite.args : args);
      // an adopted span is the context's already; on Node 20/22 entering the first context of the
      // process switches promise hooks on for good, and a call nobody can start a span under needs
      // none (spans/context-manager.ts)
      result = adopted || contextEntryCanBeSkipped() ? call() : context.with(trace.setSpan(ctx, owner.span), call);
    } catch (err) {
      owner.error(err);
      throw err;
    }
    try {
      observeResult(result, owner, spec, body, rewrite?.hide);
    } catch (err) {
      internalError(points.observe, err);
      guarded(owner.span, points.observe, () => {
        throw err;
      });
      owner.ok();
    }
    return result;
  };
}

