/**
 * Shared call-time machinery for the provider SDK integrations (openai, anthropic):
 * wrapping a resource method, observing the SDK's own APIPromise without consuming it,
 * wrapping a Stream's iterator in place, and the small mapping helpers every provider uses.
 *
 * Rules kept here so each provider folder only holds its mapping:
 *  - the app gets back the very object the SDK returned (APIPromise, Stream, MessageStream);
 *  - nothing reads a response body the app did not ask for: we observe the value the SDK's
 *    own lazy parser produces when the app awaits it;
 *  - a Stream is observed by replacing its `iterator` factory, so for-await, tee() and
 *    toReadableStream() all go through us, an early break reaches the SDK's iterator
 *    (which aborts the request), and no chunk is buffered;
 *  - every extractor runs under guarded(), and faults never reach the app.
 */
import {
  context,
  createContextKey,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from "@opentelemetry/api";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { safeJson } from "../../spans/coerce";
import { isInsideFrameworkLLMSpan } from "../../spans/context";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { internalError } from "../../util/log";

export const PATCHED = Symbol.for("@inference/tracing.patched");

// ---------------------------------------------------------------------------------------------
// method wrapping
// ---------------------------------------------------------------------------------------------

/** Wrap proto[name] once (marked with PATCHED); keeps name and length. Returns true when wrapped now or before. */
export function wrapMethod(proto: any, name: string, make: (original: (...a: any[]) => any) => (...a: any[]) => any): boolean {
  if (!proto) return false;
  const original = proto[name];
  if (typeof original !== "function") return false;
  if ((original as any)[PATCHED]) return true;
  const wrapped = make(original);
  try {
    Object.defineProperty(wrapped, "name", { value: original.name, configurable: true });
    Object.defineProperty(wrapped, "length", { value: original.length, configurable: true });
    Object.defineProperty(wrapped, PATCHED, { value: original, configurable: true });
  } catch {
    /* cosmetic only */
  }
  const desc = Object.getOwnPropertyDescriptor(proto, name);
  Object.defineProperty(proto, name, {
    value: wrapped,
    writable: desc?.writable ?? true,
    enumerable: desc?.enumerable ?? false,
    configurable: true,
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// provider, params, JSON
// ---------------------------------------------------------------------------------------------

const HOST_SUFFIX_TO_PROVIDER: [string, string][] = [
  ["api.openai.com", "openai"],
  ["openai.azure.com", "azure"],
  ["services.ai.azure.com", "azure"],
  ["cognitiveservices.azure.com", "azure"],
  ["api.anthropic.com", "anthropic"],
  ["api.cohere.com", "cohere"],
  ["api.cohere.ai", "cohere"],
  ["api.mistral.ai", "mistralai"],
  ["generativelanguage.googleapis.com", "google"],
  ["aiplatform.googleapis.com", "google"],
  ["amazonaws.com", "aws"],
  ["api.x.ai", "xai"],
  ["api.deepseek.com", "deepseek"],
  ["api.groq.com", "groq"],
  ["api.fireworks.ai", "fireworks"],
  ["api.moonshot.cn", "moonshot"],
  ["api.cerebras.ai", "cerebras"],
  ["api.perplexity.ai", "perplexity"],
  ["api.together.ai", "together"],
  ["api.together.xyz", "together"],
  ["ollama.com", "ollama"],
];

const providerCache = new Map<string, string>();

/**
 * llm.provider from a client's base URL: a known API host gives its provider name
 * (openai, azure, anthropic, …); any other OpenAI-compatible server gives its host name.
 */
export function providerFromBaseURL(baseURL: unknown, fallback: string): string {
  if (typeof baseURL !== "string" || baseURL === "") return fallback;
  const cached = providerCache.get(baseURL);
  if (cached) return cached;
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return fallback;
  }
  let provider = host;
  for (const [suffix, p] of HOST_SUFFIX_TO_PROVIDER) {
    if (host === suffix || host.endsWith("." + suffix)) {
      provider = p;
      break;
    }
  }
  if (providerCache.size < 64) providerCache.set(baseURL, provider);
  return provider;
}

/** The SDK client behind a resource object (`this._client`) or the client itself. */
export function clientOf(self: any): any {
  return self?._client ?? self;
}

const SECRET_KEYS = new Set(["api_key", "apiKey", "authorization", "Authorization", "headers", "password", "secret"]);

/** llm.invocation_parameters: the request minus the listed keys and anything that looks like a secret. */
export function invocationParameters(body: any, omit: readonly string[]): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(body)) {
    if (omit.includes(k) || SECRET_KEYS.has(k)) continue;
    out[k] = body[k];
  }
  return stringify(out);
}

const B64_MIN = 64;

/** A short stand-in for inline base64 data (images, audio, files), so spans stay small. */
export function base64Placeholder(data: string): string {
  return `[base64 omitted: ${data.length} chars]`;
}

/** An image URL as recorded: http(s) URLs kept, data: URLs keep their media type and lose the payload. */
export function imageUrlForSpan(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    if (comma > 0 && url.length - comma - 1 > B64_MIN) return `${url.slice(0, comma + 1)}${base64Placeholder(url.slice(comma + 1))}`;
  }
  return url;
}

