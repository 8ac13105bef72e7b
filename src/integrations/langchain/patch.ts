/**
 * LangChain (@langchain/core), and through it LangGraph.
 *
 * Three small patches on each loaded copy (CommonJS and ESM) of @langchain/core:
 *  1. CallbackManager._configureSync (which CallbackManager.configure and every runnable,
 *     chat model, LLM, tool and retriever go through) gets our callback handler added as an
 *     inheritable handler, so every run reports to it without the app passing callbacks;
 *  2. AsyncLocalStorageProviderSingleton.runWithConfig (where LangChain and LangGraph run user
 *     code: lambdas, tool functions, graph nodes) runs that code inside the OpenTelemetry
 *     context of the run that owns it, so spans made there (manual spans, provider calls outside
 *     LangChain) nest under the right LangChain span;
 *  3. BaseChatModel / BaseLLM _generateUncached and _streamIterator run the model call inside
 *     markFrameworkLLMSpan, so the provider integrations (openai, anthropic) do not record the
 *     same model call a second time.
 */
import { context, type Context } from "@opentelemetry/api";
import type { PatchContext, TracerSource } from "../types";
import { wrapMethod } from "../kit";
import { markFrameworkLLMSpan } from "../../spans/context";
import { internalError } from "../../util/log";
import { contextForRun, createHandlerMethods, HANDLER_NAME, STREAMING_KEY } from "./handler";

// ------------------------------------------------------------------ 1. the handler in every manager

const HANDLER = Symbol.for("@inference/tracing.langchain.handler");

/** One handler instance per CallbackManager class (a real BaseCallbackHandler of that copy), recording through the install that patched it. */
function handlerFor(CallbackManager: any, source: TracerSource): any {
  const existing = CallbackManager[HANDLER];
  if (existing) return existing;
  const methods = createHandlerMethods(source);
  let handler: any;
  try {
    // fromHandlers builds a BaseCallbackHandler subclass of this very copy around our methods
    handler = CallbackManager.fromHandlers(methods).handlers[0];
  } catch {
    handler = undefined;
  }
  if (!handler) handler = { ...methods };
  handler.name = HANDLER_NAME;
  handler.awaitHandlers = true;
  handler.raiseError = false;
  Object.defineProperty(CallbackManager, HANDLER, { value: handler });
  return handler;
}

function hasOurHandler(manager: any): boolean {
  return Array.isArray(manager?.handlers) && manager.handlers.some((h: any) => h?.name === HANDLER_NAME);
}

function patchCallbackManager(CallbackManager: any, source: TracerSource): boolean {
  return wrapMethod(CallbackManager, "_configureSync", (orig) =>
    function (this: any, ...args: any[]) {
      let manager = orig.apply(this, args);
      try {
        const handler = handlerFor(CallbackManager, source);
        if (!manager) {
          // nothing configured at all: configure again with our handler, so tags and metadata apply too
          const again = [...args];
          again[0] = [handler];
          manager = orig.apply(this, again);
        } else if (!hasOurHandler(manager)) {
          manager.addHandler(handler, true);
        }
      } catch (err) {
        internalError("langchain.configure", err);
      }
      return manager;
    },
  );
}

// ------------------------------------------------------------------ 2. user code runs in the run's context

function runIdOfConfig(config: any): unknown {
  const cb = config?.callbacks;
  if (!cb || Array.isArray(cb)) return undefined;
  return cb._parentRunId ?? (typeof cb.getParentRunId === "function" ? cb.getParentRunId() : undefined);
}

function patchAlsProvider(provider: any): boolean {
  return wrapMethod(provider, "runWithConfig", (orig) =>
    function (this: any, config: any, callback: any, ...rest: any[]) {
      let ctx: Context | undefined;
      try {
        ctx = typeof callback === "function" ? contextForRun(runIdOfConfig(config)) : undefined;
      } catch (err) {
        internalError("langchain.runWithConfig", err);
      }
      if (!ctx) return orig.call(this, config, callback, ...rest);
      const bound = ctx;
      return orig.call(
        this,
        config,
        function (this: unknown, ...a: unknown[]) {
          return context.with(bound, callback, this, ...a);
        },
        ...rest,
      );
    },
  );
}

// ------------------------------------------------------------------ 3. one LLM span per model call

async function* iterateIn<T>(ctx: Context, it: AsyncIterator<T>): AsyncGenerator<T, unknown, unknown> {
  let finished = false;
  try {
    let input: unknown;
    for (;;) {
      const r = await context.with(ctx, () => it.next(input as never));
      if (r.done) {
        finished = true;
        return r.value;
      }
      input = yield r.value;
    }
  } finally {
    if (!finished && typeof it.return === "function") await context.with(ctx, () => it.return!(undefined));
  }
}

function patchModelClass(Base: any): boolean {
  const proto = Base?.prototype;
  if (!proto || typeof proto._generateUncached !== "function") return false;
  let any = false;
  any =
    wrapMethod(proto, "_generateUncached", (orig) =>
      function (this: any, ...args: any[]) {
        return context.with(markFrameworkLLMSpan(context.active()), () => orig.apply(this, args));
      },
    ) || any;
  any =
    wrapMethod(proto, "_streamIterator", (orig) =>
      function (this: any, ...args: any[]) {
        const ctx = markFrameworkLLMSpan(context.active()).setValue(STREAMING_KEY, true);
        const it = context.with(ctx, () => orig.apply(this, args));
        return it && typeof it.next === "function" ? iterateIn(ctx, it) : it;
      },
    ) || any;
  return any;
}

// ------------------------------------------------------------------ dispatch

/** Patch whatever LangChain pieces this module (or class, or object) exposes. */
export function patchLangChain(exports: any, ctx: PatchContext): boolean {
  if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return false;
  let patched = false;
  const cm = exports.CallbackManager ?? (typeof exports._configureSync === "function" ? exports : undefined);
  if (cm) patched = patchCallbackManager(cm, ctx) || patched;
  const als = exports.AsyncLocalStorageProviderSingleton ?? (typeof exports.runWithConfig === "function" ? exports : undefined);
  if (als) patched = patchAlsProvider(als) || patched;
  for (const cls of [exports.BaseChatModel, exports.BaseLLM, exports.prototype?._generateUncached ? exports : undefined]) {
    if (cls) patched = patchModelClass(cls) || patched;
  }
  return patched;
}

export function isLangChain(candidate: any): boolean {
  return !!candidate && (typeof candidate._configureSync === "function" || typeof candidate.CallbackManager?._configureSync === "function");
}
