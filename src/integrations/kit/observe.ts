/**
 * Watching what an SDK method returned without changing it:
 *  - nothing reads a response body the app did not ask for: we observe the value the SDK's own
 *    lazy parser produces when the app awaits it (APIPromise: parseResponse, parse, asResponse);
 *  - a Stream is observed by replacing its `iterator` factory, so for-await, tee() and
 *    toReadableStream() all go through us, an early break reaches the SDK's iterator (which
 *    aborts the request), and no chunk is buffered;
 *  - other streamed results keep their identity too: an async iterable gets its
 *    Symbol.asyncIterator factory replaced on the instance (a web ReadableStream also its
 *    values() and getReader()), an async generator its own next/return/throw;
 *  - every extractor runs under guarded(), and faults never reach the app.
 */
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import { Attr } from "../../semconv";
import type { CallSpec, StreamAccumulator } from "./call-spec";
import type { SpanOwner } from "./span-owner";

export function isStreamLike(v: any): boolean {
  return !!v && typeof v === "object" && typeof v.iterator === "function" && typeof v[Symbol.asyncIterator] === "function";
}

export function isAPIPromiseLike(p: any): boolean {
  return !!p && typeof p.then === "function" && typeof p.parseResponse === "function" && "responsePromise" in p;
}

/** Observe whatever the SDK method returned without changing it. */
export function observeResult(result: any, owner: SpanOwner, spec: CallSpec, body: any, hide?: (chunk: any) => boolean): void {
  // the handlers are written where they are passed: a closure bound to a name gets its name by
  // defineProperty in the bundle (keepNames), ~0.4 µs per call
  if (isAPIPromiseLike(result)) {
    observeAPIPromise(result, owner, (value: any) => handleValue(value, owner, spec, body, hide));
  } else if (result && typeof result.then === "function") {
    // some other thenable (a helper that returns a plain Promise): observe without rethrowing
    result.then(
      (value: any) => handleValue(value, owner, spec, body, hide),
      (err: unknown) => owner.error(err),
    );
  } else {
    handleValue(result, owner, spec, body, hide);
  }
}

/** How a streamed result is consumed: through a factory we can replace, or as an iterator itself. */
function streamShape(v: any): "stream" | "iterator" | "iterable" | undefined {
  if (!v || typeof v !== "object") return undefined;
  if (isStreamLike(v)) return "stream";
  if (typeof v[Symbol.asyncIterator] !== "function") return undefined;
  return typeof v.next === "function" ? "iterator" : "iterable";
}

function handleValue(value: any, owner: SpanOwner, spec: CallSpec, body: any, hide?: (chunk: any) => boolean): void {
  if (owner.ended) return;
  const shape = spec.stream ? streamShape(value) : undefined;
  if (shape) {
    const acc = guarded(owner.span, `${spec.key}.stream.start`, () => {
      faultPoint(`${spec.key}.stream.start`);
      return spec.stream!(body);
    });
    if (shape === "stream") instrumentStream(value, owner, acc, spec.key, hide);
    else if (shape === "iterator") instrumentIteratorInPlace(value, owner, acc, spec.key);
    else instrumentAsyncIterable(value, owner, acc, spec.key);
    return;
  }
  guarded(owner.span, `${spec.key}.response`, () => {
    faultPoint(`${spec.key}.response`);
    spec.response(owner.span, value, body);
  });
  const events = spec.events && spec.stream ? guarded(owner.span, `${spec.key}.events`, () => spec.events!(value)) : undefined;
  if (events) {
    const acc = guarded(owner.span, `${spec.key}.stream.start`, () => {
      faultPoint(`${spec.key}.stream.start`);
      return spec.stream!(body);
    });
    instrumentAsyncIterable(events, owner, acc, spec.key);
    return;
  }
  owner.ok();
}

/**
 * Observe an SDK APIPromise in place. The body is parsed only by the SDK, only when the app
 * asks (then/parse/withResponse); we hook the instance's `parseResponse` (which
 * `_thenUnwrap` derivatives call too) to see the parsed value, `parse`/`_thenUnwrap` to see
 * errors, and `asResponse` for apps that only want the raw Response.
 */