function scrubReplacer(this: any, key: string, value: unknown): unknown {
  if (typeof value === "string" && value.length > B64_MIN) {
    if (value.startsWith("data:") && value.includes(";base64,")) return imageUrlForSpan(value);
    // Anthropic-style { type: "base64", media_type, data }, OpenAI input_audio { data, format }, file_data
    if ((key === "data" && this && (this.type === "base64" || this.format !== undefined)) || key === "file_data") {
      return base64Placeholder(value);
    }
  }
  return value;
}

/** JSON of a request/response with inline base64 payloads replaced by a placeholder. Never throws. */
export function stringify(value: unknown): string {
  try {
    const plain = JSON.stringify(value) ?? "null";
    // the replacer pass (slower) only when the text may hold an inline payload
    if (plain.length < 200 || (!plain.includes(";base64,") && !plain.includes('"data":"') && !plain.includes('"file_data":"'))) return plain;
    return JSON.stringify(value, scrubReplacer) ?? "null";
  } catch {
    return safeJson(value);
  }
}

export function isStreamLike(v: any): boolean {
  return !!v && typeof v === "object" && typeof v.iterator === "function" && typeof v[Symbol.asyncIterator] === "function";
}

// ---------------------------------------------------------------------------------------------
// message attribute helpers
// ---------------------------------------------------------------------------------------------

export interface ToolCallLike {
  id?: string;
  name?: string;
  arguments?: string;
}

export interface ContentPart {
  type: string;
  text?: string;
  imageUrl?: string;
}

export interface MessageLike {
  role?: string;
  content?: string;
  contents?: ContentPart[];
  name?: string;
  toolCallId?: string;
  toolCalls?: ToolCallLike[];
  functionCall?: { name?: string; arguments?: string };
}

export const MESSAGE_FUNCTION_CALL_NAME = "message.function_call_name";
export const MESSAGE_FUNCTION_CALL_ARGUMENTS = "message.function_call_arguments_json";

/** Flatten one message into `attrs` under `prefix` (llm.input_messages.N / llm.output_messages.N). */
export function setMessage(attrs: Attributes, prefix: string, m: MessageLike): void {
  if (m.role !== undefined) attrs[OIA.role(prefix)] = m.role;
  if (m.content !== undefined && m.content !== null) attrs[OIA.content(prefix)] = m.content;
  if (m.name !== undefined) attrs[OIA.name(prefix)] = m.name;
  if (m.toolCallId !== undefined) attrs[OIA.messageToolCallId(prefix)] = m.toolCallId;
  if (m.contents) {
    m.contents.forEach((c, k) => {
      const cp = OIA.contentPrefix(prefix, k);
      attrs[OIA.contentType(cp)] = c.type;
      if (c.text !== undefined) attrs[OIA.contentText(cp)] = c.text;
      if (c.imageUrl !== undefined) attrs[OIA.contentImageUrl(cp)] = c.imageUrl;
    });
  }
  if (m.toolCalls) {
    m.toolCalls.forEach((tc, j) => {
      const tp = OIA.toolCallPrefix(prefix, j);
      if (tc.id !== undefined) attrs[OIA.toolCallId(tp)] = tc.id;
      if (tc.name !== undefined) attrs[OIA.toolCallFunctionName(tp)] = tc.name;
      if (tc.arguments !== undefined) attrs[OIA.toolCallFunctionArguments(tp)] = tc.arguments;
    });
  }
  if (m.functionCall) {
    if (m.functionCall.name !== undefined) attrs[`${prefix}.${MESSAGE_FUNCTION_CALL_NAME}`] = m.functionCall.name;
    if (m.functionCall.arguments !== undefined) attrs[`${prefix}.${MESSAGE_FUNCTION_CALL_ARGUMENTS}`] = m.functionCall.arguments;
  }
}

