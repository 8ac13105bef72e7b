/**
 * AWS Lambda: `export const handler = wrapHandler(async (event, context) => …)`. Lambda may freeze
 * the execution environment as soon as the handler has answered, and a frozen process runs no
 * export timer: the wrapper exports every span ended during the invocation before it hands the
 * handler's result (or error) back to the runtime, bounded in time. The handler itself is called
 * unchanged: same arguments, same `this`, same result or error, same callback.
 */
import { globalState, type TracingHandle } from "../state";
import { CatalystInstrumentationError, ErrorCodes } from "../errors";
import { withTimeout } from "../export/lifecycle";
import { debug } from "../util/log";

/** The part of Lambda's context object the wrapper reads. */
interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

export interface WrapHandlerOptions {
  /**
   * Longest wait for the export after each invocation, in ms (default: the shutdown timeout,
   * CATALYST_SHUTDOWN_TIMEOUT_MS, 5000). Never past the invocation's own deadline: the wait ends
   * 100 ms before the time Lambda gives the invocation runs out.
   */
  flushTimeoutMillis?: number;
}

/** Time kept back from the invocation's deadline, so that waiting for the export never makes it time out. */
const DEADLINE_MARGIN_MS = 100;

type AnyHandler = (...args: any[]) => any;

/**
 * The running tracing (the preload's, in the usual setup), else tracing started now. Our setup
 * code is required only then: on a cold start under the preload, this module loads a few files, not
 * our whole library (hundreds of ms on a small function).
 */
function tracingHandle(): TracingHandle {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return globalState().handle ?? (require("../setup") as typeof import("../setup")).currentHandle("lambda");
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return !!x && (typeof x === "object" || typeof x === "function") && typeof (x as PromiseLike<unknown>).then === "function";
}

/** Lambda's context among the handler's arguments (second for a plain handler, third for a streaming one). */
function contextOf(args: unknown[]): LambdaContextLike | undefined {
  return args.find((a): a is LambdaContextLike => !!a && typeof (a as LambdaContextLike).getRemainingTimeInMillis === "function");
}

/**
 * The handler, wrapped so that the spans of each invocation are exported before the runtime
 * gets its answer. Works for async handlers, callback handlers and streaming handlers
 * (awslambda.streamifyResponse keeps its marks: the wrapper carries the handler's own properties).
 * Starts tracing if nothing has (the preload usually has).
 */
export function wrapHandler<H extends AnyHandler>(handler: H, options: WrapHandlerOptions = {}): H {
  if (typeof handler !== "function") {
    throw new CatalystInstrumentationError(ErrorCodes.INVALID_CALLBACK, "wrapHandler(handler): handler must be a function");
  }
  const handle = tracingHandle();
  const bound = options.flushTimeoutMillis ?? handle.config.shutdownTimeoutMillis;

  const flush = (args: unknown[]): Promise<void> => {
    const remaining = contextOf(args)?.getRemainingTimeInMillis?.();
    const ms = typeof remaining === "number" && Number.isFinite(remaining) ? Math.max(0, Math.min(bound, remaining - DEADLINE_MARGIN_MS)) : bound;
    const started = Date.now();
    return withTimeout(handle.forceFlush(), ms).then(() => debug(`lambda: invocation's spans exported in ${Date.now() - started} ms`));
  };

  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const callbackAt = args.findIndex((a) => typeof a === "function");
    if (callbackAt !== -1) {
      // a callback handler: the runtime hears from the callback once the export is done
      const callback = args[callbackAt] as (...a: unknown[]) => void;
      let answered = false;
      args[callbackAt] = function (this: unknown, ...answer: unknown[]) {
        if (answered) return callback.apply(this, answer);
        answered = true;
        void flush(args).then(() => callback.apply(this, answer));
      };
    }
    let result: unknown;
    try {
      result = handler.apply(this, args);
    } catch (err) {
      // the runtime reports a rejection exactly as a throw
      return flush(args).then(() => {
        throw err;
      });
    }
    if (!isThenable(result)) return result;
    return Promise.resolve(result).then(
      (value) => flush(args).then(() => value),
      (err) => flush(args).then(() => {
        throw err;
      }),
    );
  };
  // the runtime reads marks on the handler (streaming, its high-water mark) and its arity
  for (const key of Reflect.ownKeys(handler)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    const d = Object.getOwnPropertyDescriptor(handler, key);
    if (d) Object.defineProperty(wrapped, key, d);
  }
  Object.defineProperty(wrapped, "length", { value: handler.length });
  Object.defineProperty(wrapped, "name", { value: handler.name });
  return wrapped as unknown as H;
}
