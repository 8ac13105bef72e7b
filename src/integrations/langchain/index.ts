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
import * as path from "node:path";
import { context, type Context } from "@opentelemetry/api";
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { markFrameworkLLMSpan } from "../../spans/context";
import { chooseEsmMode } from "../../hooks/esm-hook";
import { appManifest, findPackage } from "../../hooks/resolve";
import { debug, internalError } from "../../util/log";
import { contextForRun, handlerMethods, HANDLER_NAME, setTracerGetter, STREAMING_KEY } from "./handler";

const PATCHED = Symbol.for("@inference/tracing.patched");

/** Files inside @langchain/core we patch (the same relative paths in its .cjs and .js builds). */
export const LANGCHAIN_CORE_FILES = [
  "dist/callbacks/manager.cjs",
  "dist/singletons/async_local_storage/index.cjs",
  "dist/language_models/chat_models.cjs",
  "dist/language_models/llms.cjs",
];
/** The public subpaths that lead to the same modules (for explicit and eager ESM loading). */
const ESM_FILES = LANGCHAIN_CORE_FILES.map((f) => f.replace(/\.cjs$/, ".js"));

function mark(target: any): boolean {
  if (target[PATCHED]) return false;
  Object.defineProperty(target, PATCHED, { value: true, configurable: true });
  return true;
}

function wrapMethod(owner: any, name: string, make: (orig: (...a: any[]) => any) => (...a: any[]) => any): boolean {
  const orig = owner?.[name];
  if (typeof orig !== "function" || orig[PATCHED]) return false;
  const wrapped = make(orig);
  Object.defineProperty(wrapped, PATCHED, { value: true });
  Object.defineProperty(wrapped, "length", { value: orig.length });
  Object.defineProperty(wrapped, "name", { value: orig.name });
  owner[name] = wrapped;
  return true;
}

// ------------------------------------------------------------------ 1. the handler in every manager

/** One handler instance per CallbackManager class (a real BaseCallbackHandler of that copy). */
function handlerFor(CallbackManager: any): any {
  const existing = CallbackManager[Symbol.for("@inference/tracing.langchain.handler")];
  if (existing) return existing;
  let handler: any;
  try {
    // fromHandlers builds a BaseCallbackHandler subclass of this very copy around our methods
    handler = CallbackManager.fromHandlers(handlerMethods).handlers[0];
  } catch {
    handler = undefined;
  }
  if (!handler) handler = { ...handlerMethods };
  handler.name = HANDLER_NAME;
  handler.awaitHandlers = true;
  handler.raiseError = false;
  Object.defineProperty(CallbackManager, Symbol.for("@inference/tracing.langchain.handler"), { value: handler });
  return handler;
}

function hasOurHandler(manager: any): boolean {
  return Array.isArray(manager?.handlers) && manager.handlers.some((h: any) => h?.name === HANDLER_NAME);
}

function patchCallbackManager(CallbackManager: any): boolean {
  if (typeof CallbackManager?._configureSync !== "function") return false;
  return wrapMethod(CallbackManager, "_configureSync", (orig) =>
    function (this: any, ...args: any[]) {
      let manager = orig.apply(this, args);
      try {
        const handler = handlerFor(CallbackManager);
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
export function patchLangChainExports(exports: any): boolean {
  if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return false;
  let patched = false;
  const cm = exports.CallbackManager ?? (typeof exports._configureSync === "function" ? exports : undefined);
  if (cm) patched = patchCallbackManager(cm) || !!cm._configureSync?.[PATCHED] || patched;
  const als = exports.AsyncLocalStorageProviderSingleton ?? (typeof exports.runWithConfig === "function" ? exports : undefined);
  if (als) patched = patchAlsProvider(als) || !!als.runWithConfig?.[PATCHED] || patched;
  for (const cls of [exports.BaseChatModel, exports.BaseLLM, exports.prototype?._generateUncached ? exports : undefined]) {
    if (cls) patched = patchModelClass(cls) || !!cls.prototype._generateUncached?.[PATCHED] || patched;
  }
  return patched;
}

/**
 * The ESM copy of @langchain/core as the app will import it. The ESM root entry exports
 * nothing, so the files we patch are loaded (require(esm)) from the package folder; Node
 * shares one ESM module map, so the app's later imports get these same instances.
 */
export function patchEsmCoreFrom(dir: string): boolean {
  let patched = false;
  for (const f of ESM_FILES) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      patched = patchLangChainExports(require(path.join(dir, f))) || patched;
    } catch (err) {
      debug(`LangChain: could not load ${f} from ${dir}: ${(err as Error).message}`);
    }
  }
  return patched;
}

/** Eager-mode ESM (Node 20, Bun): find the app's @langchain/core and patch its ESM files. */
export function patchAppEsmCore(fromDir?: string): boolean {
  const base = fromDir ?? appManifest()?.dir ?? process.cwd();
  const loc = findPackage("@langchain/core", base);
  return loc ? patchEsmCoreFrom(loc.dir) : false;
}

/** CommonJS copies already in require.cache (setup() called after the app's own requires). */
export function patchCachedCjsCore(): boolean {
  let patched = false;
  const suffixes = LANGCHAIN_CORE_FILES.map((f) => `${path.sep}@langchain${path.sep}core${path.sep}${f.split("/").join(path.sep)}`);
  for (const [file, mod] of Object.entries(require.cache)) {
    if (mod && suffixes.some((s) => file.endsWith(s))) patched = patchLangChainExports(mod.exports) || patched;
  }
  return patched;
}

export function usesEagerEsm(): boolean {
  try {
    return chooseEsmMode(process.env) === "eager";
  } catch {
    return true;
  }
}

export const langchainIntegration: Integration = {
  key: "langchain",
  displayName: "LangChain",
  packages: ["@langchain/core"],
  files: LANGCHAIN_CORE_FILES,
  versionRange: ">=0.3.0 <2",
  patch(exports: any, ctx: PatchContext) {
    setTracerGetter(() => ctx.tracer);
    let patched = patchLangChainExports(exports);
    // the ESM root entry of @langchain/core is empty, and partner packages export no core classes:
    // reach @langchain/core's files through the package folder (the copy this package resolves)
    if (!patched && ctx.format === "esm" && usesEagerEsm()) {
      if (ctx.moduleName === "@langchain/core") patched = patchAppEsmCore();
      else {
        const from = findPackage(ctx.moduleName, appManifest()?.dir ?? process.cwd());
        const core = from ? findPackage("@langchain/core", from.dir) : undefined;
        if (core) patched = patchEsmCoreFrom(core.dir);
      }
    }
    return patched;
  },
  onSetup(ctx) {
    setTracerGetter(() => ctx.tracer);
    try {
      patchCachedCjsCore();
    } catch (err) {
      internalError("langchain.onSetup", err);
    }
  },
  detect(candidate: any) {
    return !!candidate && (typeof candidate._configureSync === "function" || typeof candidate.CallbackManager?._configureSync === "function");
  },
};

export const { instrument: instrumentLangChain, install: installLangChainInstrumentation } = makeInstallHelpers("langchain");
