/**
 * Run a user callback inside a span with the product's status rules:
 * return (sync or async) -> OK, value unchanged; throw or reject -> exception event,
 * ERROR with the message, the very same error rethrown. A returned async iterable or
 * ReadableStream keeps the span open until the stream ends, errors or is abandoned. A returned
 * thenable other than a plain Promise is returned itself, observed in place.
 */
import { context, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { isAPIPromiseLike, observeAPIPromise } from "../integrations/kit/observe";
import type { SpanOwner } from "../integrations/kit/span-owner";
import { internalError } from "../util/log";
import { recordError } from "./record-error";

// the integrations record their failures the same way
export { recordError };

function endOk(span: Span): void {
  span.setStatus({ code: SpanStatusCode.OK });
  span.end();
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return !!v && (typeof v === "object" || typeof v === "function") && typeof (v as any).then === "function";
}
function isReadableStream(v: unknown): v is ReadableStream {
  return typeof ReadableStream !== "undefined" && v instanceof ReadableStream;
}
function isAsyncIterable(v: unknown): v is AsyncIterable<unknown> {
  return !!v && typeof v === "object" && typeof (v as any)[Symbol.asyncIterator] === "function";
}

/**
 * Make an async iterator end `span` when it finishes, throws or is returned early.
 * Each next() runs in `ctx` so work done while producing items nests under the span.
 */
export function wrapIterator<T>(it: AsyncIterator<T>, span: Span, ctx: Context): AsyncIterator<T> {
  let ended = false;
  const finish = (err?: unknown) => {
    if (ended) return;
    ended = true;
    if (err !== undefined) {
      recordError(span, err);
      span.end();
    } else endOk(span);
  };
  const wrapped: AsyncIterator<T> = {
    next: (...args: [] | [unknown]) =>
      context.with(ctx, () => it.next(...(args as []))).then(
        (r) => {
          if (r.done) finish();
          return r;
        },
        (err) => {
          finish(err);
          throw err;
        },
      ),
  };
  if (typeof it.return === "function") {
    wrapped.return = (value?: any) => {
      finish();
      return it.return!(value);
    };
  } else {
    wrapped.return = async (value?: any) => {
      finish();
      return { done: true, value };
    };
  }
  if (typeof it.throw === "function") {
    wrapped.throw = (e?: any) => {
      finish(e);
      return it.throw!(e);
    };
  }
  return wrapped;
}

/** Keep the span open over an async iterable, returning the very same object. */
function instrumentAsyncIterable<T extends object>(iterable: T, span: Span, ctx: Context): T {
  const original = (iterable as any)[Symbol.asyncIterator];
  let used = false;
  try {
    Object.defineProperty(iterable, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: function (this: unknown) {
        const it = original.call(this);
        if (used) return it; // only the first iteration drives the span
        used = true;
        return wrapIterator(it, span, ctx);
      },
    });
    // an async generator is its own iterator: calls to .next() bypass Symbol.asyncIterator
    if (typeof (iterable as any).next === "function" && original.call(iterable) === iterable) {
      const gen = iterable as unknown as AsyncIterator<unknown>;
      const w = wrapIterator(
        { next: gen.next.bind(gen), return: gen.return?.bind(gen), throw: gen.throw?.bind(gen) },
        span,
        ctx,
      );
      Object.defineProperty(iterable, Symbol.asyncIterator, { configurable: true, writable: true, value: () => gen });
      for (const m of ["next", "return", "throw"] as const) {
        if ((w as any)[m]) Object.defineProperty(iterable, m, { configurable: true, writable: true, value: (w as any)[m] });
      }
    }
  } catch (err) {
    // frozen or exotic object: end the span now rather than never
    internalError("instrumentAsyncIterable", err);
    endOk(span);
  }
  return iterable;
}

/** A ReadableStream cannot be observed in place: pass it through an identity transform. */
function instrumentReadableStream(stream: ReadableStream, span: Span): ReadableStream {
  let ended = false;
  const finish = (err?: unknown) => {
    if (ended) return;
    ended = true;
    if (err !== undefined) {
      recordError(span, err);
      span.end();
    } else endOk(span);
  };
  const reader = stream.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          finish();
          controller.close();
        } else controller.enqueue(value);
      } catch (err) {
        finish(err);
        controller.error(err);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
}

export function runInSpan<T>(span: Span, ctx: Context, fn: () => T): T {
  let result: T;
  try {
    result = context.with(ctx, fn);
  } catch (err) {
    recordError(span, err);
    span.end();
    throw err;
  }
  if (isPromiseLike(result)) {
    if (Object.getPrototypeOf(result) !== Promise.prototype) return observeThenable(result, span, settle);
    // keep the same settle semantics, observe only
    return (result as any).then(
      (value: unknown) => settle(value),
      (err: unknown) => {
        recordError(span, err);
        span.end();
        throw err;
      },
    ) as T;
  }
  return settle(result) as T;

  function settle(value: unknown): unknown {
    try {
      if (isReadableStream(value)) return instrumentReadableStream(value, span);
      if (isAsyncIterable(value)) return instrumentAsyncIterable(value as object, span, ctx);
    } catch (err) {
      internalError("runInSpan.stream", err);
    }
    endOk(span);
    return value;
  }
}

/**
 * A thenable that is not a plain Promise keeps its type: the SDKs' APIPromise (withResponse(),
 * asResponse()), a Promise subclass, a query builder. It is returned itself and observed in place,
 * never consumed by us (that could read a response body the app wants raw, or run a query twice):
 * an APIPromise through the SDK's own lazy parser, anything else through its own `then`, so the
 * span ends when the app awaits it (or calls then / catch / finally), with what the app got.
 */
function observeThenable<T>(thenable: T, span: Span, settle: (value: unknown) => unknown): T {
  let settled = false;
  let got: unknown;
  let gave: unknown;
  const settleOnce = (value: unknown) => {
    if (settled) return value === got ? gave : value;
    settled = true;
    got = value;
    gave = settle(value);
    return gave;
  };
  const fail = (err: unknown) => {
    if (settled) return;
    settled = true;
    recordError(span, err);
    span.end();
  };
  try {
    if (isAPIPromiseLike(thenable)) {
      observeAPIPromise(thenable, { span, get ended() { return settled; }, ok: () => settleOnce(undefined), error: fail } as SpanOwner, settleOnce);
      return thenable;
    }
    const then = (thenable as PromiseLike<unknown>).then;
    Object.defineProperty(thenable, "then", {
      configurable: true,
      writable: true,
      value: function (this: unknown, onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) {
        return then.call(
          this,
          (value: unknown) => {
            const out = settleOnce(value);
            return typeof onFulfilled === "function" ? onFulfilled(out) : out;
          },
          (err: unknown) => {
            fail(err);
            if (typeof onRejected === "function") return onRejected(err);
            throw err;
          },
        );
      },
    });
  } catch (err) {
    // a frozen thenable cannot be observed in place: end the span now rather than never
    internalError("runInSpan.thenable", err);
    settleOnce(undefined);
  }
  return thenable;
}
