/**
 * The tracer provider we hand to LiveKit through its public hook,
 * `telemetry.setTracerProvider(provider, { registerSpanProcessor })`.
 *
 * LiveKit's spans are created by our tracer (so they join the app's traces and reach our
 * exporters), and each one is mapped to OpenInference just before it ends. The span
 * processors LiveKit registers itself (its PII filter, its metadata and LiveKit Cloud
 * processors) keep receiving onStart / onEnding / onEnd, so LiveKit Cloud tracing and its
 * redaction behave as before. Model calls (llm_node / llm_request / llm_request_run) run
 * inside markFrameworkLLMSpan, so the OpenAI integration does not record the same call twice.
 */
import {
  context,
  trace,
  SpanStatusCode,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { markFrameworkLLMSpan } from "../../spans/context";
import { guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import { MODEL_CALL_SPAN_NAMES, livekitToolError, mapLiveKitAttributes } from "./mapping";

/** The span processor shape LiveKit registers (OpenTelemetry SDK 2.x, with the optional onEnding). */
export interface SpanProcessorLike {
  onStart(span: any, parentContext: Context): void;
  onEnding?(span: any): void;
  onEnd(span: any): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const WRAPPED = Symbol.for("@inference/tracing.livekit.span");

export class LiveKitTracerProvider implements TracerProvider {
  /** Processors LiveKit registered through registerSpanProcessor. */
  readonly processors: SpanProcessorLike[] = [];
  constructor(private readonly source: () => Tracer) {}

  getTracer(_name?: string, _version?: string): Tracer {
    return new LiveKitTracer(this);
  }
  /** What we pass to LiveKit as `registerSpanProcessor`. */
  readonly registerSpanProcessor = (p: SpanProcessorLike): void => {
    if (p && typeof p.onEnd === "function") this.processors.push(p);
  };
  tracer(): Tracer {
    return this.source();
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => Promise.resolve(p.forceFlush?.()).catch((e) => internalError("livekit.processor.forceFlush", e))));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => Promise.resolve(p.shutdown?.()).catch((e) => internalError("livekit.processor.shutdown", e))));
  }
}

class LiveKitTracer implements Tracer {
  constructor(private readonly owner: LiveKitTracerProvider) {}

  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    const real = this.owner.tracer().startSpan(name, options, ctx);
    for (const p of this.owner.processors) {
      try {
        p.onStart(real, ctx);
      } catch (err) {
        internalError("livekit.processor.onStart", err);
      }
    }
    return wrapSpan(real, name, this.owner.processors);
  }

  startActiveSpan(name: string, ...rest: unknown[]): any {
    const fn = rest.pop() as (span: Span) => unknown;
    const options = (rest[0] as SpanOptions | undefined) ?? {};
    const parent = (rest[1] as Context | undefined) ?? context.active();
    const span = this.startSpan(name, options, parent);
    let ctx = trace.setSpan(parent, span);
    // a model call LiveKit records itself: provider integrations must not record it again
    if (MODEL_CALL_SPAN_NAMES.has(name)) ctx = markFrameworkLLMSpan(ctx, span);
    return context.with(ctx, fn, undefined, span);
  }
}

/**
 * The span LiveKit sees: the real span with an `end()` that first lets LiveKit's own
 * processors finish (PII filtering), then adds the OpenInference attributes, then ends.
 */
function wrapSpan(real: Span, name: string, processors: SpanProcessorLike[]): Span {
  let ended = false;
  const end = (endTime?: Parameters<Span["end"]>[0]) => {
    if (ended) return real.end(endTime);
    ended = true;
    for (const p of processors) {
      try {
        p.onEnding?.(real);
      } catch (err) {
        internalError("livekit.processor.onEnding", err);
      }
    }
    guarded(real, "livekit.map", () => {
      if (!real.isRecording()) return;
      const attrs = (real as unknown as { attributes?: Record<string, unknown> }).attributes;
      if (!attrs) return;
      real.setAttributes(mapLiveKitAttributes(name, attrs));
      const toolError = livekitToolError(name, attrs);
      const status = (real as unknown as { status?: { code: SpanStatusCode } }).status;
      if (toolError !== undefined && (!status || status.code === SpanStatusCode.UNSET)) {
        real.setStatus({ code: SpanStatusCode.ERROR, message: toolError.slice(0, 500) });
      }
    });
    real.end(endTime);
    for (const p of processors) {
      try {
        p.onEnd(real);
      } catch (err) {
        internalError("livekit.processor.onEnd", err);
      }
    }
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "end") return end;
      if (prop === WRAPPED) return true;
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}