export function observeAPIPromise(p: any, owner: SpanOwner, onValue: (v: any) => void): void {
  const state = { parseStarted: false };
  const originalParseResponse = p.parseResponse;
  p.parseResponse = function (this: any, ...a: any[]) {
    state.parseStarted = true;
    let r: any;
    try {
      r = originalParseResponse.apply(this, a);
    } catch (err) {
      owner.error(err);
      throw err;
    }
    if (r && typeof r.then === "function") {
      return r.then(
        (v: any) => {
          try {
            onValue(v);
          } catch (err) {
            internalError("llm.onValue", err);
            owner.ok();
          }
          return v;
        },
        (err: unknown) => {
          owner.error(err);
          throw err;
        },
      );
    }
    try {
      onValue(r);
    } catch (err) {
      internalError("llm.onValue", err);
      owner.ok();
    }
    return r;
  };
  instrumentPromiseMethods(p, owner, state);
}

/** Marks the method wrappers instrumentPromiseMethods puts on an APIPromise (global: the preload bundle and the package each have a copy of this file). */
const OBSERVER_WRAPPER = Symbol.for("@inference/tracing.apiPromiseObserver");

/**
 * The method `name` an observer wraps: the SDK class's own (openai 7 also puts instance copies on
 * the promise that bypass the hooked parseResponse), or the wrapper of an earlier observer (an
 * agentSpan around the call), so both see it.
 */
function methodToWrap(p: any, proto: any, name: string): any {
  return p[name]?.[OBSERVER_WRAPPER] ? p[name] : proto?.[name];
}

function putWrapper(p: any, name: string, wrapper: ((this: any, ...a: any[]) => any) & { [OBSERVER_WRAPPER]?: true }): void {
  // a plain store, not defineProperty (~0.15 µs on a fresh function): a symbol key stays out of for-in and Object.keys anyway
  wrapper[OBSERVER_WRAPPER] = true;
  p[name] = wrapper;
}

function instrumentPromiseMethods(p: any, owner: SpanOwner, state: { parseStarted: boolean }): void {
  const proto = Object.getPrototypeOf(p);
  const parse = methodToWrap(p, proto, "parse");
  if (typeof parse === "function") {
    putWrapper(p, "parse", function (this: any, ...a: any[]) {
      state.parseStarted = true;
      const r = parse.apply(this, a);
      // our own derived promise: swallowing here leaves the app's chain (on `r`) untouched
      if (r && typeof r.then === "function") r.then(undefined, (err: unknown) => owner.error(err));
      return r;
    });
  }
  const asResponse = methodToWrap(p, proto, "asResponse");
  if (typeof asResponse === "function") {
    putWrapper(p, "asResponse", function (this: any, ...a: any[]) {
      const r = asResponse.apply(this, a);
      if (r && typeof r.then === "function") {
        r.then(
          () => {
            // raw Response only (the app reads the body itself): nothing more for us to see
            setImmediate(() => {
              if (!state.parseStarted) owner.ok();
            });
          },
          (err: unknown) => owner.error(err),
        );
      }
      return r;
    });
  }
  const thenUnwrap = methodToWrap(p, proto, "_thenUnwrap");
  if (typeof thenUnwrap === "function") {
    putWrapper(p, "_thenUnwrap", function (this: any, ...a: any[]) {
      const derived = thenUnwrap.apply(this, a);
      try {
        if (derived && typeof derived === "object") instrumentPromiseMethods(derived, owner, state);
      } catch (err) {
        internalError("llm.thenUnwrap", err);
      }
      return derived;
    });
  }
}

/**
 * Replace `stream.iterator` (the factory for-await, tee() and toReadableStream() all call)
 * with one that hands out a wrapped iterator: same chunks, same order, no buffering.
 */
