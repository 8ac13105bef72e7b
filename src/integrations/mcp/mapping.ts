/**
 * MCP requests and results as span attributes: pure functions, no OpenTelemetry state.
 *
 * Kinds (OpenInference): `tools/call` is a TOOL span; `resources/read` a RETRIEVER span, because
 * what it returns is context documents for the model (each content item becomes a
 * `retrieval.documents.N` entry with its URI as id, its text as content and its MIME type as
 * metadata), which is what RETRIEVER's attributes describe; `prompts/get` a PROMPT span, the kind
 * for rendering a prompt template from variables (`llm.prompt_template.variables`).
 * Names and `mcp.*` / `gen_ai.*` keys follow OpenTelemetry's MCP conventions
 * (`{mcp.method.name} {target}`); the target is the tool, the prompt or the resource URI.
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr, MimeType, OpenInferenceAttribute as OI, SpanKindValues } from "../../semconv";
import { base64Placeholder, faultPoint, stringify } from "../kit";

/** The requests that get a span of their own, with its OpenInference kind. */
export const TRACED_METHODS = {
  "tools/call": SpanKindValues.TOOL,
  "resources/read": SpanKindValues.RETRIEVER,
  "prompts/get": SpanKindValues.PROMPT,
} as const;
export type TracedMethod = keyof typeof TRACED_METHODS;

export function isTracedMethod(method: unknown): method is TracedMethod {
  return method === "tools/call" || method === "resources/read" || method === "prompts/get";
}

/** OpenTelemetry's MCP keys (semantic-conventions, gen-ai/mcp.md). */
export const McpAttr = {
  METHOD: "mcp.method.name",
  SESSION_ID: "mcp.session.id",
  PROTOCOL_VERSION: "mcp.protocol.version",
  RESOURCE_URI: "mcp.resource.uri",
  REQUEST_ID: "jsonrpc.request.id",
  TOOL_NAME: "gen_ai.tool.name",
  PROMPT_NAME: "gen_ai.prompt.name",
  OPERATION: "gen_ai.operation.name",
  STATUS_CODE: "rpc.response.status_code",
  ERROR_TYPE: "error.type",
  NETWORK_TRANSPORT: "network.transport",
  NETWORK_PROTOCOL: "network.protocol.name",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
} as const;

/** `error.type` of a tool result with `isError: true` (OpenTelemetry's value). */
export const TOOL_ERROR = "tool_error";

const MAX_TARGET = 200;

function targetOf(method: TracedMethod, params: any): unknown {
  return method === "resources/read" ? params?.uri : params?.name;
}

export function spanName(method: TracedMethod, params: any): string {
  const target = targetOf(method, params);
  if (typeof target !== "string" || target === "") return method;
  return `${method} ${target.length > MAX_TARGET ? `${target.slice(0, MAX_TARGET)}…` : target}`;
}

