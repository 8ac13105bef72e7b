/** One span's end, exactly once, whichever way the call finishes; errors with their HTTP status and type. */
import { SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import { recordError } from "../../spans/record-error";
import { guarded } from "../../util/fault";
import { internalError } from "../../util/log";

/** Owns one span's end: exactly once, whichever way the call finishes. */
export class SpanOwner {
  ended = false;
  /** Called once the span has ended (its attributes are final), whichever way. */
  onEnd?: (span: Span) => void;
  /** `describeError`: an SDK's own error attributes, added to (and overriding) errorAttributes(). */
  constructor(
    readonly span: Span,
    private readonly describeError?: (err: unknown) => Attributes | undefined,
  ) {}
  ok(): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.setStatus({ code: SpanStatusCode.OK });
      this.span.end();
    } catch (err) {
      internalError("llm.span.end", err);
    }
    this.afterEnd();
  }
  private afterEnd(): void {
    if (!this.onEnd) return;
    try {
      this.onEnd(this.span);
    } catch (err) {
      internalError("llm.span.onEnd", err);
    }
  }
  error(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      recordError(this.span, err);
      const attrs = errorAttributes(err);
      if (attrs) this.span.setAttributes(attrs);
      if (this.describeError) guarded(this.span, "llm.span.error_attributes", () => this.span.setAttributes(this.describeError!(err) ?? {}));
      this.span.end();
    } catch (e) {
      internalError("llm.span.error", e);
    }
    this.afterEnd();
  }
}

/** http.response.status_code and error.type from an SDK error (OpenAI, Anthropic, the AWS SDK's `$metadata`). */
export function errorAttributes(err: unknown): Attributes | undefined {
  if (!err || typeof err !== "object") return undefined;
  const e = err as any;
  const a: Attributes = {};
  const status = typeof e.status === "number" ? e.status : e.$metadata?.httpStatusCode;
  if (typeof status === "number") a["http.response.status_code"] = status;
  const type =
    (typeof e.type === "string" && e.type) ||
    (typeof e.error?.error?.type === "string" && e.error.error.type) ||
    (typeof e.error?.type === "string" && e.error.type !== "error" && e.error.type) ||
    (typeof e.code === "string" && e.code) ||
    (typeof e.name === "string" && e.name !== "Error" ? e.name : e.constructor?.name);
  if (type) a["error.type"] = type;
  return a;
}
