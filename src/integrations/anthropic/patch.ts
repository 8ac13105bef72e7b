/**
 * Anthropic (@anthropic-ai/sdk, 0.x and 1.x): messages.create (JSON and stream: true),
 * messages.stream() (MessageStream: events, finalMessage()), messages.parse, and the same on
 * beta.messages. Patched on the resource prototypes of each loaded copy.
 *
 * The SDK's own OpenTelemetry spans (1.x, scope com.anthropic.sdk.typescript): they are left
 * to the user's settings (the client's `openTelemetry` option, ANTHROPIC_OPEN_TELEMETRY*).
 * When they are on, they nest under our LLM span: create() is called with our span active,
 * and messages.stream() is wrapped so our span is opened before the SDK's helper opens its
 * own, and the create() inside it adopts our span (no second LLM span, no siblings).
 */
import { context, SpanKind } from "@opentelemetry/api";
import type { PatchContext } from "../types";
import { isInsideFrameworkLLMSpan } from "../../spans/context";
import { noteContextReadInCalls } from "../../spans/context-manager";
import { internalError } from "../../util/log";
import { guarded, makeTraced, SpanOwner, stainlessTraceContext, stitchedParent, withClaim, wrapMethod, type CallSource, type CallSpec } from "../kit";
import { MessagesStreamAccumulator, messagesRequest, messagesResponse } from "./mapping";

const SPAN_NAME = "Anthropic Messages";

const messagesSpec: CallSpec = {
  key: "anthropic.messages",
  spanName: SPAN_NAME,
  request: messagesRequest,
  response: (span, value) => messagesResponse(span, value),
  stream: () => new MessagesStreamAccumulator(),
  traceContext: stainlessTraceContext,
  // 1.x: a client whose `openTelemetry` option (default: on) enables traces starts spans of its own
  tracesItself: (messages) => messages?._client?.openTelemetry?.traces?.enabled === true,
};

/** messages.stream(): open our span first, and let the create() the helper makes adopt it. */
function makeTracedStream(original: (...a: any[]) => any, source: CallSource) {
  return function tracedStream(this: any, ...args: any[]): any {
    const ctx = context.active();
    if (isInsideFrameworkLLMSpan(ctx)) return original.apply(this, args);
    let owner: SpanOwner;
    let stitched: ReturnType<typeof stitchedParent>;
    try {
      if (messagesSpec.tracesItself!(this)) noteContextReadInCalls();
      stitched = stitchedParent(ctx, guarded(undefined, "anthropic.stream.request", () => messagesRequest(args[0], this)), source, args[0]);
      owner = new SpanOwner(source.tracer.startSpan(SPAN_NAME, { kind: SpanKind.INTERNAL }, stitched?.parent ?? ctx));
    } catch (err) {
      internalError("anthropic.stream.start", err);
      return original.apply(this, args);
    }
    let out: { result: any; taken: boolean };
    try {
      out = withClaim(stitched?.parent ?? ctx, owner.span, () => original.apply(this, args), stitched, true);
    } catch (err) {
      owner.error(err);
      throw err;
    }
    // the helper did not call create() synchronously (an SDK we do not know): nothing to record
    if (!out.taken) owner.ok();
    return out.result;
  };
}

function findClientClass(x: any): any {
  if (!x) return undefined;
  const ok = (c: any) => typeof c === "function" && typeof c.Messages === "function" && !c.Chat;
  if (ok(x)) return x;
  for (const c of [x.Anthropic, x.default?.Anthropic, x.default]) if (ok(c)) return c;
  return undefined;
}

function targetsOf(x: any): any[] | undefined {
  const cls = findClientClass(x);
  if (cls) return [cls.Messages?.prototype, cls.Beta?.Messages?.prototype].filter(Boolean);
  if (x && typeof x === "object" && x.messages && typeof x.messages.create === "function" && !x.chat) {
    return [Object.getPrototypeOf(x.messages), x.beta?.messages ? Object.getPrototypeOf(x.beta.messages) : undefined].filter(Boolean);
  }
  return undefined;
}

export function patchAnthropic(moduleExports: unknown, ctx: PatchContext): boolean {
  const targets = targetsOf(moduleExports);
  if (!targets || targets.length === 0) return false;
  let any = false;
  for (const proto of targets) {
    any = wrapMethod(proto, "create", (orig) => makeTraced(orig, messagesSpec, ctx)) || any;
    wrapMethod(proto, "stream", (orig) => makeTracedStream(orig, ctx));
  }
  return any;
}

export const isAnthropic = (x: unknown): boolean => targetsOf(x) !== undefined;

