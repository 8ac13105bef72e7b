/**
 * OpenInference attribute keys and span kinds.
 *
 * Every wire key that OpenInference defines is taken from
 * @arizeai/openinference-semantic-conventions so it stays byte-identical;
 * the few keys the product adds on top (agent.id, agent.role, gen_ai.system,
 * llm.streaming, agent.*_count) are declared here.
 */
import * as SC from "@arizeai/openinference-semantic-conventions";

export const SpanKindValues = {
  LLM: "LLM",
  CHAIN: "CHAIN",
  TOOL: "TOOL",
  RETRIEVER: "RETRIEVER",
  RERANKER: "RERANKER",
  EMBEDDING: "EMBEDDING",
  AGENT: "AGENT",
  GUARDRAIL: "GUARDRAIL",
  EVALUATOR: "EVALUATOR",
  PROMPT: "PROMPT",
} as const satisfies Record<keyof typeof SC.OpenInferenceSpanKind, `${SC.OpenInferenceSpanKind}`>;
export type SpanKind = (typeof SpanKindValues)[keyof typeof SpanKindValues];

export const MessageRole = {
  SYSTEM: "system",
  DEVELOPER: "developer",
  USER: "user",
  ASSISTANT: "assistant",
  TOOL: "tool",
  FUNCTION: "function",
} as const;

export const MimeType = { TEXT: "text/plain", JSON: "application/json", AUDIO_WAV: "audio/wav" } as const;

