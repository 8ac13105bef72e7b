/**
 * What travels in the OpenTelemetry context besides the span itself:
 * the active agent identity (copied onto every child span by IdentityProcessor)
 * and the "a framework already records this model call" flag that keeps provider
 * integrations from double-counting tokens.
 */
import { context, createContextKey, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { Attr } from "../semconv";
import { safeJson } from "./coerce";

export interface AgentIdentity {
  id: string;
  name?: string;
  role?: string;
  sessionId?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
  tags?: string[];
}

const IDENTITY_KEY = createContextKey("@inference/tracing.agent-identity");
const FRAMEWORK_LLM_KEY = createContextKey("@inference/tracing.framework-llm-span");

export function withIdentity(ctx: Context, identity: AgentIdentity): Context {
  return ctx.setValue(IDENTITY_KEY, identity);
}
export function identityFrom(ctx: Context): AgentIdentity | undefined {
  return ctx.getValue(IDENTITY_KEY) as AgentIdentity | undefined;
}
/** The identity of the innermost agentSpan() around the current code, if any. */
export function getActiveAgentIdentity(): AgentIdentity | undefined {
  const id = identityFrom(context.active());
  return id ? { ...id } : undefined;
}

/** The attributes an identity puts on a span. */
export function identityAttributes(identity: AgentIdentity): Attributes {
  const a: Attributes = { [Attr.AGENT_ID]: identity.id };
  if (identity.name !== undefined) a[Attr.AGENT_NAME] = identity.name;
  if (identity.role !== undefined) a[Attr.AGENT_ROLE] = identity.role;
  if (identity.sessionId !== undefined) a[Attr.SESSION_ID] = identity.sessionId;
  if (identity.userId !== undefined) a[Attr.USER_ID] = identity.userId;
  if (identity.metadata !== undefined) a[Attr.METADATA] = safeJson(identity.metadata);
  if (identity.tags !== undefined && identity.tags.length > 0) a[Attr.TAG_TAGS] = identity.tags;
  return a;
}

/**
 * Frameworks that record a model call as their own LLM span (LangChain, OpenAI Agents,
 * the AI SDK, LiveKit, …) run the underlying provider call inside this context.
 * Provider integrations (openai, anthropic) then create no LLM span of their own, so each
 * model call appears, and its tokens count, exactly once.
 */
export function markFrameworkLLMSpan(ctx: Context, span: Span | true = true): Context {
  return ctx.setValue(FRAMEWORK_LLM_KEY, span);
}
export function clearFrameworkLLMSpan(ctx: Context): Context {
  return ctx.deleteValue(FRAMEWORK_LLM_KEY);
}
export function isInsideFrameworkLLMSpan(ctx: Context = context.active()): boolean {
  return ctx.getValue(FRAMEWORK_LLM_KEY) !== undefined;
}
export function frameworkLLMSpan(ctx: Context = context.active()): Span | undefined {
  const v = ctx.getValue(FRAMEWORK_LLM_KEY);
  return v && v !== true ? (v as Span) : undefined;
}
