/**
 * The OpenTelemetry GenAI semantic conventions, computed at export time from the OpenInference
 * attributes every integration records (one mapping for all of them: integrations stay
 * single-convention).
 *
 * Pinned version: OpenTelemetry Semantic Conventions v1.41.0 (docs/gen-ai: gen-ai-spans.md,
 * gen-ai-agent-spans.md), the last release of the GenAI conventions in the main semantic-conventions
 * repository before they moved to semantic-conventions-genai. Provider is `gen_ai.provider.name`.
 *
 *   semconv "both":    the gen_ai.* keys are added; every OpenInference key and value stays as it was.
 *   semconv "gen_ai":  the gen_ai.* keys replace the OpenInference ones, and span name and kind are
 *                      the version's: `{operation} {model}` (CLIENT) for model calls,
 *                      `invoke_agent {agent}` and `execute_tool {tool}` (INTERNAL).
 *
 * Message content (gen_ai.input.messages, gen_ai.output.messages, gen_ai.tool.definitions,
 * gen_ai.tool.call.arguments/result, gen_ai.retrieval.query.text) is opt-in, as the version
 * prescribes, and is built from the attributes after the privacy transform ran: what privacy
 * hid or redacted there is hidden or redacted here too. Values are JSON strings (the version's
 * form for spans where structured attributes are not supported).
 */
import { LLMProvider } from "@arizeai/openinference-semantic-conventions";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { SemconvMode } from "../config";
import { Attr, SpanKindValues } from "../semconv";
import type { AttributeTransform } from "./types";

export const GEN_AI_SEMCONV_VERSION = "1.41.0";

/** The gen_ai.* keys of the pinned version that we write. */
export const GenAi = {
  OPERATION_NAME: "gen_ai.operation.name",
  PROVIDER_NAME: "gen_ai.provider.name",
  REQUEST_MODEL: "gen_ai.request.model",
  RESPONSE_MODEL: "gen_ai.response.model",
  RESPONSE_ID: "gen_ai.response.id",
  RESPONSE_FINISH_REASONS: "gen_ai.response.finish_reasons",
  RESPONSE_TIME_TO_FIRST_CHUNK: "gen_ai.response.time_to_first_chunk",
  USAGE_INPUT_TOKENS: "gen_ai.usage.input_tokens",
  USAGE_OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  USAGE_CACHE_READ_INPUT_TOKENS: "gen_ai.usage.cache_read.input_tokens",
  USAGE_CACHE_CREATION_INPUT_TOKENS: "gen_ai.usage.cache_creation.input_tokens",
  USAGE_REASONING_OUTPUT_TOKENS: "gen_ai.usage.reasoning.output_tokens",
  REQUEST_TEMPERATURE: "gen_ai.request.temperature",
  REQUEST_MAX_TOKENS: "gen_ai.request.max_tokens",
  REQUEST_TOP_P: "gen_ai.request.top_p",
  REQUEST_TOP_K: "gen_ai.request.top_k",
  REQUEST_FREQUENCY_PENALTY: "gen_ai.request.frequency_penalty",
  REQUEST_PRESENCE_PENALTY: "gen_ai.request.presence_penalty",
  REQUEST_STOP_SEQUENCES: "gen_ai.request.stop_sequences",
  REQUEST_SEED: "gen_ai.request.seed",
  REQUEST_CHOICE_COUNT: "gen_ai.request.choice.count",
  REQUEST_STREAM: "gen_ai.request.stream",
  REQUEST_ENCODING_FORMATS: "gen_ai.request.encoding_formats",
  EMBEDDINGS_DIMENSION_COUNT: "gen_ai.embeddings.dimension.count",
  OUTPUT_TYPE: "gen_ai.output.type",
  CONVERSATION_ID: "gen_ai.conversation.id",
  AGENT_NAME: "gen_ai.agent.name",
  AGENT_ID: "gen_ai.agent.id",
  TOOL_NAME: "gen_ai.tool.name",
  TOOL_DESCRIPTION: "gen_ai.tool.description",
  TOOL_CALL_ID: "gen_ai.tool.call.id",
  TOOL_CALL_ARGUMENTS: "gen_ai.tool.call.arguments",
  TOOL_CALL_RESULT: "gen_ai.tool.call.result",
  TOOL_DEFINITIONS: "gen_ai.tool.definitions",
  INPUT_MESSAGES: "gen_ai.input.messages",
  OUTPUT_MESSAGES: "gen_ai.output.messages",
  RETRIEVAL_QUERY_TEXT: "gen_ai.retrieval.query.text",
  ERROR_TYPE: "error.type",
} as const;

