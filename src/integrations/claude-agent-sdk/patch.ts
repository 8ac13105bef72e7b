/**
 * Claude Agent SDK (@anthropic-ai/claude-agent-sdk).
 *
 * query() (and the pre-warmed entries startup().query() and prewarm().claim()) become an
 * AGENT span; the messages the app iterates drive LLM spans (one per model API turn) and TOOL
 * spans (one per tool_use -> tool_result pair, subagents nested under the tool that started
 * them) — see tracker.ts. The Query object the SDK returns is the very object the app gets:
 * only its iteration methods (next/return/throw/[Symbol.asyncIterator]), close() and
 * [Symbol.asyncDispose] are observed, as own properties; every other method (interrupt(),
 * setModel(), setPermissionMode(), …) is untouched.
 *
 * The package is ESM-only. Its exports can be rebound where the module system allows it:
 * a mutable exports object (the import-in-the-middle hook of the "sync"/"loader" ESM modes,
 * a plain object passed to instrument()). A read-only ESM namespace (the loader-free "eager"
 * mode, the default on Node 20) cannot be changed: use wrapClaudeAgentSdkQuery(query) there,
 * or CATALYST_ESM_MODE=loader.
 */
import { context } from "@opentelemetry/api";
import type { IntegrationConfig, PatchContext, SetupContext, TracerSource } from "../types";
import { isPatched, markPatched, originalOf, wrapFunction } from "../kit";
import { internalError } from "../../util/log";
import { QueryTracker } from "./tracker";
import { installSpawnTap, markTraced } from "./spawn-tap";

/** What a traced query needs: the tracer, and how long a text may be held. */
export interface QuerySource extends TracerSource {
  readonly config: Pick<IntegrationConfig, "maxAttributeLength">;
}

function isQueryLike(q: unknown): q is Record<PropertyKey, any> {
  return !!q && typeof q === "object" && typeof (q as any).next === "function";
}

function define(obj: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(obj, key, { configurable: true, writable: true, enumerable: false, value });
}

/** Observe a promise of an iterator result; the app gets the very same result object. */
function observed<T>(p: Promise<IteratorResult<T>>, tracker: QueryTracker): Promise<IteratorResult<T>> {
  if (!p || typeof (p as any).then !== "function") return p;
  return p.then(
    (r) => {
      try {
        if (r && r.done) tracker.finish();
        else if (r) tracker.observe(r.value);
      } catch (err) {
        internalError("claude-agent-sdk.observe", err);
      }
      return r;
    },
    (err) => {
      try {
        tracker.finish(err);
      } catch (e) {
        internalError("claude-agent-sdk.finish", e);
      }
      throw err;
    },
  );
}

/** Attach the tracker to the Query object in place (same object, same prototype, same methods). */
export function instrumentQueryObject<Q>(q: Q, tracker: QueryTracker): Q {
  if (!isQueryLike(q) || isPatched(q)) {
    tracker.finish();
    return q;
  }
  try {
    const origNext = q.next;
    const origReturn = q.return;
    const origThrow = q.throw;
    const origIter = q[Symbol.asyncIterator];
    const origClose = q.close;
    const origDispose = q[Symbol.asyncDispose as any];
    define(q, "next", function (this: unknown, ...args: unknown[]) {
      return observed(origNext.apply(this, args), tracker);
    });
    if (typeof origReturn === "function") {
      define(q, "return", function (this: unknown, ...args: unknown[]) {
        tracker.finish();
        return origReturn.apply(this, args);
      });
    }
    if (typeof origThrow === "function") {
      define(q, "throw", function (this: unknown, ...args: unknown[]) {
        tracker.finish(args[0]);
        return origThrow.apply(this, args);
      });
    }
    if (typeof origIter === "function") {
      // for-await asks for the iterator (the SDK hands out its inner generator): observe that one
      define(q, Symbol.asyncIterator, function (this: unknown) {
        const it = origIter.call(this);
        if (it === this || !it || typeof it.next !== "function") return it;
        const wrapped: any = {
          next: (...args: unknown[]) => observed(it.next(...args), tracker),
          [Symbol.asyncIterator]() {
            return this;
          },
        };
        if (typeof it.return === "function") {
          wrapped.return = (...args: unknown[]) => {
            tracker.finish();
            return it.return(...args);
          };
        }
        if (typeof it.throw === "function") {
          wrapped.throw = (...args: unknown[]) => {
            tracker.finish(args[0]);
            return it.throw(...args);
          };
        }
        return wrapped;
      });
    }
    if (typeof origClose === "function") {
      define(q, "close", function (this: unknown, ...args: unknown[]) {
        try {
          return origClose.apply(this, args);
        } finally {
          tracker.finish();
        }
      });
    }
    if (typeof origDispose === "function") {
      define(q, Symbol.asyncDispose, function (this: unknown, ...args: unknown[]) {
        tracker.finish();
        return origDispose.apply(this, args);
      });
    }
    markPatched(q);
  } catch (err) {
    internalError("claude-agent-sdk.instrument-query", err);
    tracker.finish();
  }
  return q;
}

