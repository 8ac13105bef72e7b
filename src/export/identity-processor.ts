/**
 * Copies the active agent identity (agent.id, agent.name, agent.role, session.id,
 * user.id, metadata, tag.tags) onto every span started inside an agentSpan(),
 * whichever tracer or integration started it. Keys the span already has win.
 */
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { identityAttributes, identityFrom } from "../spans/context";
import { internalError } from "../util/log";

export class IdentityProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    try {
      const identity = identityFrom(parentContext);
      if (!identity) return;
      const existing = span.attributes;
      for (const [k, v] of Object.entries(identityAttributes(identity))) {
        if (existing[k] === undefined && v !== undefined) span.setAttribute(k, v);
      }
    } catch (err) {
      internalError("IdentityProcessor", err);
    }
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
