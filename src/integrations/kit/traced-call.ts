/**
 * The traced call every provider method goes through: one span per call, opened before the SDK
 * method runs and ended exactly once however the call finishes (value, stream, error, abort).
 * The app gets back the very object the SDK returned; see observe.ts for how it is watched.
 */
import { context, createContextKey, SpanKind, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { Attr } from "../../semconv";
import { traceContextHeaders } from "../../runs/propagation";
import { stitchCall, type StitchSettings, type StitchedCall } from "../../runs/stitch";
import { isInsideFrameworkLLMSpan } from "../../spans/context";
import { contextEntryCanBeSkipped, noteContextReadInCalls } from "../../spans/context-manager";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import type { IntegrationConfig, TracerSource } from "../types";
import type { CallSpec } from "./call-spec";
import { observeResult } from "./observe";
import { SpanOwner } from "./span-owner";

/** Anthropic's messages.stream(): the span the helper opened, for the create() call it makes to adopt. */
const CLAIM_KEY = createContextKey("@inference/tracing.llm-span-claim");
interface Claim {
  span: Span;
  taken: boolean;
  /** Offered without entering the span's context: the call that adopts it carries its own trace context. */
  offered?: boolean;
  /** The run the helper's call joined, for the call that adopts the span to finish. */
  stitched?: StitchedCall;
}

/** The claim on offer while a call runs without entering a context (see contextEntryCanBeSkipped). */
let claimOnOffer: Claim | undefined;

/**
 * Run `fn` with `span` offered to the first traced create() called synchronously inside it.
 * `carriesTraceContext`: that create() can carry outgoing trace context itself (CallSpec.traceContext).
 */
export function withClaim<T>(ctx: Context, span: Span, fn: () => T, stitched?: StitchedCall, carriesTraceContext = false): { result: T; taken: boolean } {
  const claim: Claim = { span, taken: false, stitched };
  try {
    if (contextEntryCanBeSkipped(carriesTraceContext)) {
      // the claim is only ever taken synchronously: offered for the call's duration, no context entered
      claim.offered = true;
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

function takeClaim(ctx: Context): Claim | undefined {
  const claim = (ctx.getValue(CLAIM_KEY) as Claim | undefined) ?? claimOnOffer;
  if (!claim || claim.taken) return undefined;
  claim.taken = true;
  return claim;
}

/** What a traced call reads from its install: the tracer, and the run-stitching settings. */
export interface CallSource extends TracerSource {
  readonly config: Pick<IntegrationConfig, keyof StitchSettings>;
}

/**
 * The parent a model call starts under, given its request attributes: its own context, or the
 * run it continues or opens when stitching applies (see runs/stitch.ts).
 */
export function stitchedParent(ctx: Context, requestAttributes: Attributes | undefined, source: CallSource, body: any): StitchedCall | undefined {
  if (!requestAttributes) return undefined;
  try {
    return stitchCall(ctx, requestAttributes, source.tracer, source.config, body?.previous_response_id);
  } catch (err) {
    internalError("stitch", err);
    return undefined;
  }
}

/** The call's span started: the stitched run sees it start, and will see it end. */
export function joinRun(stitched: StitchedCall | undefined, owner: SpanOwner, startedAt: number): void {
  if (!stitched) return;
  stitched.started(owner.span, startedAt);
  owner.onEnd = (span) => stitched.ended(span, Date.now());
}

/** `args` carrying the outgoing trace context naming `span` (CallSpec.traceContext); undefined when the SDK's options cannot take it. */
function withOwnTraceContext(spec: CallSpec, self: unknown, args: any[], span: Span): any[] | undefined {
  try {
    const headers = traceContextHeaders(span.spanContext(), () => spec.traceContext!.host(self));
    return headers ? spec.traceContext!.withHeaders(args, headers, self) : args;
  } catch (err) {
    internalError(`${spec.key}.trace-context`, err);
    return undefined;
  }
}

/** `original` called on `self` with `args` (what a traced call runs inside its span's context; no thisArg, which the context manager would bind). */
function applyOriginal(self: unknown, original: (...a: any[]) => any, args: any[]): any {
  return original.apply(self, args);
}

export interface TracedCallOptions {
  /** OpenInference span kind of the calls (default LLM). */
  kind?: "LLM" | "EMBEDDING" | "AGENT";
}

/**
 * The wrapper every traced SDK method uses. `original` is the SDK's method; the returned
 * function calls it with the same `this` and args (or the opt-in rewritten args) and
 * returns exactly what it returned.
 */
export function makeTraced(original: (...a: any[]) => any, spec: CallSpec, source: CallSource, opts: TracedCallOptions = {}) {
  const spanKind = opts.kind ?? "LLM";
  return function traced(this: any, ...args: any[]): any {
    const ctx = context.active();
    if (isInsideFrameworkLLMSpan(ctx)) return original.apply(this, args);
    const body = args[0];
    let owner: SpanOwner;
    let claim: Claim | undefined;
    let callArgs: any[];
    /** The context the call runs in, when it has to enter one. */
    let enter: Context | undefined;
    let rewrite: { args: any[]; hide: (chunk: any) => boolean } | undefined;
    try {
      if (spec.tracesItself?.(this)) noteContextReadInCalls();
      claim = takeClaim(ctx);
      // the request side first: a model call's messages decide which run it belongs to
      let requestAttributes: Attributes | undefined;
      let requestFailure: unknown;
      try {
        faultPoint(`${spec.key}.request`);
        requestAttributes = spec.request(body, this);
      } catch (err) {
        requestFailure = err;
      }
      const stitched = claim ? claim.stitched : spanKind === "LLM" ? stitchedParent(ctx, requestAttributes, source, body) : undefined;
      const parent = stitched && !claim ? stitched.parent : ctx;
      const startedAt = Date.now();
      const span = claim?.span ?? source.tracer.startSpan(spec.spanName, { kind: SpanKind.INTERNAL }, parent);
      owner = new SpanOwner(span, spec.errorAttributes);
      span.setAttribute(Attr.SPAN_KIND, spanKind);
      if (requestAttributes) span.setAttributes(requestAttributes);
      else
        guarded(span, `${spec.key}.request`, () => {
          throw requestFailure;
        });
      joinRun(stitched, owner, startedAt);
      if (spec.rewriteArgs) rewrite = guarded(span, `${spec.key}.rewrite`, () => spec.rewriteArgs!(args));
      callArgs = rewrite ? rewrite.args : args;
      // a claim's span is the context's already, or was offered without one. Otherwise the call enters
      // its span's context only when something may read it inside the call: on Node 20/22 entering
      // switches promise hooks on for good (spans/context-manager.ts)
      let skip = claim !== undefined || contextEntryCanBeSkipped(spec.traceContext !== undefined);
      if (skip && (!claim || claim.offered) && spec.traceContext) {
        const carried = withOwnTraceContext(spec, this, callArgs, span);
        if (carried) callArgs = carried;
        else skip = false;
      }
      enter = skip ? undefined : trace.setSpan(parent, span);
    } catch (err) {
      internalError(`${spec.key}.start`, err);
      return original.apply(this, args);
    }
    let result: any;
    try {
      // no closure per call: with keepNames, the bundle gives every named one a name by defineProperty (~0.4 µs each)
      result = enter ? context.with(enter, applyOriginal, undefined, this, original, callArgs) : original.apply(this, callArgs);
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