export function setInputMessages(attrs: Attributes, messages: MessageLike[]): void {
  messages.forEach((m, i) => setMessage(attrs, OIA.inputMessagePrefix(i), m));
}
export function setOutputMessages(attrs: Attributes, messages: MessageLike[]): void {
  messages.forEach((m, i) => setMessage(attrs, OIA.outputMessagePrefix(i), m));
  // the tool the model asked for, on the LLM span itself (product docs: "Tools")
  for (const m of messages) {
    const tc = m.toolCalls?.[0];
    if (tc) {
      if (tc.name !== undefined) attrs[Attr.TOOL_NAME] = tc.name;
      if (tc.id !== undefined) attrs[Attr.TOOL_CALL_ID] = tc.id;
      break;
    }
  }
}

export function setTools(attrs: Attributes, tools: unknown): void {
  if (!Array.isArray(tools)) return;
  tools.forEach((t, i) => {
    attrs[OIA.toolJsonSchema(i)] = stringify(t);
  });
}

// ---------------------------------------------------------------------------------------------
// the traced call
// ---------------------------------------------------------------------------------------------

/** How one SDK surface maps to a span. Every function runs under guarded(). */
export interface CallSpec<Body = any> {
  /** extractor names used for faultPoint()/debug keys, e.g. "openai.chat" */
  key: string;
  spanName: string;
  system: string;
  /** Attributes known before the call (request side). */
  request(body: Body, self: any): Attributes;
  /** A JSON (non-stream) result. */
  response(span: Span, value: any, body: Body): void;
  /** A streamed result: an accumulator for its chunks. */
  stream?(body: Body): StreamAccumulator;
  /** Rewrite the request args (opt-in include_usage); returns undefined to leave them. */
  rewriteArgs?(args: any[]): { args: any[]; hide: (chunk: any) => boolean } | undefined;
}

export interface StreamAccumulator {
  add(chunk: any): void;
  /** Set the attributes of everything seen so far. */
  finish(span: Span): void;
}

/** Anthropic's messages.stream(): the span the helper opened, for the create() call it makes to adopt. */
const CLAIM_KEY = createContextKey("@inference/tracing.llm-span-claim");
interface Claim {
  span: Span;
  taken: boolean;
  adopt?: (owner: SpanOwner) => void;
}

/** Run `fn` with `span` offered to the first traced create() called synchronously inside it. */
export function withClaim<T>(ctx: Context, span: Span, fn: () => T): { result: T; taken: boolean } {
  const claim: Claim = { span, taken: false };
  const c = trace.setSpan(ctx, span).setValue(CLAIM_KEY, claim);
  try {
    const result = context.with(c, fn);
    return { result, taken: claim.taken };
  } finally {
    claim.taken = true; // a claim is only valid during the synchronous call
  }
}

function takeClaim(ctx: Context): Span | undefined {
  const claim = ctx.getValue(CLAIM_KEY) as Claim | undefined;
  if (!claim || claim.taken) return undefined;
  claim.taken = true;
  return claim.span;
}

/** Owns one span's end: exactly once, whichever way the call finishes. */
export class SpanOwner {
  ended = false;
  constructor(readonly span: Span) {}
  ok(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.setStatus({ code: SpanStatusCode.OK });
      this.span.end();
    } catch (err) {
      internalError("llm.span.end", err);
    }
  }
  error(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      recordError(this.span, err);
      const attrs = errorAttributes(err);
      if (attrs) this.span.setAttributes(attrs);
      this.span.end();
    } catch (e) {
      internalError("llm.span.error", e);
    }
  }
}

/** http.response.status_code and error.type from an SDK APIError (OpenAI or Anthropic). */
export function errorAttributes(err: unknown): Attributes | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as any;
  const a: Attributes = {};
  if (typeof e.status === "number") a["http.response.status_code"] = e.status;
  const type =
    (typeof e.type === "string" && e.type) ||
    (typeof e.error?.error?.type === "string" && e.error.error.type) ||
    (typeof e.error?.type === "string" && e.error.type !== "error" && e.error.type) ||
    (typeof e.code === "string" && e.code) ||
    (typeof e.name === "string" && e.name !== "Error" ? e.name : e.constructor?.name);
  if (type) a["error.type"] = type;
  return a;
}

export interface TraceOptions {
  getTracer: () => Tracer;
  kind?: "LLM" | "EMBEDDING";
}

/**
 * The wrapper every traced SDK method uses. `original` is the SDK's method; the returned
 * function calls it with the same `this` and args (or the opt-in rewritten args) and
 * returns exactly what it returned.
 */