/** Every attribute key the product documents, plus the OpenInference keys it does not list. */
export const Attr = {
  // span identity
  SPAN_KIND: SC.SemanticConventions.OPENINFERENCE_SPAN_KIND,
  SESSION_ID: SC.SESSION_ID,
  USER_ID: SC.USER_ID,
  METADATA: SC.METADATA,
  TAG_TAGS: SC.TAG_TAGS,
  // agent identity
  AGENT_ID: "agent.id",
  AGENT_NAME: SC.AGENT_NAME,
  AGENT_ROLE: "agent.role",
  AGENT_TOOL_CALL_COUNT: "agent.tool_call_count",
  AGENT_LLM_CALL_COUNT: "agent.llm_call_count",
  // inputs and outputs
  INPUT_VALUE: SC.INPUT_VALUE,
  INPUT_MIME_TYPE: SC.INPUT_MIME_TYPE,
  OUTPUT_VALUE: SC.OUTPUT_VALUE,
  OUTPUT_MIME_TYPE: SC.OUTPUT_MIME_TYPE,
  // model and provider
  MODEL_NAME: SC.LLM_MODEL_NAME,
  REQUEST_MODEL_NAME: SC.LLM_REQUEST_MODEL_NAME,
  RESPONSE_MODEL_NAME: SC.LLM_RESPONSE_MODEL_NAME,
  /** The id the API gave its response (chat completion, message, Responses API response): ours, beside llm.response.model_name. */
  RESPONSE_ID: "llm.response.id",
  SYSTEM: "gen_ai.system",
  LLM_SYSTEM: SC.LLM_SYSTEM,
  LLM_PROVIDER: SC.LLM_PROVIDER,
  INVOCATION_PARAMETERS: SC.LLM_INVOCATION_PARAMETERS,
  STREAMING: "llm.streaming",
  FINISH_REASON: SC.LLM_FINISH_REASON,
  LLM_PROMPTS: SC.LLM_PROMPTS,
  LLM_TOOLS: SC.LLM_TOOLS,
  LLM_INPUT_MESSAGES: SC.LLM_INPUT_MESSAGES,
  LLM_OUTPUT_MESSAGES: SC.LLM_OUTPUT_MESSAGES,
  LLM_FUNCTION_CALL: SC.LLM_FUNCTION_CALL,
  PROMPT_TEMPLATE_TEMPLATE: SC.PROMPT_TEMPLATE_TEMPLATE,
  PROMPT_TEMPLATE_VARIABLES: SC.PROMPT_TEMPLATE_VARIABLES,
  PROMPT_TEMPLATE_VERSION: SC.PROMPT_TEMPLATE_VERSION,
  // token usage
  TOKEN_COUNT_PROMPT: SC.LLM_TOKEN_COUNT_PROMPT,
  TOKEN_COUNT_COMPLETION: SC.LLM_TOKEN_COUNT_COMPLETION,
  TOKEN_COUNT_TOTAL: SC.LLM_TOKEN_COUNT_TOTAL,
  TOKEN_COUNT_PROMPT_CACHE_WRITE: SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE,
  TOKEN_COUNT_PROMPT_CACHE_READ: SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
  TOKEN_COUNT_PROMPT_CACHE_INPUT: SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_INPUT,
  TOKEN_COUNT_PROMPT_AUDIO: SC.LLM_TOKEN_COUNT_PROMPT_DETAILS_AUDIO,
  TOKEN_COUNT_COMPLETION_REASONING: SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
  TOKEN_COUNT_COMPLETION_AUDIO: SC.LLM_TOKEN_COUNT_COMPLETION_DETAILS_AUDIO,
  // cost (USD)
  COST_PROMPT: SC.LLM_COST_PROMPT,
  COST_COMPLETION: SC.LLM_COST_COMPLETION,
  COST_TOTAL: SC.LLM_COST_TOTAL,
  COST_PROMPT_CACHE_READ: SC.LLM_COST_PROMPT_DETAILS_CACHE_READ,
  COST_PROMPT_CACHE_WRITE: SC.LLM_COST_PROMPT_DETAILS_CACHE_WRITE,
  COST_COMPLETION_REASONING: SC.LLM_COST_COMPLETION_DETAILS_REASONING,
  // tools
  TOOL_NAME: SC.TOOL_NAME,
  TOOL_DESCRIPTION: SC.TOOL_DESCRIPTION,
  TOOL_PARAMETERS: SC.TOOL_PARAMETERS,
  TOOL_JSON_SCHEMA: SC.TOOL_JSON_SCHEMA,
  TOOL_ID: SC.TOOL_ID,
  TOOL_CALL_ID: SC.TOOL_CALL_ID,
  // embeddings and retrieval
  EMBEDDING_MODEL_NAME: SC.EMBEDDING_MODEL_NAME,
  EMBEDDING_EMBEDDINGS: SC.EMBEDDING_EMBEDDINGS,
  EMBEDDING_TEXT: SC.EMBEDDING_TEXT,
  EMBEDDING_VECTOR: SC.EMBEDDING_VECTOR,
  RETRIEVAL_DOCUMENTS: SC.RETRIEVAL_DOCUMENTS,
  DOCUMENT_ID: SC.DOCUMENT_ID,
  DOCUMENT_CONTENT: SC.DOCUMENT_CONTENT,
  DOCUMENT_SCORE: SC.DOCUMENT_SCORE,
  DOCUMENT_METADATA: SC.DOCUMENT_METADATA,
  RERANKER_QUERY: SC.RERANKER_QUERY,
  RERANKER_MODEL_NAME: SC.RERANKER_MODEL_NAME,
  RERANKER_TOP_K: SC.RERANKER_TOP_K,
  // graphs
  GRAPH_NODE_ID: SC.GRAPH_NODE_ID,
  GRAPH_NODE_NAME: SC.GRAPH_NODE_NAME,
  GRAPH_NODE_PARENT_ID: SC.GRAPH_NODE_PARENT_ID,
  // message fields (suffixes under a message prefix)
  MESSAGE_ROLE: SC.MESSAGE_ROLE,
  MESSAGE_CONTENT: SC.MESSAGE_CONTENT,
  MESSAGE_CONTENTS: SC.MESSAGE_CONTENTS,
  MESSAGE_NAME: SC.MESSAGE_NAME,
  MESSAGE_TOOL_CALLS: SC.MESSAGE_TOOL_CALLS,
  MESSAGE_TOOL_CALL_ID: SC.MESSAGE_TOOL_CALL_ID,
  MESSAGE_CONTENT_TYPE: SC.MESSAGE_CONTENT_TYPE,
  MESSAGE_CONTENT_TEXT: SC.MESSAGE_CONTENT_TEXT,
  MESSAGE_CONTENT_IMAGE: SC.MESSAGE_CONTENT_IMAGE,
  IMAGE_URL: SC.IMAGE_URL,
  TOOL_CALL_FUNCTION_NAME: SC.TOOL_CALL_FUNCTION_NAME,
  TOOL_CALL_FUNCTION_ARGUMENTS: SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON,
  // resource
  PROJECT_NAME: SC.SEMRESATTRS_PROJECT_NAME,
} as const;
export type AttrKey = (typeof Attr)[keyof typeof Attr];