/** OpenInference span kind -> the version's operation name (kinds without one get no gen_ai operation). */
const OPERATION_BY_KIND: Record<string, string> = {
  [SpanKindValues.LLM]: "chat",
  [SpanKindValues.EMBEDDING]: "embeddings",
  [SpanKindValues.TOOL]: "execute_tool",
  [SpanKindValues.AGENT]: "invoke_agent",
  [SpanKindValues.RETRIEVER]: "retrieval",
};

/** OpenInference's provider values (llm.provider) where the version names the provider differently. */
const PROVIDER_NAMES: Record<string, string> = {
  azure: "azure.ai.openai",
  google: "gcp.gen_ai",
  aws: "aws.bedrock",
  mistralai: "mistral_ai",
  xai: "x_ai",
};
/** llm.provider holds one of OpenInference's provider names, or the host of a server it does not know. */
const KNOWN_PROVIDERS = new Set<string>(Object.values(LLMProvider));

/** OpenTelemetry's SpanKind values (the API enum): the version's kinds for model calls and in-process work. */
const SPAN_KIND_INTERNAL = 0;
const SPAN_KIND_CLIENT = 2;

/** Keys in OpenInference's namespaces, removed when gen_ai alone is chosen (session.id and user.id are general OpenTelemetry keys too: kept). */
const OPENINFERENCE_KEY = /^(openinference\.|llm\.|input\.|output\.|embedding\.|retrieval\.|reranker\.|tool\.|tool_call\.|agent\.|graph\.|prompt_template\.|prompt\.|metadata$|tag\.tags$|gen_ai\.system$)/;

export interface GenAiOptions {
  semconv: SemconvMode;
  /** Record message content (the version's opt-in attributes). */
  captureMessageContent: boolean;
}

/** The export transform; undefined when spans carry OpenInference only. */
export function genAiTransform(options: GenAiOptions): AttributeTransform | undefined {
  if (options.semconv === "openinference") return undefined;
  const only = options.semconv === "gen_ai";
  return (attributes, span) => {
    const kind = attributes[Attr.SPAN_KIND];
    if (typeof kind !== "string") return;
    // written straight into the span's attributes: no intermediate object per span
    genAiAttributes(attributes, span, options.captureMessageContent, attributes);
    if (only) {
      for (const key of Object.keys(attributes)) if (OPENINFERENCE_KEY.test(key)) delete attributes[key];
      renameSpan(span, kind, attributes);
    }
  };
}