export function makeTraced(original: (...a: any[]) => any, spec: CallSpec, opts: TraceOptions) {
  const spanKind = opts.kind ?? "LLM";
  return function traced(this: any, ...args: any[]): any {
    const ctx = context.active();
    if (isInsideFrameworkLLMSpan(ctx)) return original.apply(this, args);
    const body = args[0];
    let owner: SpanOwner;
    let callCtx: Context;
    let rewrite: { args: any[]; hide: (chunk: any) => boolean } | undefined;
    try {
      const adopted = takeClaim(ctx);
      const span = adopted ?? opts.getTracer().startSpan(spec.spanName, { kind: SpanKind.INTERNAL }, ctx);
      owner = new SpanOwner(span);
      callCtx = adopted ? ctx : trace.setSpan(ctx, span);
      span.setAttribute(Attr.SPAN_KIND, spanKind);
      guarded(span, `${spec.key}.request`, () => {
        faultPoint(`${spec.key}.request`);
        span.setAttributes(spec.request(body, this));
      });
      if (spec.rewriteArgs) rewrite = guarded(span, `${spec.key}.rewrite`, () => spec.rewriteArgs!(args));
    } catch (err) {
      internalError(`${spec.key}.start`, err);
      return original.apply(this, args);
    }
    let result: any;
    try {
      result = context.with(callCtx, () => original.apply(this, rewrite ? rewrite.args : args));
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

export function isAPIPromiseLike(p: any): boolean {
  return !!p && typeof p.then === "function" && typeof p.parseResponse === "function" && "responsePromise" in p;
}

/** Observe whatever the SDK method returned without changing it. */
export function observeResult(result: any, owner: SpanOwner, spec: CallSpec, body: any, hide?: (chunk: any) => boolean): void {
  const onValue = (value: any) => handleValue(value, owner, spec, body, hide);
  if (isAPIPromiseLike(result)) {
    observeAPIPromise(result, owner, onValue);
  } else if (result && typeof result.then === "function") {
    // some other thenable (a helper that returns a plain Promise): observe without rethrowing
    result.then(onValue, (err: unknown) => owner.error(err));
  } else {
    onValue(result);
  }
}

function handleValue(value: any, owner: SpanOwner, spec: CallSpec, body: any, hide?: (chunk: any) => boolean): void {
  if (owner.ended) return;
  if (isStreamLike(value) && spec.stream) {
    const acc = guarded(owner.span, `${spec.key}.stream.start`, () => {
      faultPoint(`${spec.key}.stream.start`);
      return spec.stream!(body);
    });
    instrumentStream(value, owner, acc, spec.key, hide);
    return;
  }
  guarded(owner.span, `${spec.key}.response`, () => {
    faultPoint(`${spec.key}.response`);
    spec.response(owner.span, value, body);
  });
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

function instrumentPromiseMethods(p: any, owner: SpanOwner, state: { parseStarted: boolean }): void {
  const proto = Object.getPrototypeOf(p);
  // the SDK class's own method (openai 7 also puts instance copies on the promise that bypass the
  // hooked parseResponse), or the wrapper of an earlier observer (an agentSpan around the call), so both see it
  const method = (name: string) => (p[name]?.[OBSERVER_WRAPPER] ? p[name] : proto?.[name]);
  const wrap = (name: string, wrapper: (this: any, ...a: any[]) => any) => {
    Object.defineProperty(wrapper, OBSERVER_WRAPPER, { value: true });
    p[name] = wrapper;
  };
  const parse = method("parse");
  if (typeof parse === "function") {
    wrap("parse", function (this: any, ...a: any[]) {
      state.parseStarted = true;
      const r = parse.apply(this, a);
      // our own derived promise: swallowing here leaves the app's chain (on `r`) untouched
      if (r && typeof r.then === "function") r.then(undefined, (err: unknown) => owner.error(err));
      return r;
    });
  }
  const asResponse = method("asResponse");
  if (typeof asResponse === "function") {
    wrap("asResponse", function (this: any, ...a: any[]) {
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
  const thenUnwrap = method("_thenUnwrap");
  if (typeof thenUnwrap === "function") {
    wrap("_thenUnwrap", function (this: any, ...a: any[]) {
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
  const chunkPoint = `${key}.stream.chunk`; // once per stream, not once per chunk
  const add = (chunk: any) => {
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

/** Whether an env flag is on ("1", "true", "yes"). */
export function envFlag(name: string): boolean {
  const v = process.env[name]?.trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}