/** Indexed keys repeat from span to span: each is built once (up to a bound) and the same string reused. */
const MAX_CACHED_KEYS = 4096;
function byIndex(build: (i: number) => string): (i: number) => string {
  const cache: string[] = [];
  return (i) => (i >= 0 && i < 256 && Number.isInteger(i) ? (cache[i] ??= build(i)) : build(i));
}
function byPrefix(build: (prefix: string) => string): (prefix: string) => string {
  const cache = new Map<string, string>();
  return (prefix) => {
    let key = cache.get(prefix);
    if (key === undefined) {
      key = build(prefix);
      if (cache.size < MAX_CACHED_KEYS) cache.set(prefix, key);
    }
    return key;
  };
}
function byPrefixAndIndex(build: (prefix: string, i: number) => string): (prefix: string, i: number) => string {
  const cache = new Map<string, (i: number) => string>();
  return (prefix, i) => {
    let keys = cache.get(prefix);
    if (keys === undefined) {
      keys = byIndex((j) => build(prefix, j));
      if (cache.size < MAX_CACHED_KEYS) cache.set(prefix, keys);
    }
    return keys(i);
  };
}

/** Builders for the indexed, machine-generated keys (messages, tool calls, contents, tools, documents). */
export const OpenInferenceAttribute = {
  inputMessagePrefix: byIndex((i) => `${SC.LLM_INPUT_MESSAGES}.${i}`),
  outputMessagePrefix: byIndex((i) => `${SC.LLM_OUTPUT_MESSAGES}.${i}`),
  role: byPrefix((prefix) => `${prefix}.${SC.MESSAGE_ROLE}`),
  content: byPrefix((prefix) => `${prefix}.${SC.MESSAGE_CONTENT}`),
  name: byPrefix((prefix) => `${prefix}.${SC.MESSAGE_NAME}`),
  messageToolCallId: byPrefix((prefix) => `${prefix}.${SC.MESSAGE_TOOL_CALL_ID}`),
  contentPrefix: byPrefixAndIndex((prefix, k) => `${prefix}.${SC.MESSAGE_CONTENTS}.${k}`),
  contentType: byPrefix((contentPrefix) => `${contentPrefix}.${SC.MESSAGE_CONTENT_TYPE}`),
  contentText: byPrefix((contentPrefix) => `${contentPrefix}.${SC.MESSAGE_CONTENT_TEXT}`),
  contentImageUrl: byPrefix((contentPrefix) => `${contentPrefix}.${SC.MESSAGE_CONTENT_IMAGE}.${SC.IMAGE_URL}`),
  toolCallPrefix: byPrefixAndIndex((prefix, j) => `${prefix}.${SC.MESSAGE_TOOL_CALLS}.${j}`),
  toolCallId: byPrefix((toolCallPrefix) => `${toolCallPrefix}.${SC.TOOL_CALL_ID}`),
  toolCallFunctionName: byPrefix((toolCallPrefix) => `${toolCallPrefix}.${SC.TOOL_CALL_FUNCTION_NAME}`),
  toolCallFunctionArguments: byPrefix((toolCallPrefix) => `${toolCallPrefix}.${SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON}`),
  toolJsonSchema: byIndex((i) => `${SC.LLM_TOOLS}.${i}.${SC.TOOL_JSON_SCHEMA}`),
  prompt: byIndex((i) => `${SC.LLM_PROMPTS}.${i}`),
  embeddingText: byIndex((i) => `${SC.EMBEDDING_EMBEDDINGS}.${i}.${SC.EMBEDDING_TEXT}`),
  embeddingVector: byIndex((i) => `${SC.EMBEDDING_EMBEDDINGS}.${i}.${SC.EMBEDDING_VECTOR}`),
  documentPrefix: byIndex((i) => `${SC.RETRIEVAL_DOCUMENTS}.${i}`),
  documentId: byPrefix((documentPrefix) => `${documentPrefix}.${SC.DOCUMENT_ID}`),
  documentContent: byPrefix((documentPrefix) => `${documentPrefix}.${SC.DOCUMENT_CONTENT}`),
  documentScore: byPrefix((documentPrefix) => `${documentPrefix}.${SC.DOCUMENT_SCORE}`),
  documentMetadata: byPrefix((documentPrefix) => `${documentPrefix}.${SC.DOCUMENT_METADATA}`),
} as const;
