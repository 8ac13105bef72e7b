/**
 * Pure mapping of AI SDK 7 telemetry events (the objects the SDK hands to a registered telemetry
 * integration: onStart, onLanguageModelCallStart/End, onToolExecutionStart/End, onObjectStepStart/End,
 * onEmbedStart/End, onEnd) to OpenInference attributes. Inputs the SDK already filtered
 * (`telemetry.recordInputs: false`) or outputs (`recordOutputs: false`) are left out entirely.
 */
import type { Attributes } from "@opentelemetry/api";
import { Attr, MessageRole, OpenInferenceAttribute as OI, SpanKindValues } from "../../semconv";
import { normalizeUsage, tokenAttributes } from "../../spans/usage";
import { faultPoint } from "../../util/fault";
import { setInputMessages, setOutputMessages, setTools, stringify, type MessageLike, type ToolCallLike } from "../kit";
import { modelMessages, providerOf } from "./mapping";

type Event = Record<string, any>;

/** The SDK's user-agent mark on calls a ToolLoopAgent makes (`ai-sdk-agent/tool-loop`). */
const AGENT_USER_AGENT = /\bai-sdk-agent\//;

const STREAMING_OPERATIONS = new Set(["ai.streamText", "ai.streamObject"]);

const recordsInputs = (e: Event) => e.recordInputs !== false;
const recordsOutputs = (e: Event) => e.recordOutputs !== false;

/** The model span's name, as AI SDK 6 named its own: ai.generateText.doGenerate, ai.streamText.doStream, … */
export function modelCallSpanName(operationId: string): string {
  return `${operationId}${STREAMING_OPERATIONS.has(operationId) ? ".doStream" : ".doGenerate"}`;
}

/** Was this call made by a ToolLoopAgent (the SDK adds its agent mark to the user agent)? */
export function isAgentCall(event: Event): boolean {
  const ua = event.headers?.["user-agent"];
  return typeof ua === "string" && AGENT_USER_AGENT.test(ua);
}

/** System instructions (a string, a system message or a list of them) and model messages, as the kit's messages. */
export function promptMessages(instructions: unknown, messages: unknown): MessageLike[] {
  const system: MessageLike[] = [];
  for (const i of Array.isArray(instructions) ? instructions : instructions === undefined ? [] : [instructions]) {
    if (typeof i === "string") system.push({ role: MessageRole.SYSTEM, content: i });
    else if (i && typeof i === "object" && typeof (i as any).content === "string") system.push({ role: MessageRole.SYSTEM, content: (i as any).content });
  }
  return [...system, ...modelMessages(messages)];
}

function setValue(a: Attributes, which: "input" | "output", value: unknown): void {
  if (value === undefined || value === null) return;
  const text = typeof value === "string";
  a[which === "input" ? Attr.INPUT_VALUE : Attr.OUTPUT_VALUE] = text ? value : stringify(value);
  a[which === "input" ? Attr.INPUT_MIME_TYPE : Attr.OUTPUT_MIME_TYPE] = text ? "text/plain" : "application/json";
}

/** The runtime context the SDK let through (`telemetry.includeRuntimeContext`) and the functionId, as metadata. */
function metadataAttributes(event: Event): Attributes {
  const a: Attributes = {};
  const md: Record<string, unknown> = {};
  const runtime = event.runtimeContext;
  if (runtime && typeof runtime === "object") Object.assign(md, runtime);
  if (typeof event.functionId === "string") md.functionId = event.functionId;
  if (Object.keys(md).length === 0) return a;
  a[Attr.METADATA] = stringify(md);
  if (typeof md.sessionId === "string") a[Attr.SESSION_ID] = md.sessionId;
  if (typeof md.userId === "string") a[Attr.USER_ID] = md.userId;
  return a;
}

/** The call span (ai.generateText, ai.streamText, ai.generateObject, ai.embed, …): CHAIN, or AGENT for an agent's run. */
export function callStartAttributes(event: Event, agentName: string | undefined): Attributes {
  faultPoint("ai-sdk.events");
  const a: Attributes = { [Attr.SPAN_KIND]: agentName !== undefined ? SpanKindValues.AGENT : SpanKindValues.CHAIN };
  if (agentName !== undefined) a[Attr.AGENT_NAME] = agentName;
  if (typeof event.modelId === "string") a[Attr.MODEL_NAME] = event.modelId;
  Object.assign(a, metadataAttributes(event));
  if (!recordsInputs(event)) return a;
  if (event.value !== undefined) {
    setValue(a, "input", event.value); // embed / embedMany
    return a;
  }
  // generateText / streamText give standardized messages; generateObject / streamObject the prompt as written
  const messages = Array.isArray(event.messages) ? event.messages : typeof event.prompt === "string" ? [{ role: "user", content: event.prompt }] : Array.isArray(event.prompt) ? event.prompt : [];
  const instructions = event.instructions ?? event.system;
  if (!instructions && messages.length === 1 && messages[0]?.role === "user" && typeof messages[0].content === "string") setValue(a, "input", messages[0].content);
  else if (instructions || messages.length > 0) setValue(a, "input", instructions ? { instructions, messages } : messages);
  return a;
}

/** What the call produced: its final text, or its object. Token counts stay on the model calls. */
export function callEndAttributes(event: Event): Attributes {
  const a: Attributes = {};
  if (!recordsOutputs(event)) return a;
  if (typeof event.text === "string" && event.text !== "") setValue(a, "output", event.text);
  else if (event.object !== undefined) setValue(a, "output", event.object);
  return a;
}