/** The gen_ai.* attributes of one span, written to `out`, from its OpenInference attributes (which are left as they are). */
export function genAiAttributes(
  a: Record<string, unknown>,
  span: Pick<ReadableSpan, "status" | "events"> | undefined,
  captureContent: boolean,
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  const kind = a[Attr.SPAN_KIND] as string;
  let operation = OPERATION_BY_KIND[kind];
  if (operation === "chat" && a[Attr.LLM_PROMPTS + ".0"] !== undefined) operation = "text_completion";
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  };
  if (operation) set(GenAi.OPERATION_NAME, operation);
  set(GenAi.CONVERSATION_ID, str(a[Attr.SESSION_ID]));
  if (span && span.status?.code === 2) set(GenAi.ERROR_TYPE, errorType(a, span));

  if (kind === SpanKindValues.LLM || kind === SpanKindValues.EMBEDDING || kind === SpanKindValues.RETRIEVER || kind === SpanKindValues.AGENT) {
    set(GenAi.PROVIDER_NAME, providerName(a));
  }
  if (kind === SpanKindValues.LLM || kind === SpanKindValues.EMBEDDING || kind === SpanKindValues.AGENT) {
    const parameters = invocationParameters(a);
    set(GenAi.REQUEST_MODEL, requestModel(a, parameters));
    set(GenAi.RESPONSE_MODEL, responseModel(a));
    set(GenAi.RESPONSE_ID, str(a[Attr.RESPONSE_ID]));
    const finish = a[Attr.FINISH_REASON];
    if (typeof finish === "string" && finish) out[GenAi.RESPONSE_FINISH_REASONS] = [finish];
    usage(a, out);
    requestParameters(parameters, out);
    if (a[Attr.STREAMING] === true) out[GenAi.REQUEST_STREAM] = true;
    set(GenAi.RESPONSE_TIME_TO_FIRST_CHUNK, num(a[Attr.TIME_TO_FIRST_CHUNK]));
  }
  if (kind === SpanKindValues.AGENT) {
    set(GenAi.AGENT_NAME, str(a[Attr.AGENT_NAME]));
    set(GenAi.AGENT_ID, str(a[Attr.AGENT_ID]));
  }
  if (kind === SpanKindValues.TOOL) {
    set(GenAi.TOOL_NAME, str(a[Attr.TOOL_NAME]));
    set(GenAi.TOOL_DESCRIPTION, str(a[Attr.TOOL_DESCRIPTION]));
    set(GenAi.TOOL_CALL_ID, str(a[Attr.TOOL_CALL_ID]) ?? str(a[Attr.TOOL_ID]));
    if (captureContent) {
      set(GenAi.TOOL_CALL_ARGUMENTS, str(a[Attr.INPUT_VALUE]));
      if (span?.status?.code !== 2) set(GenAi.TOOL_CALL_RESULT, str(a[Attr.OUTPUT_VALUE]));
    }
  }
  if (captureContent) {
    if (kind === SpanKindValues.LLM || kind === SpanKindValues.AGENT) {
      const input = messages(a, `${Attr.LLM_INPUT_MESSAGES}.`);
      if (input.length) out[GenAi.INPUT_MESSAGES] = JSON.stringify(input);
      const output = messages(a, `${Attr.LLM_OUTPUT_MESSAGES}.`);
      if (output.length) {
        const finish = str(a[Attr.FINISH_REASON]);
        out[GenAi.OUTPUT_MESSAGES] = JSON.stringify(output.map((m) => (finish ? { ...m, finish_reason: finish } : m)));
      }
      const tools = toolDefinitions(a);
      if (tools.length) out[GenAi.TOOL_DEFINITIONS] = JSON.stringify(tools);
    }
    if (kind === SpanKindValues.RETRIEVER) set(GenAi.RETRIEVAL_QUERY_TEXT, str(a[Attr.INPUT_VALUE]));
  }
  return out;
}

/** The version's span name and kind (gen_ai alone): model calls are CLIENT, agents and tools run in process. */
function renameSpan(span: ReadableSpan, kind: string, genAi: Record<string, unknown>): void {
  const operation = genAi[GenAi.OPERATION_NAME] as string | undefined;
  if (!operation) return;
  const subject =
    operation === "execute_tool" ? genAi[GenAi.TOOL_NAME] : operation === "invoke_agent" ? genAi[GenAi.AGENT_NAME] : operation === "retrieval" ? undefined : genAi[GenAi.REQUEST_MODEL];
  // the SDK's ended span keeps name and kind as plain fields; the encoders read them from there
  const s = span as { name: string; kind: number };
  s.name = subject ? `${operation} ${subject}` : operation;
  s.kind = kind === SpanKindValues.TOOL || kind === SpanKindValues.AGENT ? SPAN_KIND_INTERNAL : SPAN_KIND_CLIENT;
}

/**
 * The provider as the version names it: a known llm.provider (who serves the call: azure, aws, …),
 * else the API the client speaks (llm.system, our gen_ai.system): a gateway or local server named
 * by its host in llm.provider is reported by the API it speaks, the version's "telemetry flavor".
 */
export function providerName(a: Record<string, unknown>): string | undefined {
  const provider = str(a[Attr.LLM_PROVIDER])?.toLowerCase();
  const raw = provider && KNOWN_PROVIDERS.has(provider) ? provider : (str(a[Attr.LLM_SYSTEM]) ?? str(a[Attr.SYSTEM]) ?? provider);
  if (!raw) return undefined;
  const lower = raw.toLowerCase();
  return PROVIDER_NAMES[lower] ?? lower;
}

/**
 * The model asked for: llm.request.model_name, else the `model` the SDK was called with, else the
 * model OpenInference names. Without `parameters`, the model is read from the invocation parameters' text.
 */
export function requestModel(a: Record<string, unknown>, parameters?: Record<string, unknown>): string | undefined {
  return (
    str(a[Attr.REQUEST_MODEL_NAME]) ??
    (parameters ? str(parameters.model) : modelInParameters(a)) ??
    str(a[Attr.MODEL_NAME]) ??
    str(a[Attr.EMBEDDING_MODEL_NAME])
  );
}