/** What is known before the request is answered: the kind, the target and the input. */
export function requestAttributes(method: TracedMethod, params: any): Attributes {
  faultPoint("mcp.request");
  const a: Attributes = { [Attr.SPAN_KIND]: TRACED_METHODS[method], [McpAttr.METHOD]: method };
  const target = targetOf(method, params);
  if (method === "tools/call") {
    if (typeof target === "string") {
      a[Attr.TOOL_NAME] = target;
      a[McpAttr.TOOL_NAME] = target;
    }
    a[McpAttr.OPERATION] = "execute_tool";
    a[Attr.INPUT_VALUE] = stringify(params?.arguments ?? {});
    a[Attr.INPUT_MIME_TYPE] = MimeType.JSON;
  } else if (method === "resources/read") {
    if (typeof target === "string") {
      a[McpAttr.RESOURCE_URI] = target;
      a[Attr.INPUT_VALUE] = target;
      a[Attr.INPUT_MIME_TYPE] = MimeType.TEXT;
    }
  } else {
    if (typeof target === "string") a[McpAttr.PROMPT_NAME] = target;
    const variables = stringify(params?.arguments ?? {});
    a[Attr.INPUT_VALUE] = variables;
    a[Attr.INPUT_MIME_TYPE] = MimeType.JSON;
    if (params?.arguments !== undefined) a[Attr.PROMPT_TEMPLATE_VARIABLES] = variables;
  }
  return a;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The request with the trace context added to `params._meta` (what the app put there wins), or
 * undefined to send it as it is: params or `_meta` that are not objects are the app's to send.
 */
export function withTraceContext(request: any, entries: Record<string, string>): any {
  const { params } = request;
  if (params !== undefined && !isPlainObject(params)) return undefined;
  const meta = params?._meta;
  if (meta !== undefined && !isPlainObject(meta)) return undefined;
  return { ...request, params: { ...params, _meta: { ...entries, ...meta } } };
}

export interface ResultMapping {
  attributes: Attributes;
  /** Set when a tool answered with `isError: true`: the span's status message. */
  toolError?: string;
}

/** What the answer adds: the output (TOOL, PROMPT) or the documents (RETRIEVER). */
export function resultAttributes(method: TracedMethod, result: any): ResultMapping {
  faultPoint("mcp.response");
  if (!result || typeof result !== "object") return { attributes: {} };
  if (method === "tools/call") return toolResult(result);
  if (method === "resources/read") return { attributes: documentAttributes(result.contents) };
  const out: Record<string, unknown> = {};
  if (result.description !== undefined) out.description = result.description;
  out.messages = Array.isArray(result.messages) ? result.messages.map((m: any) => (m && typeof m === "object" ? { ...m, content: sanitizeContent(m.content) } : m)) : result.messages;
  return { attributes: { [Attr.OUTPUT_VALUE]: stringify(out), [Attr.OUTPUT_MIME_TYPE]: MimeType.JSON } };
}

function toolResult(result: any): ResultMapping {
  const content: unknown[] = Array.isArray(result.content) ? result.content : [];
  const allText = content.every((c: any) => c?.type === "text" && typeof c.text === "string");
  let value: string;
  let mime: string;
  if (!Array.isArray(result.content)) {
    // protocol 2024-10-07 servers answer { toolResult }; a task-augmented call, { task }
    value = stringify(result.toolResult !== undefined ? result.toolResult : result);
    mime = MimeType.JSON;
  } else if (allText && result.structuredContent === undefined) {
    value = content.map((c: any) => c.text).join("\n");
    mime = MimeType.TEXT;
  } else {
    const items = content.map(sanitizeContent);
    value = stringify(result.structuredContent === undefined ? items : { content: items, structuredContent: result.structuredContent });
    mime = MimeType.JSON;
  }
  const attributes: Attributes = { [Attr.OUTPUT_VALUE]: value, [Attr.OUTPUT_MIME_TYPE]: mime };
  if (result.isError !== true) return { attributes };
  attributes[McpAttr.ERROR_TYPE] = TOOL_ERROR;
  const text = content.filter((c: any) => c?.type === "text" && typeof c.text === "string").map((c: any) => c.text).join("\n");
  return { attributes, toolError: text || "the tool reported an error" };
}

/** A resource's contents as retrieval documents (id = URI, content = text, metadata = MIME type). */
export function documentAttributes(contents: unknown): Attributes {
  const a: Attributes = {};
  if (!Array.isArray(contents)) return a;
  contents.forEach((c: any, i) => {
    if (!c || typeof c !== "object") return;
    const p = OI.documentPrefix(i);
    if (typeof c.uri === "string") a[OI.documentId(p)] = c.uri;
    if (typeof c.text === "string") a[OI.documentContent(p)] = c.text;
    else if (typeof c.blob === "string") a[OI.documentContent(p)] = base64Placeholder(c.blob);
    if (typeof c.mimeType === "string") a[OI.documentMetadata(p)] = stringify({ mimeType: c.mimeType });
  });
  return a;
}

/**
 * MCP content with inline media replaced by a short placeholder: image and audio `data`, an
 * embedded resource's `blob` (base64 by the protocol's definition).
 */
export function sanitizeContent(item: any): any {
  if (Array.isArray(item)) return item.map(sanitizeContent);
  if (!item || typeof item !== "object") return item;
  if ((item.type === "image" || item.type === "audio") && typeof item.data === "string") return { ...item, data: base64Placeholder(item.data) };
  if (item.type === "resource" && item.resource && typeof item.resource.blob === "string") {
    return { ...item, resource: { ...item.resource, blob: base64Placeholder(item.resource.blob) } };
  }
  return item;
}

/**
 * A failed request: a JSON-RPC error (the SDK's McpError: a numeric `code`) names its code in
 * `error.type` and `rpc.response.status_code`, as OpenTelemetry's MCP conventions ask; any other
 * error (a closed connection, a schema mismatch) its class name.
 */
export function errorAttributes(err: unknown): Attributes {
  const e = err as any;
  if (e && typeof e === "object" && Number.isSafeInteger(e.code)) {
    const code = String(e.code);
    return { [McpAttr.ERROR_TYPE]: code, [McpAttr.STATUS_CODE]: code };
  }
  const name = e && typeof e === "object" ? (typeof e.name === "string" && e.name) || e.constructor?.name : undefined;
  return { [McpAttr.ERROR_TYPE]: name || "_OTHER" };
}

/**
 * Transport facts, read from the SDK's transport objects: stdio is a pipe, Streamable HTTP and
 * SSE speak HTTP over TCP (client side: to `server.address`:`server.port`), WebSocket likewise.
 */
export function transportAttributes(transport: any): Attributes {
  const a: Attributes = {};
  if (!transport || typeof transport !== "object") return a;
  if (typeof transport.sessionId === "string") a[McpAttr.SESSION_ID] = transport.sessionId;
  let version: unknown;
  try {
    version = transport.protocolVersion;
  } catch {
    /* a getter of theirs that throws: not ours to report */
  }
  if (typeof version === "string") a[McpAttr.PROTOCOL_VERSION] = version;
  const url = transport._url;
  if (url && typeof url === "object" && typeof url.hostname === "string") {
    a[McpAttr.NETWORK_TRANSPORT] = "tcp";
    const ws = url.protocol === "ws:" || url.protocol === "wss:";
    a[McpAttr.NETWORK_PROTOCOL] = ws ? "websocket" : "http";
    a[McpAttr.SERVER_ADDRESS] = url.hostname.replace(/^\[|\]$/g, "");
    const port = url.port ? Number(url.port) : url.protocol === "https:" || url.protocol === "wss:" ? 443 : 80;
    a[McpAttr.SERVER_PORT] = port;
  } else if (transport._serverParams || transport._stdin) {
    a[McpAttr.NETWORK_TRANSPORT] = "pipe";
  } else if (typeof transport.handleRequest === "function" || typeof transport.handlePostMessage === "function") {
    a[McpAttr.NETWORK_TRANSPORT] = "tcp";
    a[McpAttr.NETWORK_PROTOCOL] = "http";
  }
  return a;
}
