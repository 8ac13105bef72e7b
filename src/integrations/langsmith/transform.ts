/**
 * For apps that turned on LangSmith's own OTel mode themselves (LANGSMITH_TRACING_MODE=otel): an
 * export-time AttributeTransform mapping LangSmith's span attributes (langsmith.span.kind, gen_ai.*)
 * to OpenInference. Pure and dependency-light (only semconv), so src/export/pipeline.ts can import it
 * without an import cycle. Keeps the native attributes; never overrides OpenInference keys already set.
 */
import { Attr, SpanKindValues, type SpanKind } from "../../semconv";

const KIND: Record<string, SpanKind> = {
  llm: SpanKindValues.LLM,
  chain: SpanKindValues.CHAIN,
  tool: SpanKindValues.TOOL,
  retriever: SpanKindValues.RETRIEVER,
  embedding: SpanKindValues.EMBEDDING,
  prompt: SpanKindValues.PROMPT,
  parser: SpanKindValues.CHAIN,
};

export function langsmithAttributeTransform(attributes: Record<string, unknown>): void {
  const runType = attributes["langsmith.span.kind"];
  if (typeof runType !== "string" || attributes[Attr.SPAN_KIND] !== undefined) return;
  attributes[Attr.SPAN_KIND] = KIND[runType] ?? SpanKindValues.CHAIN;
  const set = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && attributes[k] === undefined) attributes[k] = v;
  };
  set(Attr.MODEL_NAME, attributes["gen_ai.response.model"] ?? attributes["gen_ai.request.model"]);
  set(Attr.LLM_SYSTEM, attributes["gen_ai.system"]);
  set(Attr.TOKEN_COUNT_PROMPT, attributes["gen_ai.usage.input_tokens"]);
  set(Attr.TOKEN_COUNT_COMPLETION, attributes["gen_ai.usage.output_tokens"]);
  set(Attr.TOKEN_COUNT_TOTAL, attributes["gen_ai.usage.total_tokens"]);
  set(Attr.TOOL_NAME, attributes["gen_ai.tool.name"]);
  set(Attr.TOOL_CALL_ID, attributes["gen_ai.tool.call.id"]);
  set(Attr.SESSION_ID, attributes["langsmith.trace.session_id"]);
  if (typeof attributes["gen_ai.prompt"] === "string") {
    set(Attr.INPUT_VALUE, attributes["gen_ai.prompt"]);
    set(Attr.INPUT_MIME_TYPE, "application/json");
  }
  if (typeof attributes["gen_ai.completion"] === "string") {
    set(Attr.OUTPUT_VALUE, attributes["gen_ai.completion"]);
    set(Attr.OUTPUT_MIME_TYPE, "application/json");
  }
  const tags = attributes["langsmith.span.tags"];
  if (typeof tags === "string" && tags) set(Attr.TAG_TAGS, tags.split(", "));
}
