/** How one SDK surface maps to a span: pure request/response mappers and a stream accumulator. */
import type { Attributes, Span } from "@opentelemetry/api";

/** How one SDK surface maps to a span. Every function runs under guarded(). */
export interface CallSpec<Body = any> {
  /** extractor names used for faultPoint()/debug keys, e.g. "openai.chat" */
  key: string;
  spanName: string;
  /** Attributes known before the call (request side). */
  request(body: Body, self: any): Attributes;
  /** A JSON (non-stream) result. */
  response(span: Span, value: any, body: Body): void;
  /** A streamed result: an accumulator for its chunks. */
  stream?(body: Body): StreamAccumulator;
  /**
   * Error attributes beyond what errorAttributes() reads from the usual shapes (`status`,
   * `type`, `code`): an SDK whose errors carry their HTTP status elsewhere.
   */
  errorAttributes?(err: unknown): Attributes | undefined;
  /**
   * A result that carries its stream inside (the AWS SDK's output objects: `output.stream`,
   * `output.body`, `output.completion`): that async iterable, observed in place; `response`
   * still sees the result itself. Undefined when the result is no stream.
   */
  events?(value: any): AsyncIterable<any> | undefined;
  /** Rewrite the request args (opt-in include_usage); returns undefined to leave them. */
  rewriteArgs?(args: any[]): { args: any[]; hide: (chunk: any) => boolean } | undefined;
  /**
   * Whether the SDK method, called on `self`, starts OpenTelemetry spans of its own inside the call.
   * Its tracer may have come from the API before our provider existed and reach us only at its first
   * span, inside the call: too late for the rule that lets a call skip entering its context.
   */
  tracesItself?(self: any): boolean;
  /**
   * The call's own request made to carry outgoing trace context without entering the span's context
   * (on Node 20/22 that switches promise hooks on for the process): the args with `headers` added
   * to the SDK's request options, or undefined when they cannot take them (the call then enters its
   * context and the HTTP hook adds the headers). `host` is the host the request goes to.
   */
  traceContext?: { host(self: any): string | undefined; withHeaders(args: any[], headers: [string, string][], self: any): any[] | undefined };
}

export interface StreamAccumulator {
  add(chunk: any): void;
  /** Set the attributes of everything seen so far. */
  finish(span: Span): void;
}