function startTracker(source: QuerySource, entry: string, prompt: unknown, options: unknown): QueryTracker | undefined {
  try {
    return new QueryTracker({ tracer: source.tracer, maxText: source.config.maxAttributeLength, parentCtx: context.active(), prompt, options: options as any, entry });
  } catch (err) {
    internalError("claude-agent-sdk.start", err);
    return undefined;
  }
}

/**
 * A streamed prompt (AsyncIterable<SDKUserMessage>): hand the SDK an iterable that yields the
 * very same message objects, seeing each one on the way (so turns get their user input).
 */
function observePrompt(prompt: any, tracker: QueryTracker): any {
  if (!prompt || typeof prompt !== "object" || typeof prompt[Symbol.asyncIterator] !== "function") return prompt;
  return {
    [Symbol.asyncIterator]() {
      const it = prompt[Symbol.asyncIterator]();
      const wrapped: any = {
        next: (...a: unknown[]) =>
          Promise.resolve(it.next(...a)).then((r: IteratorResult<unknown>) => {
            if (r && !r.done) tracker.observeInput(r.value);
            return r;
          }),
      };
      if (typeof it.return === "function") wrapped.return = (...a: unknown[]) => it.return(...a);
      if (typeof it.throw === "function") wrapped.throw = (...a: unknown[]) => it.throw(...a);
      return wrapped;
    },
  };
}

/** query({ prompt, options }) -> Query, traced through `source`. */
export function wrapQueryFunction<F extends (...a: any[]) => any>(original: F, source: QuerySource): F {
  if (originalOf(original)) return original;
  return wrapFunction(original, () => function (this: unknown, ...args: any[]) {
    const params = args[0];
    const tracker = startTracker(source, "query", params?.prompt, params?.options);
    if (!tracker) return original.apply(this, args);
    let callArgs = args;
    try {
      const p = observePrompt(params?.prompt, tracker);
      if (p !== params?.prompt) callArgs = [{ ...params, prompt: p }, ...args.slice(1)];
    } catch (err) {
      internalError("claude-agent-sdk.prompt", err);
    }
    let q: unknown;
    try {
      q = context.with(markTraced(tracker.agentCtx), () => original.apply(this, callArgs));
    } catch (err) {
      tracker.finish(err);
      throw err;
    }
    return instrumentQueryObject(q, tracker);
  });
}

/** startup({ options }) -> Promise<WarmQuery>; WarmQuery.query(prompt) -> Query */
function wrapStartup<F extends (...a: any[]) => any>(original: F, source: QuerySource): F {
  if (originalOf(original)) return original;
  return wrapFunction(original, () => function (this: unknown, ...args: any[]) {
    const options = args[0]?.options;
    const parent = context.active();
    // the CLI is spawned now, before warm.query(): the spawn tap must leave it to us
    const p = context.with(markTraced(parent), () => original.apply(this, args));
    if (!p || typeof p.then !== "function") return p;
    return p.then((warm: any) => {
      try {
        if (warm && typeof warm.query === "function" && !originalOf(warm.query)) {
          const wq = wrapFunction(warm.query, (q0) => function (this: unknown, ...qa: any[]) {
            const tracker = context.with(parent, () => startTracker(source, "startup", qa[0], options));
            if (!tracker) return q0.apply(this, qa);
            let q: unknown;
            try {
              q = context.with(markTraced(tracker.agentCtx), () => q0.apply(this, qa));
            } catch (err) {
              tracker.finish(err);
              throw err;
            }
            return instrumentQueryObject(q, tracker);
          });
          define(warm, "query", wq);
        }
      } catch (err) {
        internalError("claude-agent-sdk.startup", err);
      }
      return warm;
    });
  });
}

