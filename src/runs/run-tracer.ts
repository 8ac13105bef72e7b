/**
 * The tracer every span of ours starts through. A span started in a request's context with no
 * span active yet is the request's first traced work: the request's root span is started first
 * and the span goes under it (see request-root.ts). Everything else passes straight through.
 */
import { context, trace, type Context, type Span, type SpanOptions, type Tracer } from "@opentelemetry/api";
import { requestRootOf } from "./request-root";

export class RunAwareTracer implements Tracer {
  constructor(private readonly inner: Tracer) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    return this.inner.startSpan(name, options, options?.root ? ctx : this.underRequestRoot(ctx));
  }

  startActiveSpan(name: string, ...args: unknown[]): any {
    const fn = args.pop() as (span: Span) => unknown;
    const options = args[0] as SpanOptions | undefined;
    const ctx = (args[1] as Context | undefined) ?? context.active();
    const parent = options?.root ? ctx : this.underRequestRoot(ctx);
    const span = this.inner.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn, undefined, span);
  }

  private underRequestRoot(ctx: Context): Context {
    const root = requestRootOf(ctx);
    if (!root || trace.getSpan(ctx) !== undefined) return ctx;
    const span = root.materialize(this.inner);
    return span ? trace.setSpan(ctx, span) : ctx;
  }
}
