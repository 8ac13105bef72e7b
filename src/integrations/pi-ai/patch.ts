/**
 * PI AI (@mariozechner/pi-ai): every model call -> one LLM span.
 *
 * pi-ai dispatches every call (stream, complete, streamSimple, completeSimple) through its API
 * provider registry: a Map from wire API ("anthropic-messages", "openai-completions", …) to a
 * { stream, streamSimple } provider object. We hook the registry itself, not each provider:
 * the providers already registered are wrapped, and the registry Map's own `set` is observed so
 * providers registered later (registerApiProvider, resetApiProviders, custom and faux providers)
 * are wrapped as they arrive. The Map is private to the module; it is reached once, at patch
 * time, through the public getApiProviders() (whose values() call reveals it). That works with a
 * read-only ESM namespace too, so the loader-free ESM mode is covered.
 *
 * The returned AssistantMessageEventStream is the library's own object, untouched: the span ends
 * from its result() promise (the final AssistantMessage, whether done, error or aborted).
 * Underlying OpenAI / Anthropic SDK calls run inside markFrameworkLLMSpan, so the provider
 * integrations do not count the same call twice.
 */
import { context, SpanStatusCode, trace, type Context, type Span } from "@opentelemetry/api";
import type { PatchContext, TracerSource } from "../types";
import { isPatched, markIncomplete, markPatched, originalOf, wrapFunction } from "../kit";
import { Attr, SpanKindValues } from "../../semconv";
import { markFrameworkLLMSpan } from "../../spans/context";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import { requestAttributes, responseAttributes } from "./mapping";

function define(obj: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(obj, key, { configurable: true, writable: true, enumerable: false, value });
}

function observeResult(stream: any, span: Span): void {
  let ended = false;
  const finish = (msg: any) => {
    if (ended) return;
    ended = true;
    guarded(span, "pi-ai.response", () => {
      faultPoint("pi-ai.finish");
      span.setAttributes(responseAttributes(msg));
    });
    const failed = msg?.stopReason === "error" || msg?.stopReason === "aborted";
    if (failed) {
      if (msg.stopReason === "aborted") span.setAttribute("pi_ai.aborted", true);
      const message = typeof msg.errorMessage === "string" && msg.errorMessage ? msg.errorMessage : String(msg.stopReason);
      span.addEvent("exception", { "exception.type": msg.stopReason === "aborted" ? "AbortError" : "Error", "exception.message": message });
      span.setStatus({ code: SpanStatusCode.ERROR, message });
    } else span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  };
  try {
    const p = stream && typeof stream.result === "function" ? stream.result() : undefined;
    if (!p || typeof p.then !== "function") {
      markIncomplete(span);
      span.end();
      return;
    }
    p.then(finish, (err: unknown) => {
      if (ended) return;
      ended = true;
      recordError(span, err);
      span.end();
    }).catch((err: unknown) => internalError("pi-ai.finish", err));
  } catch (err) {
    internalError("pi-ai.observe", err);
    if (!ended) {
      ended = true;
      span.end();
    }
  }
}

/** Wrap one provider function (stream or streamSimple): (model, context, options) -> stream. */
function wrapProviderFn(fn: (...a: any[]) => any, method: string, source: TracerSource): (...a: any[]) => any {
  if (originalOf(fn)) return fn;
  return wrapFunction(fn, () => function (this: unknown, ...args: any[]) {
    let span: Span;
    let spanCtx: Context;
    try {
      const parent = context.active();
      span = source.tracer.startSpan(`pi_ai.${method}`, { attributes: { [Attr.SPAN_KIND]: SpanKindValues.LLM } }, parent);
      guarded(span, "pi-ai.request", () => span.setAttributes(requestAttributes(args[0], args[1], args[2], method)));
      spanCtx = markFrameworkLLMSpan(trace.setSpan(parent, span), span);
    } catch (err) {
      internalError("pi-ai.start", err);
      return fn.apply(this, args);
    }
    let stream: unknown;
    try {
      stream = context.with(spanCtx, () => fn.apply(this, args));
    } catch (err) {
      recordError(span, err);
      span.end();
      throw err;
    }
    observeResult(stream, span);
    return stream;
  });
}

function wrapProvider(provider: any, source: TracerSource): boolean {
  if (!provider || typeof provider !== "object") return false;
  let any = false;
  for (const method of ["stream", "streamSimple"] as const) {
    const fn = provider[method];
    if (typeof fn !== "function") continue;
    if (originalOf(fn)) {
      any = true;
      continue;
    }
    try {
      provider[method] = wrapProviderFn(fn, method, source);
      any = true;
    } catch (err) {
      internalError("pi-ai.wrap-provider", err);
    }
  }
  return any;
}

/** The registry Map behind getApiProviders(): observed through one call of its values(). */
function findRegistry(ns: any): Map<unknown, any> | undefined {
  const getAll = ns?.getApiProviders;
  if (typeof getAll !== "function") return undefined;
  const proto = Map.prototype as any;
  const original = proto.values;
  let found: Map<unknown, any> | undefined;
  try {
    define(proto, "values", function (this: Map<unknown, unknown>) {
      if (!found && this instanceof Map) found = this;
      return original.call(this);
    });
    getAll();
  } catch (err) {
    internalError("pi-ai.find-registry", err);
  } finally {
    define(proto, "values", original);
  }
  return found;
}

function instrumentRegistry(map: Map<unknown, any>, source: TracerSource): void {
  if (isPatched(map)) return;
  for (const entry of map.values()) wrapProvider(entry?.provider ?? entry, source);
  const originalSet = map.set;
  define(map, "set", function (this: Map<unknown, any>, key: unknown, value: any) {
    try {
      wrapProvider(value?.provider ?? value, source);
    } catch (err) {
      internalError("pi-ai.register", err);
    }
    return originalSet.call(this, key, value);
  });
  markPatched(map);
}

export const isPiAi = (x: any): boolean => !!x && typeof x === "object" && typeof x.getApiProviders === "function" && typeof x.registerApiProvider === "function";

export function patchPiAi(exports: any, ctx: PatchContext): boolean {
  const map = findRegistry(exports);
  if (map) {
    instrumentRegistry(map, ctx);
    return true;
  }
  // registry not reachable: wrap the providers registered so far (later ones stay untraced)
  if (typeof exports?.getApiProviders === "function") {
    let any = false;
    for (const p of exports.getApiProviders()) any = wrapProvider(p, ctx) || any;
    if (any) ctx.debug("registry not found: only the providers registered so far are traced");
    return any;
  }
  return false;
}
