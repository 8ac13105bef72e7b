/**
 * The tracer we hand to the AI SDK (experimental_telemetry.tracer): it delegates to a real
 * OpenTelemetry tracer and, when each span ends, adds the OpenInference attributes computed
 * from the SDK's native ones (which all stay). Spans are otherwise untouched: the context
 * still holds the real span, so nesting follows the SDK's own calls.
 */
import type { Attributes, AttributeValue, Context, Exception, Link, Span, SpanContext, SpanOptions, SpanStatus, TimeInput, Tracer } from "@opentelemetry/api";
import { guarded } from "../../util/fault";
import { AGENT_MARK, isAISdkSpan, mapAISdkSpan } from "./mapping";

const CALLS = new Set(["ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject"]);
const MAPPING_TRACER = Symbol.for("@inference/tracing.ai-sdk.tracer");

class MappedSpan implements Span {
  private readonly shadow: Record<string, unknown>;
  constructor(
    private readonly real: Span,
    private readonly name: string,
    initial: Attributes | undefined,
  ) {
    this.shadow = { ...(initial ?? {}) };
  }
  spanContext(): SpanContext {
    return this.real.spanContext();
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.shadow[key] = value;
    this.real.setAttribute(key, value);
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.shadow, attributes);
    this.real.setAttributes(attributes);
    return this;
  }
  addEvent(name: string, a?: Attributes | TimeInput, t?: TimeInput): this {
    this.real.addEvent(name, a as Attributes, t);
    return this;
  }
  addLink(link: Link): this {
    (this.real as any).addLink?.(link);
    return this;
  }
  addLinks(links: Link[]): this {
    (this.real as any).addLinks?.(links);
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.real.setStatus(status);
    return this;
  }
  updateName(name: string): this {
    this.real.updateName(name);
    return this;
  }
  end(endTime?: TimeInput): void {
    guarded(this.real, "ai-sdk.span-end", () => {
      if (!isAISdkSpan(this.name, this.shadow)) return;
      const mapped = mapAISdkSpan(this.name, this.shadow);
      const missing: Attributes = {};
      const present = ((this.real as any).attributes ?? this.shadow) as Record<string, unknown>;
      for (const [k, v] of Object.entries(mapped)) if (present[k] === undefined) missing[k] = v;
      this.real.setAttributes(missing);
    });
    this.real.end(endTime);
  }
  isRecording(): boolean {
    return this.real.isRecording();
  }
  recordException(exception: Exception, time?: TimeInput): void {
    this.real.recordException(exception, time);
  }
}

export interface MappingTracerOptions {
  /** Set on the call span: the run is a ToolLoopAgent's (kind AGENT, agent.name). */
  agentName?: string;
}

/** Wrap a tracer so the AI SDK's spans carry OpenInference attributes. Idempotent. */
export function mappingTracer(inner: Tracer | (() => Tracer), options: MappingTracerOptions = {}): Tracer {
  const get = typeof inner === "function" ? inner : () => inner;
  if (typeof inner !== "function" && (inner as any)[MAPPING_TRACER] && !options.agentName) return inner;
  const withMark = (name: string, opts: SpanOptions | undefined): SpanOptions | undefined => {
    if (!options.agentName || !CALLS.has(name)) return opts;
    return { ...(opts ?? {}), attributes: { ...(opts?.attributes ?? {}), [AGENT_MARK]: options.agentName } };
  };
  const tracer: Tracer & { [MAPPING_TRACER]: true } = {
    [MAPPING_TRACER]: true,
    startSpan(name: string, opts?: SpanOptions, ctx?: Context): Span {
      const o = withMark(name, opts);
      return new MappedSpan(get().startSpan(name, o, ctx), name, o?.attributes);
    },
    startActiveSpan(name: string, ...rest: any[]): any {
      const fn = rest.pop() as (span: Span) => unknown;
      const o = withMark(name, rest[0] as SpanOptions | undefined);
      const args: any[] = rest.length > 0 ? [o, ...rest.slice(1)] : o ? [o] : [];
      return (get().startActiveSpan as any)(name, ...args, (span: Span) => fn(new MappedSpan(span, name, o?.attributes)));
    },
  };
  return tracer;
}