const PARAMETER_KEYS = ["maxOutputTokens", "temperature", "topP", "topK", "presencePenalty", "frequencyPenalty", "stopSequences", "seed", "reasoning"] as const;

/** A model call (one step of generateText / streamText): LLM, with the request. */
export function modelCallStartAttributes(event: Event, operationId: string, toolChoice: unknown): Attributes {
  faultPoint("ai-sdk.events");
  const a: Attributes = { [Attr.SPAN_KIND]: SpanKindValues.LLM };
  if (typeof event.modelId === "string") a[Attr.MODEL_NAME] = event.modelId;
  const provider = providerOf(event.provider);
  if (provider) {
    a[Attr.LLM_PROVIDER] = provider;
    a[Attr.LLM_SYSTEM] = provider;
  }
  if (STREAMING_OPERATIONS.has(operationId)) a[Attr.STREAMING] = true;
  const params: Record<string, unknown> = {};
  for (const k of PARAMETER_KEYS) if (event[k] !== undefined) params[k] = event[k];
  if (toolChoice !== undefined) params.toolChoice = toolChoice;
  if (Object.keys(params).length > 0) a[Attr.INVOCATION_PARAMETERS] = stringify(params);
  if (!recordsInputs(event)) return a;
  const messages = promptMessages(event.instructions, event.messages ?? event.promptMessages);
  setInputMessages(a, messages);
  if (messages.length > 0) setValue(a, "input", event.messages ?? event.promptMessages);
  setTools(a, event.tools);
  return a;
}

function toolCallOf(part: any): ToolCallLike {
  const args = part.input ?? part.args;
  return {
    id: part.toolCallId !== undefined ? String(part.toolCallId) : undefined,
    name: part.toolName !== undefined ? String(part.toolName) : undefined,
    arguments: typeof args === "string" ? args : stringify(args ?? {}),
  };
}

/** The model's answer: response model, output message (text and tool calls), tokens, finish reason. */
export function modelCallEndAttributes(event: Event): Attributes {
  faultPoint("ai-sdk.events");
  const a: Attributes = {};
  const model = event.response?.modelId ?? event.modelId;
  if (typeof model === "string") a[Attr.MODEL_NAME] = model;
  if (typeof event.finishReason === "string") a[Attr.FINISH_REASON] = event.finishReason;
  Object.assign(a, tokenAttributes(normalizeUsage(event.usage)));
  if (!recordsOutputs(event)) return a;
  const content: any[] = Array.isArray(event.content) ? event.content : [];
  const text = typeof event.objectText === "string" ? event.objectText : content.filter((p) => p?.type === "text").map((p) => p.text).join("");
  const toolCalls = content.filter((p) => p?.type === "tool-call").map(toolCallOf);
  if (text === "" && toolCalls.length === 0) return a;
  const message: MessageLike = { role: MessageRole.ASSISTANT };
  if (text !== "") message.content = text;
  if (toolCalls.length > 0) message.toolCalls = toolCalls;
  setOutputMessages(a, [message]);
  if (text !== "") setValue(a, "output", text);
  else setValue(a, "output", content.filter((p) => p?.type === "tool-call").map((p) => ({ toolCallId: p.toolCallId, toolName: p.toolName, input: p.input })));
  return a;
}

/** A tool execution: TOOL, with its name, call id and arguments. */
export function toolStartAttributes(event: Event): Attributes {
  faultPoint("ai-sdk.events");
  const call = event.toolCall ?? {};
  const a: Attributes = { [Attr.SPAN_KIND]: SpanKindValues.TOOL };
  if (call.toolName !== undefined) a[Attr.TOOL_NAME] = String(call.toolName);
  if (call.toolCallId !== undefined) a[Attr.TOOL_CALL_ID] = String(call.toolCallId);
  if (recordsInputs(event) && call.input !== undefined) setValue(a, "input", call.input);
  return a;
}

/** A tool's result (a failed tool is recorded as the span's error by the caller). */
export function toolEndAttributes(event: Event): Attributes {
  const a: Attributes = {};
  const out = event.toolOutput;
  if (recordsOutputs(event) && out?.type === "tool-result") setValue(a, "output", out.output);
  return a;
}

/** One embedding model call (embedMany may make several): EMBEDDING, with the texts. */
export function embedStartAttributes(event: Event): Attributes {
  faultPoint("ai-sdk.events");
  const a: Attributes = { [Attr.SPAN_KIND]: SpanKindValues.EMBEDDING };
  if (typeof event.modelId === "string") a[Attr.EMBEDDING_MODEL_NAME] = event.modelId;
  if (!recordsInputs(event) || !Array.isArray(event.values)) return a;
  event.values.forEach((v: unknown, i: number) => (a[OI.embeddingText(i)] = typeof v === "string" ? v : stringify(v)));
  setValue(a, "input", event.values.length === 1 ? event.values[0] : event.values);
  return a;
}

export function embedEndAttributes(event: Event, recordVectors: boolean): Attributes {
  const a: Attributes = {};
  const tokens = event.usage?.tokens;
  if (typeof tokens === "number") Object.assign(a, tokenAttributes({ prompt: tokens, total: tokens }));
  if (recordVectors && recordsOutputs(event) && Array.isArray(event.embeddings)) {
    event.embeddings.forEach((v: unknown, i: number) => {
      if (Array.isArray(v)) a[OI.embeddingVector(i)] = v as number[];
    });
  }
  return a;
}