export function instrumentStream(
  stream: any,
  owner: SpanOwner,
  acc: StreamAccumulator | undefined,
  key: string,
  hide?: (chunk: any) => boolean,
): void {
  const { add, finish } = streamObserver(owner, acc, key);
  const originalIterator = stream.iterator;
  let used = false;
  stream.iterator = function (this: any, ...a: any[]) {
    const it = originalIterator.apply(this, a);
    if (used || !it || typeof it.next !== "function") return it;
    used = true;
    return wrapStreamIterator(it, add, finish, hide);
  };
  // abort before (or without) iteration still ends the span
  const signal = stream.controller?.signal;
  if (signal && typeof signal.addEventListener === "function") {
    if (signal.aborted) finish(undefined, "stream.aborted");
    else signal.addEventListener("abort", () => finish(undefined, "stream.aborted"), { once: true });
  }
}

/**
 * An async iterator handed to the app as is (an async generator): its own next/return/throw
 * are replaced by observing ones, so the app keeps the very object the SDK made.
 */
export function instrumentIteratorInPlace(it: any, owner: SpanOwner, acc: StreamAccumulator | undefined, key: string): void {
  const { add, finish } = streamObserver(owner, acc, key);
  const next = it.next;
  const ret = it.return;
  const thr = it.throw;
  const inner: AsyncIterator<any> = {
    next: (...a: [] | [any]) => next.apply(it, a),
    return: typeof ret === "function" ? (v?: any) => ret.call(it, v) : undefined,
    throw: typeof thr === "function" ? (e?: any) => thr.call(it, e) : undefined,
  };
  const wrapped = wrapStreamIterator(inner, add, finish);
  it.next = wrapped.next;
  if (inner.return) it.return = wrapped.return;
  if (inner.throw) it.throw = wrapped.throw;
}

/**
 * An async iterable that is not an iterator (a class with an async generator method, a web
 * ReadableStream): its Symbol.asyncIterator factory is replaced on the instance. A web stream
 * is also read through values() and getReader(); tee(), pipeTo() and pipeThrough() hand the
 * chunks to streams we cannot see, so the span ends there with a `stream.unobserved` event
 * (after pipeTo() settles) rather than never.
 */
export function instrumentAsyncIterable(stream: any, owner: SpanOwner, acc: StreamAccumulator | undefined, key: string): void {
  const { add, finish } = streamObserver(owner, acc, key);
  // one consumer at a time: a reader released before the end lets the next one be observed
  let reading = false;
  const observeIterators = (name: PropertyKey) => {
    const original = stream[name];
    if (typeof original !== "function") return;
    stream[name] = function (this: any, ...a: any[]) {
      const it = original.apply(this, a);
      if (reading || !it || typeof it.next !== "function") return it;
      reading = true;
      return wrapStreamIterator(it, add, finish);
    };
  };
  observeIterators(Symbol.asyncIterator);
  if (typeof stream.getReader !== "function") return;
  observeIterators("values");
  const getReader = stream.getReader;
  stream.getReader = function (this: any, ...a: any[]) {
    const reader = getReader.apply(this, a);
    if (reading || !reader || typeof reader.read !== "function" || a[0]?.mode === "byob") return reader;
    reading = true;
    const read = reader.read;
    reader.read = function (this: any, ...r: any[]) {
      return read.apply(this, r).then(
        (res: ReadableStreamReadResult<any>) => {
          if (res.done) finish();
          else add(res.value);
          return res;
        },
        (err: unknown) => {
          finish(err);
          throw err;
        },
      );
    };
    const cancel = reader.cancel;
    if (typeof cancel === "function") {
      reader.cancel = function (this: any, ...c: any[]) {
        finish(undefined, "stream.closed_early");
        return cancel.apply(this, c);
      };
    }
    const releaseLock = reader.releaseLock;
    if (typeof releaseLock === "function") {
      reader.releaseLock = function (this: any, ...l: any[]) {
        reading = false;
        return releaseLock.apply(this, l);
      };
    }
    return reader;
  };
  for (const name of ["tee", "pipeThrough"]) {
    const original = stream[name];
    if (typeof original !== "function") continue;
    stream[name] = function (this: any, ...a: any[]) {
      finish(undefined, "stream.unobserved");
      return original.apply(this, a);
    };
  }
  const pipeTo = stream.pipeTo;
  if (typeof pipeTo === "function") {
    stream.pipeTo = function (this: any, ...a: any[]) {
      const done = pipeTo.apply(this, a);
      done?.then?.(
        () => finish(undefined, "stream.unobserved"),
        (err: unknown) => finish(err),
      );
      return done;
    };
  }
}

