/** manualSpan(): a TOOL / CHAIN / RETRIEVER / … span for work no SDK sees. */
import { context, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { CatalystSpanArgumentError, ErrorCodes } from "../errors";
import { Attr, SpanKindValues, type SpanKind } from "../semconv";
import { safeJson } from "./coerce";
import { coerceAttributes, resolveArgs, type SpanCallback } from "./agent-span";
import { SpanHandle } from "./handle";
import { runInSpan } from "./run-in-span";
import type { TokenCounts } from "./usage";

export interface ManualSpanOptions {
  spanName?: string;
  /** Any OpenInference kind; default CHAIN. */
  spanKind?: SpanKind;
  toolName?: string;
  toolCallId?: string;
  model?: string;
  /** Token counts ({ prompt, completion, … }) or a provider usage object. */
  usage?: TokenCounts | Record<string, unknown>;
  input?: unknown;
  output?: unknown;
  metadata?: Record<string, unknown>;
  tags?: string[];
  attributes?: Record<string, unknown>;
}

const KINDS = new Set<string>(Object.values(SpanKindValues));
const COUNT_KEYS = new Set(["prompt", "completion", "total", "cacheRead", "cacheWrite", "reasoning"]);

export function manualSpan<T>(options: ManualSpanOptions, fn: SpanCallback<T>): T;
export function manualSpan<T>(tracer: Tracer, options: ManualSpanOptions, fn: SpanCallback<T>): T;
export function manualSpan(a: unknown, b: unknown, c?: unknown): unknown {
  const { tracer, options, fn } = resolveArgs<ManualSpanOptions>("manualSpan", a, b, c);
  const kind = options.spanKind ?? SpanKindValues.CHAIN;
  if (!KINDS.has(kind)) {
    throw new CatalystSpanArgumentError(
      ErrorCodes.INVALID_SPAN_KIND,
      `manualSpan: spanKind "${String(kind)}" is not an OpenInference span kind (expected one of ${[...KINDS].join(", ")})`,
    );
  }
  const attributes: Attributes = { ...coerceAttributes(options.attributes), [Attr.SPAN_KIND]: kind };
  if (options.toolName !== undefined) attributes[Attr.TOOL_NAME] = String(options.toolName);
  if (options.toolCallId !== undefined) attributes[Attr.TOOL_CALL_ID] = String(options.toolCallId);
  if (options.model !== undefined) attributes[Attr.MODEL_NAME] = String(options.model);
  if (options.metadata !== undefined) attributes[Attr.METADATA] = safeJson(options.metadata);
  if (options.tags !== undefined && options.tags.length > 0) attributes[Attr.TAG_TAGS] = options.tags.map(String);

  const name = options.spanName ?? options.toolName ?? kind.toLowerCase();
  const parent = context.active();
  const span = tracer.startSpan(name, { attributes }, parent);
  const handle = new SpanHandle(span);
  if (options.input !== undefined) handle.setInput(options.input);
  if (options.output !== undefined) handle.setOutput(options.output);
  if (options.usage !== undefined) {
    const isCounts = Object.keys(options.usage).every((k) => COUNT_KEYS.has(k));
    if (isCounts) handle.recordTokens(options.usage as TokenCounts);
    else handle.recordUsage(options.usage);
  }
  return runInSpan(span, trace.setSpan(parent, span), () => fn(handle));
}