/** The last parameters text read by modelInParameters, and its model: an app's calls mostly repeat their parameters. */
let lastParameters: { raw: string; model: string | undefined } | undefined;

/** The `model` in llm.invocation_parameters, parsed once per distinct text in a row rather than once per span. */
function modelInParameters(a: Record<string, unknown>): string | undefined {
  const raw = a[Attr.INVOCATION_PARAMETERS] ?? a[EMBEDDING_INVOCATION_PARAMETERS];
  if (typeof raw !== "string") return undefined;
  if (lastParameters?.raw === raw) return lastParameters.model;
  const model = str(parseParameters(raw)?.model);
  lastParameters = { raw, model };
  return model;
}

/** The model that answered: llm.response.model_name, else OpenInference's llm.model_name (the response's model where the API names one). */
export function responseModel(a: Record<string, unknown>): string | undefined {
  return str(a[Attr.RESPONSE_MODEL_NAME]) ?? str(a[Attr.MODEL_NAME]);
}

/** llm.invocation_parameters (or embedding.invocation_parameters): a JSON object, as the SDK was called. */
function invocationParameters(a: Record<string, unknown>): Record<string, unknown> | undefined {
  return parseParameters(a[Attr.INVOCATION_PARAMETERS] ?? a[EMBEDDING_INVOCATION_PARAMETERS]);
}

function parseParameters(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== "string" || raw.length < 2 || raw[0] !== "{") return undefined;
  try {
    const p = JSON.parse(raw);
    return p && typeof p === "object" ? p : undefined;
  } catch {
    return undefined;
  }
}
const EMBEDDING_INVOCATION_PARAMETERS = "embedding.invocation_parameters";

/** The class of error the operation ended with: the exception's type, else the HTTP status, else `_OTHER`. */
export function errorType(a: Record<string, unknown>, span: Pick<ReadableSpan, "events">): string {
  for (const e of span.events ?? []) {
    const type = e.name === "exception" ? e.attributes?.["exception.type"] : undefined;
    if (typeof type === "string" && type) return type;
  }
  const status = a["http.response.status_code"];
  if (typeof status === "number") return String(status);
  return "_OTHER";
}

function usage(a: Record<string, unknown>, out: Record<string, unknown>): void {
  const pairs: [string, string][] = [
    [Attr.TOKEN_COUNT_PROMPT, GenAi.USAGE_INPUT_TOKENS],
    [Attr.TOKEN_COUNT_COMPLETION, GenAi.USAGE_OUTPUT_TOKENS],
    [Attr.TOKEN_COUNT_PROMPT_CACHE_READ, GenAi.USAGE_CACHE_READ_INPUT_TOKENS],
    [Attr.TOKEN_COUNT_PROMPT_CACHE_WRITE, GenAi.USAGE_CACHE_CREATION_INPUT_TOKENS],
    [Attr.TOKEN_COUNT_COMPLETION_REASONING, GenAi.USAGE_REASONING_OUTPUT_TOKENS],
  ];
  for (const [from, to] of pairs) {
    const v = num(a[from]);
    if (v !== undefined) out[to] = v;
  }
}

/** Request parameters from the invocation parameters. */
function requestParameters(p: Record<string, unknown> | undefined, out: Record<string, unknown>): void {
  if (!p) return;
  const number = (key: string, ...names: string[]) => {
    for (const n of names) {
      const v = num(p[n]);
      if (v !== undefined) return void (out[key] = v);
    }
  };
  number(GenAi.REQUEST_TEMPERATURE, "temperature");
  number(GenAi.REQUEST_MAX_TOKENS, "max_tokens", "max_completion_tokens", "max_output_tokens", "maxTokens", "maxOutputTokens");
  number(GenAi.REQUEST_TOP_P, "top_p", "topP");
  number(GenAi.REQUEST_TOP_K, "top_k", "topK");
  number(GenAi.REQUEST_FREQUENCY_PENALTY, "frequency_penalty", "frequencyPenalty");
  number(GenAi.REQUEST_PRESENCE_PENALTY, "presence_penalty", "presencePenalty");
  number(GenAi.REQUEST_SEED, "seed");
  number(GenAi.EMBEDDINGS_DIMENSION_COUNT, "dimensions");
  const n = num(p.n);
  if (n !== undefined && n !== 1) out[GenAi.REQUEST_CHOICE_COUNT] = n;
  const stop = p.stop ?? p.stop_sequences ?? p.stopSequences;
  if (typeof stop === "string") out[GenAi.REQUEST_STOP_SEQUENCES] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) out[GenAi.REQUEST_STOP_SEQUENCES] = stop;
  if (p.stream === true) out[GenAi.REQUEST_STREAM] = true;
  if (typeof p.encoding_format === "string") out[GenAi.REQUEST_ENCODING_FORMATS] = [p.encoding_format];
  const format = p.response_format ?? (p.text as { format?: unknown } | undefined)?.format;
  const formatType = typeof format === "object" && format ? (format as { type?: unknown }).type : undefined;
  if (formatType === "json_object" || formatType === "json_schema") out[GenAi.OUTPUT_TYPE] = "json";
  else if (formatType === "text") out[GenAi.OUTPUT_TYPE] = "text";
}

