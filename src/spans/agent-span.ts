/** agentSpan(): the parent span of an agent run, carrying identity for everything beneath it. */
import { context, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { CatalystSpanArgumentError, ErrorCodes } from "../errors";
import { Attr, SpanKindValues } from "../semconv";
import { activeTracer } from "../state";
import { toAttributeValue } from "./coerce";
import { tagsOption, textOption } from "./options";
import { identityAttributes, identityFrom, withIdentity, type AgentIdentity } from "./context";
import { SpanHandle } from "./handle";
import { runInSpan } from "./run-in-span";

export interface AgentSpanOptions {
  agentId: string;
  agentName?: string;
  spanName?: string;
  sessionId?: string;
  userId?: string;
  role?: string;
  /** Provider the agent runs on ("openai", "anthropic") → gen_ai.system. */
  system?: string;
  metadata?: Record<string, unknown>;
  tags?: string[];
  input?: unknown;
}

export type SpanCallback<T> = (span: SpanHandle) => T;

/** Split the (tracer?, options, fn) overloads; throws a typed error on the wrong shapes. */
export function resolveArgs<O>(
  fnName: string,
  a: unknown,
  b: unknown,
  c: unknown,
): { tracer: Tracer; options: O; fn: SpanCallback<any> } {
  const explicitTracer = typeof c === "function";
  const tracer = explicitTracer ? (a as Tracer) : activeTracer();
  const options = (explicitTracer ? b : a) as O;
  const fn = (explicitTracer ? c : b) as SpanCallback<any>;
  if (explicitTracer && (!tracer || typeof (tracer as Tracer).startSpan !== "function")) {
    throw new CatalystSpanArgumentError(ErrorCodes.INVALID_OPTIONS, `${fnName}(tracer, options, fn): tracer is not an OpenTelemetry Tracer`);
  }
  if (!options || typeof options !== "object") {
    throw new CatalystSpanArgumentError(ErrorCodes.INVALID_OPTIONS, `${fnName}: options must be an object`);
  }
  if (typeof fn !== "function") {
    throw new CatalystSpanArgumentError(ErrorCodes.INVALID_CALLBACK, `${fnName}: the last argument must be a callback function`);
  }
  return { tracer, options, fn };
}

export function agentSpan<T>(options: AgentSpanOptions, fn: SpanCallback<T>): T;
export function agentSpan<T>(tracer: Tracer, options: AgentSpanOptions, fn: SpanCallback<T>): T;
export function agentSpan(a: unknown, b: unknown, c?: unknown): unknown {
  const { tracer, options, fn } = resolveArgs<AgentSpanOptions>("agentSpan", a, b, c);
  if (typeof options.agentId !== "string" || options.agentId.trim() === "") {
    throw new CatalystSpanArgumentError(ErrorCodes.MISSING_AGENT_ID, "agentSpan: options.agentId is required (a stable, non-empty string)");
  }
  const text = (field: keyof AgentSpanOptions) => textOption("agentSpan", field, options[field]);
  const parent = context.active();
  const outer = identityFrom(parent);
  // a nested agent has its own id/name/role; conversation-level fields carry over
  const identity: AgentIdentity = {
    id: options.agentId,
    name: text("agentName"),
    role: text("role"),
    sessionId: text("sessionId") ?? outer?.sessionId,
    userId: text("userId") ?? outer?.userId,
    metadata: options.metadata ?? outer?.metadata,
    tags: tagsOption("agentSpan", options.tags) ?? outer?.tags,
  };
  const attributes: Attributes = {
    [Attr.SPAN_KIND]: SpanKindValues.AGENT,
    ...identityAttributes(identity),
  };
  const system = text("system");
  if (system !== undefined) attributes[Attr.SYSTEM] = system;
  const span = tracer.startSpan(text("spanName") ?? identity.name ?? options.agentId, { attributes }, parent);
  const handle = new SpanHandle(span);
  if (options.input !== undefined) handle.setInput(options.input);
  const ctx = withIdentity(trace.setSpan(parent, span), identity);
  return runInSpan(span, ctx, () => fn(handle));
}

/** For attribute maps given by users: drop what cannot be an attribute value. */
export function coerceAttributes(input: Record<string, unknown> | undefined): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    const av = toAttributeValue(v);
    if (av !== undefined) out[k] = av;
  }
  return out;
}