/** prewarm({ options }) -> Promise<SpareProcess>; SpareProcess.claim({ prompt, options }) -> Query */
function wrapPrewarm<F extends (...a: any[]) => any>(original: F, source: QuerySource): F {
  if (originalOf(original)) return original;
  return wrapFunction(original, () => function (this: unknown, ...args: any[]) {
    const base = args[0]?.options;
    const p = context.with(markTraced(context.active()), () => original.apply(this, args));
    if (!p || typeof p.then !== "function") return p;
    return p.then((spare: any) => {
      try {
        if (spare && typeof spare.claim === "function" && !originalOf(spare.claim)) {
          const wc = wrapFunction(spare.claim, (c0) => function (this: unknown, ...ca: any[]) {
            const tracker = startTracker(source, "prewarm", ca[0]?.prompt, { ...(base ?? {}), ...(ca[0]?.options ?? {}) });
            if (!tracker) return c0.apply(this, ca);
            let q: unknown;
            try {
              q = context.with(markTraced(tracker.agentCtx), () => c0.apply(this, ca));
            } catch (err) {
              tracker.finish(err);
              throw err;
            }
            return instrumentQueryObject(q, tracker);
          });
          define(spare, "claim", wc);
        }
      } catch (err) {
        internalError("claude-agent-sdk.prewarm", err);
      }
      return spare;
    });
  });
}

const WRAPPERS: Record<string, (f: (...a: any[]) => any, source: QuerySource) => (...a: any[]) => any> = {
  query: wrapQueryFunction,
  startup: wrapStartup,
  prewarm: wrapPrewarm,
};

export const isClaudeAgentSdk = (x: any): boolean =>
  !!x && (typeof x === "object" || typeof x === "function") && typeof x.query === "function" && typeof x.createSdkMcpServer === "function";

/**
 * Bun binds `import { spawn } from "child_process"` when the SDK loads (a later syncBuiltinESMExports does
 * not reach it), and its module namespaces are read-only: for an app that depends on the SDK, put the CLI
 * tap in place before the preload loads the SDK.
 */
export function prepareClaudeAgentSdk(ctx: SetupContext): void {
  if (!process.versions.bun) return;
  if (ctx.appDependsOn("@anthropic-ai/claude-agent-sdk")) installSpawnTap(ctx);
}

export function patchClaudeAgentSdk(exports: any, ctx: PatchContext): boolean {
  if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return false;
  let patched = 0;
  let readOnly = 0;
  for (const [name, wrap] of Object.entries(WRAPPERS)) {
    const fn = exports[name];
    if (typeof fn !== "function") continue;
    if (originalOf(fn)) {
      patched++;
      continue;
    }
    const w = wrap(fn, ctx);
    try {
      exports[name] = w;
    } catch {
      /* read-only ESM namespace */
    }
    if (exports[name] === w) patched++;
    else readOnly++;
  }
  if (patched === 0 && readOnly > 0) {
    // a read-only ESM namespace: follow each query through the CLI process it spawns instead
    if (installSpawnTap(ctx)) {
      ctx.debug(
        `the ${ctx.format} exports of ${ctx.moduleName} are read-only (an ESM namespace): tracing queries through the CLI subprocess ` +
          "(child_process.spawn tap). wrapClaudeAgentSdkQuery(query) or CATALYST_ESM_MODE=loader give the in-process view as well.",
      );
      return true;
    }
    ctx.debug(`the ${ctx.format} exports of ${ctx.moduleName} are read-only (an ESM namespace): query() cannot be patched in place here. Use wrapClaudeAgentSdkQuery(query).`);
  }
  return patched > 0;
}