type Part = Record<string, unknown>;
interface Message {
  role: string;
  parts: Part[];
  name?: string;
}

/**
 * OpenInference's flattened messages (`llm.input_messages.<i>.message.*`) as the version's message
 * objects (gen-ai-input-messages.json / gen-ai-output-messages.json): text, tool_call and
 * tool_call_response parts, image URLs as `uri` parts.
 */
export function messages(a: Record<string, unknown>, prefix: string): Message[] {
  const byIndex: Record<string, unknown>[] = [];
  for (const key of Object.keys(a)) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf(".");
    const i = Number(rest.slice(0, dot));
    if (!Number.isInteger(i) || i < 0 || i > 100_000) continue;
    (byIndex[i] ??= {})[rest.slice(dot + 1)] = a[key];
  }
  const out: Message[] = [];
  for (const fields of byIndex) {
    if (!fields) continue;
    const role = str(fields["message.role"]) ?? "user";
    const parts: Part[] = [];
    const toolCallId = str(fields["message.tool_call_id"]);
    const content = fields["message.content"];
    if (role === "tool" && toolCallId !== undefined) parts.push({ type: "tool_call_response", id: toolCallId, result: content ?? null });
    else if (typeof content === "string") parts.push({ type: "text", content });
    const contents: Record<string, unknown>[] = [];
    const calls: Record<string, unknown>[] = [];
    for (const [k, v] of Object.entries(fields)) {
      let m = /^message\.contents\.(\d+)\.message_content\.(.+)$/.exec(k);
      if (m) {
        (contents[Number(m[1])] ??= {})[m[2]!] = v;
        continue;
      }
      m = /^message\.tool_calls\.(\d+)\.tool_call\.(.+)$/.exec(k);
      if (m) (calls[Number(m[1])] ??= {})[m[2]!] = v;
    }
    for (const c of contents) {
      if (!c) continue;
      if (typeof c.text === "string") parts.push({ type: "text", content: c.text });
      else if (typeof c["image.image.url"] === "string") parts.push({ type: "uri", modality: "image", uri: c["image.image.url"] });
    }
    for (const c of calls) {
      if (!c) continue;
      parts.push({ type: "tool_call", id: str(c.id) ?? null, name: str(c["function.name"]) ?? "", arguments: parseJson(c["function.arguments"]) });
    }
    const message: Message = { role, parts };
    const name = str(fields["message.name"]);
    if (name) message.name = name;
    out.push(message);
  }
  return out;
}

/** llm.tools.<i>.tool.json_schema as the version's tool definitions ({type, name, description, parameters}). */
function toolDefinitions(a: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; ; i++) {
    const schema = a[`${Attr.LLM_TOOLS}.${i}.${Attr.TOOL_JSON_SCHEMA}`];
    if (schema === undefined) break;
    const parsed = parseJson(schema) as Record<string, any> | string;
    if (!parsed || typeof parsed !== "object") continue;
    const fn = parsed.function && typeof parsed.function === "object" ? parsed.function : parsed;
    const def: Record<string, unknown> = { type: typeof parsed.type === "string" ? parsed.type : "function", name: fn.name ?? "" };
    if (fn.description !== undefined) def.description = fn.description;
    const parameters = fn.parameters ?? fn.input_schema;
    if (parameters !== undefined) def.parameters = parameters;
    out.push(def);
  }
  return out;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
