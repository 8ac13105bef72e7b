/** manualSpan(): a TOOL / CHAIN / RETRIEVER / … span for work no SDK sees. */
import { context, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { CatalystSpanArgumentError, ErrorCodes } from "../errors";
import { Attr, SpanKindValues, type SpanKind } from "../semconv";
import { safeJson } from "./coerce";
import { objectOption, safeText, tagsOption, textOption } from "./options";
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
  /** Token counts ({ prompt, completion, … }) or a provider usage object; null is "no usage". */
  usage?: TokenCounts | Record<string, unknown> | null;
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
      `manualSpan: spanKind "${safeText(kind)}" is not an OpenInference span kind (expected one of ${[...KINDS].join(", ")})`,
    );
  }
  const text = (field: keyof ManualSpanOptions) => textOption("manualSpan", field, options[field]);
  const toolName = text("toolName");
  const toolCallId = text("toolCallId");
  const model = text("model");
  const tags = tagsOption("manualSpan", options.tags);
  const usage = objectOption("manualSpan", "usage", options.usage);
  const attributes: Attributes = { ...coerceAttributes(objectOption("manualSpan", "attributes", options.attributes)), [Attr.SPAN_KIND]: kind };
  if (toolName !== undefined) attributes[Attr.TOOL_NAME] = toolName;
  if (toolCallId !== undefined) attributes[Attr.TOOL_CALL_ID] = toolCallId;
  if (model !== undefined) attributes[Attr.MODEL_NAME] = model;
  if (options.metadata != null) attributes[Attr.METADATA] = safeJson(options.metadata);
  if (tags !== undefined && tags.length > 0) attributes[Attr.TAG_TAGS] = tags;

  const name = text("spanName") ?? toolName ?? kind.toLowerCase();
  const parent = context.active();
  const span = tracer.startSpan(name, { attributes }, parent);
  const handle = new SpanHandle(span);
  if (options.input !== undefined) handle.setInput(options.input);
  if (options.output !== undefined) handle.setOutput(options.output);
  if (usage !== undefined) {
    const isCounts = Object.keys(usage).every((k) => COUNT_KEYS.has(k));
    if (isCounts) handle.recordTokens(usage as TokenCounts);
    else handle.recordUsage(usage);
  }
  return runInSpan(span, trace.setSpan(parent, span), () => fn(handle));
}