/** The chunk and end handlers every stream shape shares: accumulate guarded, end the span once. */
function streamObserver(owner: SpanOwner, acc: StreamAccumulator | undefined, key: string) {
  const span = owner.span;
  let finished = false;
  const finish = (err?: unknown, how?: string) => {
    if (finished) return;
    finished = true;
    if (acc) {
      guarded(span, `${key}.stream.finish`, () => {
        faultPoint(`${key}.stream.finish`);
        acc.finish(span);
      });
    }
    if (how) {
      try {
        span.addEvent(how);
      } catch {
        /* ignore */
      }
    }
    if (err !== undefined) owner.error(err);
    else owner.ok();
  };
  let accOk = !!acc;
  let firstChunkSeen = false;
  const chunkPoint = `${key}.stream.chunk`; // once per stream, not once per chunk
  const add = (chunk: any) => {
    if (!firstChunkSeen) {
      firstChunkSeen = true;
      recordTimeToFirstChunk(span);
    }
    if (!accOk) return;
    try {
      faultPoint(chunkPoint);
      acc!.add(chunk);
    } catch (err) {
      accOk = false;
      guarded(span, chunkPoint, () => {
        throw err;
      });
    }
  };
  return { add, finish };
}

/** Seconds from the span's start (the call) to now, the first chunk: the GenAI conventions' time to first chunk. */
function recordTimeToFirstChunk(span: SpanOwner["span"]): void {
  try {
    // the SDK span's monotonic start (what its duration is measured from), else its wall-clock start
    const s = span as { _performanceStartTime?: number; startTime?: [number, number] };
    let seconds: number;
    if (typeof s._performanceStartTime === "number") seconds = (performance.now() - s._performanceStartTime) / 1000;
    else if (Array.isArray(s.startTime)) seconds = Date.now() / 1000 - (s.startTime[0] + s.startTime[1] / 1e9);
    else return;
    if (seconds >= 0) span.setAttribute(Attr.TIME_TO_FIRST_CHUNK, Math.round(seconds * 1e6) / 1e6);
  } catch (err) {
    internalError("time to first chunk", err);
  }
}

function wrapStreamIterator(
  it: AsyncIterator<any>,
  add: (chunk: any) => void,
  finish: (err?: unknown, how?: string) => void,
  hide?: (chunk: any) => boolean,
): AsyncIterator<any> {
  const onErr = (err: unknown) => {
    finish(err);
    throw err;
  };
  const onResult = (r: IteratorResult<any>): IteratorResult<any> | Promise<IteratorResult<any>> => {
    if (r.done) {
      finish();
      return r;
    }
    add(r.value);
    if (hide !== undefined && safeHide(hide, r.value)) return it.next().then(onResult, onErr);
    return r;
  };
  const wrapped: AsyncIterator<any> & { [Symbol.asyncIterator]?: () => any } = {
    // a next(value) passes its value on; a plain next() stays argument-free (no rest array per chunk)
    next(this: unknown, ...a: [] | [any]) {
      return (a.length === 0 ? it.next() : it.next(a[0])).then(onResult, onErr);
    },
    return: (value?: any) => {
      finish(undefined, "stream.closed_early");
      return typeof it.return === "function" ? it.return(value) : Promise.resolve({ done: true, value });
    },
  };
  if (typeof it.throw === "function") {
    wrapped.throw = (e?: any) => {
      finish(e);
      return it.throw!(e);
    };
  }
  wrapped[Symbol.asyncIterator] = function () {
    return this;
  };
  return wrapped;
}

function safeHide(hide: (chunk: any) => boolean, chunk: any): boolean {
  try {
    return hide(chunk);
  } catch {
    return false;
  }
}

