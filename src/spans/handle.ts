/** The handle agentSpan()/manualSpan() give their callback. */
import type { Attributes, Span } from "@opentelemetry/api";
import { Attr } from "../semconv";
import { internalError } from "../util/log";
import { ioValue, toAttributeValue } from "./coerce";
import { normalizeUsage, tokenAttributes, type TokenCounts } from "./usage";

export class SpanHandle {
  /** The underlying OpenTelemetry span. */
  readonly raw: Span;
  constructor(span: Span) {
    this.raw = span;
  }

  private guard(what: string, fn: () => void): this {
    try {
      fn();
    } catch (err) {
      internalError(`handle.${what}`, err);
    }
    return this;
  }

  /** A string is recorded as text/plain, anything else as JSON. */
  setInput(value: unknown): this {
    return this.guard("setInput", () => {
      const { value: v, mimeType } = ioValue(value);
      this.raw.setAttributes({ [Attr.INPUT_VALUE]: v, [Attr.INPUT_MIME_TYPE]: mimeType });
    });
  }
  setOutput(value: unknown): this {
    return this.guard("setOutput", () => {
      const { value: v, mimeType } = ioValue(value);
      this.raw.setAttributes({ [Attr.OUTPUT_VALUE]: v, [Attr.OUTPUT_MIME_TYPE]: mimeType });
    });
  }
  /** Token counts; total is prompt + completion when not given. */
  recordTokens(counts: TokenCounts): this {
    return this.guard("recordTokens", () => this.raw.setAttributes(tokenAttributes(counts ?? {})));
  }
  /** An OpenAI- or Anthropic-shaped usage object (cache and reasoning details included). */
  recordUsage(usage: unknown): this {
    return this.guard("recordUsage", () => this.raw.setAttributes(tokenAttributes(normalizeUsage(usage))));
  }
  setModel(model: string): this {
    return this.guard("setModel", () => this.raw.setAttribute(Attr.MODEL_NAME, String(model)));
  }
  setAttribute(key: string, value: unknown): this {
    return this.guard("setAttribute", () => {
      const v = toAttributeValue(value);
      if (v !== undefined) this.raw.setAttribute(String(key), v);
    });
  }
  setAttributes(attributes: Record<string, unknown>): this {
    return this.guard("setAttributes", () => {
      const out: Attributes = {};
      for (const [k, v] of Object.entries(attributes ?? {})) {
        const av = toAttributeValue(v);
        if (av !== undefined) out[k] = av;
      }
      this.raw.setAttributes(out);
    });
  }
}
