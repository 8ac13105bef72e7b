/**
 * The Bedrock mappers as pure functions: command inputs and SDK outputs in, attributes out; the
 * stream accumulators fed event by event; the agent's trace accumulator building child spans; the
 * provider of the cloud variants of the OpenAI and Anthropic clients, decided by the client.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  ConverseStreamAccumulator,
  InvokeStreamAccumulator,
  answerOf,
  baseModelId,
  converseRequest,
  converseResponse,
  converseTokens,
  embeddingRequest,
  invokeRequest,
  invokeResponse,
  isEmbeddingModel,
  payloadText,
  systemOf,
} from "../../src/integrations/bedrock/mapping";
import { AgentTraceAccumulator, invokeAgentRequest } from "../../src/integrations/bedrock-agent/mapping";
import { chatRequest } from "../../src/integrations/openai/mapping";
import { messagesRequest } from "../../src/integrations/anthropic/mapping";

const exporter = new InMemorySpanExporter();
const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("unit");
function recorded(fn: (span: any) => void): Record<string, any> {
  const span = tracer.startSpan("t");
  fn(span);
  return (span as unknown as ReadableSpan).attributes as Record<string, any>;
}
const utf8 = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const chunk = (json: unknown) => ({ chunk: { bytes: utf8(json) } });

describe("model ids", () => {
  it("the vendor's id inside cross-region profiles and ARNs; llm.system in OpenInference's names", () => {
    expect(baseModelId("us.anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("anthropic.claude-3-5-haiku-20241022-v1:0");
    expect(baseModelId("arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.meta.llama3-2-1b-instruct-v1:0")).toBe("meta.llama3-2-1b-instruct-v1:0");
    expect(baseModelId("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0")).toBe("amazon.nova-pro-v1:0");
    expect(systemOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("anthropic");
    expect(systemOf("mistral.mistral-large-2407-v1:0")).toBe("mistralai");
    expect(systemOf("apac.amazon.nova-lite-v1:0")).toBe("amazon");
    expect(systemOf("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3")).toBeUndefined();
    expect(isEmbeddingModel("amazon.titan-embed-text-v2:0")).toBe(true);
    expect(isEmbeddingModel("cohere.command-r-v1:0")).toBe(false);
  });
});

describe("Converse", () => {
  it("request: system blocks joined, tool use and tool results as messages, images and documents without bytes, parameters with the tool choice", () => {
    const a = converseRequest(
      {
        modelId: "anthropic.claude-3-5-sonnet-20241022-v2:0",
        system: [{ text: "You are terse." }, { cachePoint: { type: "default" } }, { text: "Answer in French." }],
        messages: [
          { role: "user", content: [{ text: "What is in this picture?" }, { image: { format: "jpeg", source: { bytes: new Uint8Array(2048) } } }, { document: { format: "pdf", name: "d", source: { bytes: new Uint8Array(9) } } }] },
          { role: "assistant", content: [{ text: "Checking." }, { toolUse: { toolUseId: "t1", name: "lookup", input: { q: "x" } } }] },
          { role: "user", content: [{ toolResult: { toolUseId: "t1", content: [{ json: { found: true } }] } }, { text: "and?" }] },
        ],
        inferenceConfig: { maxTokens: 10 },
        toolConfig: { tools: [{ toolSpec: { name: "lookup", inputSchema: { json: { type: "object" } } } }], toolChoice: { tool: { name: "lookup" } } },
      },
      false,
    );
    expect(a).toMatchObject({
      "llm.provider": "aws",
      "llm.system": "anthropic",
      "llm.model_name": "anthropic.claude-3-5-sonnet-20241022-v2:0",
      "llm.input_messages.0.message.content": "You are terse.\nAnswer in French.",
      "llm.input_messages.1.message.contents.1.message_content.image.image.url": "data:image/jpeg;base64,[binary omitted: 2048 bytes]",
      "llm.input_messages.1.message.contents.2.message_content.type": "document",
      "llm.input_messages.2.message.content": "Checking.",
      "llm.input_messages.2.message.tool_calls.0.tool_call.id": "t1",
      // the tool result comes first in its message: it answers the call before the user goes on
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.tool_call_id": "t1",
      "llm.input_messages.3.message.content": '{"found":true}',
      "llm.input_messages.4.message.role": "user",
      "llm.input_messages.4.message.content": "and?",
      "llm.tools.0.tool.json_schema": '{"name":"lookup","inputSchema":{"json":{"type":"object"}}}',
    });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ inferenceConfig: { maxTokens: 10 }, toolChoice: { tool: { name: "lookup" } } });
    expect(a["input.value"]).toContain("[binary omitted: 2048 bytes]");
  });

  it("response: text, reasoning, tool calls, stop reason, cache tokens added into the prompt, a prompt router's served model", () => {
    const a = recorded((span) =>
      converseResponse(span, {
        $metadata: { requestId: "req-1", httpStatusCode: 200 },
        output: { message: { role: "assistant", content: [{ reasoningContent: { reasoningText: { text: "hmm", signature: "s" } } }, { text: "Yes." }, { toolUse: { toolUseId: "t2", name: "f", input: { a: 1 } } }] } },
        stopReason: "tool_use",
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 165, cacheReadInputTokens: 100, cacheWriteInputTokens: 50 },
        trace: { promptRouter: { invokedModelId: "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0" } },
      }),
    );
    expect(a).toMatchObject({
      "aws.request_id": "req-1",
      "llm.model_name": "arn:aws:bedrock:us-east-1:1:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
      "llm.output_messages.0.message.content": "Yes.",
      "llm.output_messages.0.message.contents.0.message_content.type": "reasoning",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"a":1}',
      "llm.finish_reason": "tool_use",
      "llm.token_count.prompt": 160,
      "llm.token_count.completion": 5,
      "llm.token_count.total": 165,
      "llm.token_count.prompt_details.cache_read": 100,
      "llm.token_count.prompt_details.cache_write": 50,
    });
    expect(JSON.parse(a["output.value"]).$metadata).toBeUndefined();
    expect(converseTokens({ inputTokens: 3, outputTokens: 2 })).toEqual({ prompt: 3, completion: 2, total: undefined });
  });

  it("stream: blocks rebuilt by index, tool input parsed, an unfinished tool input kept as text", () => {
    const acc = new ConverseStreamAccumulator();
    const events = [
      { messageStart: { role: "assistant" } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hel" } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: "lo" } } },
      { contentBlockStart: { contentBlockIndex: 1, start: { toolUse: { toolUseId: "t", name: "f" } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"x":' } } } },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: "1}" } } } },
      { contentBlockStart: { contentBlockIndex: 2, start: { toolUse: { toolUseId: "u", name: "g" } } } },
      { contentBlockDelta: { contentBlockIndex: 2, delta: { toolUse: { input: '{"cut' } } } },
      { messageStop: { stopReason: "tool_use" } },
      { metadata: { usage: { inputTokens: 7, outputTokens: 3, totalTokens: 10 } } },
    ];
    for (const e of events) acc.add(e);
    const a = recorded((span) => acc.finish(span));
    expect(a).toMatchObject({
      "output.value": "Hello",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"x":1}',
      "llm.output_messages.0.message.tool_calls.1.tool_call.function.arguments": '{"cut',
      "llm.finish_reason": "tool_use",
      "llm.token_count.total": 10,
    });
  });
});

describe("InvokeModel bodies", () => {
  it("request: the body read by its shape even under an ARN that names no vendor; non-JSON bodies as a size", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc";
    const a = invokeRequest({ modelId: arn, body: utf8({ anthropic_version: "bedrock-2023-05-31", max_tokens: 9, messages: [{ role: "user", content: "hi" }] }) }, false);
    expect(a).toMatchObject({ "llm.system": "anthropic", "llm.model_name": arn, "llm.input_messages.0.message.content": "hi" });
    expect(invokeRequest({ modelId: arn, body: JSON.stringify({ inputText: "t" }) }, false)["llm.system"]).toBe("amazon");
    const bin = invokeRequest({ modelId: "stability.sd3", body: new Uint8Array([0xff, 0xd8, 0x00]) }, false);
    expect(bin["input.value"]).toBe("[binary omitted: 3 bytes]");
    expect(bin["llm.input_messages.0.message.content"]).toBeUndefined();
    // Nova's base64 image payloads stay out of the span text
    const nova = invokeRequest({ modelId: "amazon.nova-lite-v1:0", body: JSON.stringify({ messages: [{ role: "user", content: [{ image: { format: "png", source: { bytes: "A".repeat(900) } } }] }] }) }, true);
    expect(nova["input.value"]).toContain("[base64 omitted: 900 chars]");
    expect(nova["llm.input_messages.0.message.contents.0.message_content.image.image.url"]).toBe("data:image/png;base64,[base64 omitted: 900 chars]");
  });

  it("answers per family: text, tool calls, finish reason, tokens", () => {
    expect(answerOf({ results: [{ outputText: "t", tokenCount: 3, completionReason: "LENGTH" }], inputTextTokenCount: 4 })).toMatchObject({ message: { content: "t" }, finish: "LENGTH", tokens: { prompt: 4, completion: 3 } });
    expect(answerOf({ generation: "g", prompt_token_count: 1, generation_token_count: 2, stop_reason: "length" })).toMatchObject({ finish: "length", tokens: { prompt: 1, completion: 2 } });
    expect(answerOf({ outputs: [{ text: "m", stop_reason: "stop" }] })).toMatchObject({ message: { content: "m" }, finish: "stop" });
    expect(answerOf({ choices: [{ message: { role: "assistant", content: null, tool_calls: [{ id: "c", function: { name: "f", arguments: "{}" } }] }, stop_reason: "tool_calls" }] }).message!.toolCalls).toEqual([{ id: "c", name: "f", arguments: "{}" }]);
    expect(answerOf({ text: "c", generation_id: "g", finish_reason: "COMPLETE", tool_calls: [{ name: "f", parameters: { a: 1 } }], meta: { billed_units: { input_tokens: 5, output_tokens: 6 } } })).toMatchObject({
      message: { content: "c", toolCalls: [{ name: "f", arguments: '{"a":1}' }] },
      tokens: { prompt: 5, completion: 6 },
    });
    expect(answerOf({ generations: [{ text: "old", finish_reason: "MAX_TOKENS" }] })).toMatchObject({ message: { content: "old" }, finish: "MAX_TOKENS" });
    expect(answerOf({ completion: " Hi", stop_reason: "stop_sequence" })).toMatchObject({ message: { content: " Hi" }, finish: "stop_sequence" });
    const anthropic = answerOf({ type: "message", role: "assistant", model: "claude-3-haiku-20240307", content: [{ type: "text", text: "a" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3 } });
    expect(anthropic).toMatchObject({ model: "claude-3-haiku-20240307", tokens: { prompt: 4, cacheRead: 3 } });
    expect(answerOf({ unknown: true })).toEqual({});
  });

  it("response: the served Anthropic model replaces the request's id", () => {
    const a = recorded((span) => invokeResponse(span, { body: utf8({ type: "message", role: "assistant", model: "claude-3-5-haiku-20241022", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", usage: { input_tokens: 1, output_tokens: 1 } }) }));
    expect(a["llm.model_name"]).toBe("claude-3-5-haiku-20241022");
    expect(a["llm.output_messages.0.message.content"]).toBe("ok");
  });

  it("streams: the family from the first chunk; Bedrock's invocation metrics give the tokens of any model", () => {
    const titan = new InvokeStreamAccumulator();
    titan.add(chunk({ outputText: "Hel", index: 0 }));
    titan.add(chunk({ outputText: "lo", index: 0, completionReason: "FINISH", "amazon-bedrock-invocationMetrics": { inputTokenCount: 4, outputTokenCount: 2 } }));
    expect(recorded((s) => titan.finish(s))).toMatchObject({ "output.value": "Hello", "llm.finish_reason": "FINISH", "llm.token_count.prompt": 4, "llm.token_count.completion": 2 });

    const mistral = new InvokeStreamAccumulator();
    mistral.add(chunk({ choices: [{ index: 0, message: { role: "assistant", content: "" , tool_calls: [{ id: "c1", function: { name: "f", arguments: '{"a":1}' } }] }, stop_reason: "tool_calls" }] }));
    expect(recorded((s) => mistral.finish(s))).toMatchObject({ "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "f", "llm.finish_reason": "tool_calls" });

    const nova = new InvokeStreamAccumulator();
    nova.add(chunk({ messageStart: { role: "assistant" } }));
    nova.add(chunk({ contentBlockDelta: { delta: { text: "N" }, contentBlockIndex: 0 } }));
    nova.add(chunk({ messageStop: { stopReason: "end_turn" } }));
    nova.add(chunk({ metadata: { usage: { inputTokens: 1, outputTokens: 1 } }, "amazon-bedrock-invocationMetrics": { inputTokenCount: 9, outputTokenCount: 8 } }));
    expect(recorded((s) => nova.finish(s))).toMatchObject({ "output.value": "N", "llm.finish_reason": "end_turn", "llm.token_count.prompt": 9, "llm.token_count.completion": 8 });

    const anthropic = new InvokeStreamAccumulator();
    anthropic.add(chunk({ type: "message_start", message: { role: "assistant", model: "claude-x", content: [], usage: { input_tokens: 3, output_tokens: 1 } } }));
    anthropic.add(chunk({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }));
    anthropic.add(chunk({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "A" } }));
    anthropic.add(chunk({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } }));
    expect(recorded((s) => anthropic.finish(s))).toMatchObject({ "llm.model_name": "claude-x", "llm.output_messages.0.message.content": "A", "llm.token_count.completion": 2 });
  });

  it("embeddings: texts, parameters; vectors only when asked", () => {
    const a = embeddingRequest({ modelId: "cohere.embed-english-v3", body: JSON.stringify({ texts: ["a", "b"], input_type: "search_query" }) });
    expect(a).toMatchObject({ "embedding.model_name": "cohere.embed-english-v3", "embedding.embeddings.1.embedding.text": "b", "input.value": '["a","b"]' });
    expect(JSON.parse(a["embedding.invocation_parameters"] as string)).toEqual({ input_type: "search_query" });
  });

  it("payload text never holds bytes, and never throws", () => {
    expect(payloadText({ a: new Uint8Array(3), b: Buffer.from("xyz") })).toBe('{"a":"[binary omitted: 3 bytes]","b":"[binary omitted: 3 bytes]"}');
    const circular: any = {};
    circular.self = circular;
    expect(typeof payloadText(circular)).toBe("string");
  });
});

describe("InvokeAgent", () => {
  const part = (trace: unknown, extra: Record<string, unknown> = {}) => ({ trace: { agentId: "A", trace, ...extra } });

  it("request: the agent's ids, its session, the input", () => {
    expect(invokeAgentRequest({ agentId: "A1", agentAliasId: "AL", sessionId: "s", memoryId: "m", inputText: "hi" })).toMatchObject({
      "agent.id": "A1",
      "agent.name": "A1",
      "aws.bedrock.agent.alias_id": "AL",
      "session.id": "s",
      "aws.bedrock.agent.memory_id": "m",
      "input.value": "hi",
    });
  });

  it("the trace becomes children: collaborators nest, guardrails, code interpreter, unknown union members, return of control", () => {
    exporter.reset();
    const acc = new AgentTraceAccumulator({ tracer }, 1000);
    acc.add(part({ guardrailTrace: { action: "NONE", traceId: "g" } }));
    acc.add(part({ orchestrationTrace: { invocationInput: { traceId: "c1", invocationType: "AGENT_COLLABORATOR", agentCollaboratorInvocationInput: { agentCollaboratorName: "Helper", input: { type: "TEXT", text: "do it" } } } } }));
    acc.add(part({ orchestrationTrace: { modelInvocationInput: { traceId: "h0", text: "plain prompt", foundationModel: "amazon.nova-pro-v1:0" } } }, { collaboratorName: "Helper" }));
    acc.add(part({ orchestrationTrace: { $unknown: ["modelInvocationOutput", { traceId: "h0", rawResponse: { content: "done" }, metadata: { usage: { inputTokens: 5, outputTokens: 1 } } }] } }, { collaboratorName: "Helper" }));
    acc.add(part({ orchestrationTrace: { invocationInput: { traceId: "h1", invocationType: "ACTION_GROUP_CODE_INTERPRETER", codeInterpreterInvocationInput: { code: "print(1)" } } } }, { collaboratorName: "Helper" }));
    acc.add(part({ orchestrationTrace: { observation: { traceId: "h1", type: "ACTION_GROUP_CODE_INTERPRETER", codeInterpreterInvocationOutput: { executionOutput: "1" } } } }, { collaboratorName: "Helper" }));
    acc.add(part({ orchestrationTrace: { observation: { traceId: "c1", type: "AGENT_COLLABORATOR", agentCollaboratorInvocationOutput: { agentCollaboratorName: "Helper", output: { type: "TEXT", text: "helped" } } } } }));
    acc.add({ returnControl: { invocationId: "i", invocationInputs: [{ functionInvocationInput: { function: "f" } }] } });
    acc.add(part({ failureTrace: { failureReason: "boom", traceId: "f" } }));
    const agent = tracer.startSpan("agent");
    acc.finish(agent);
    agent.end();
    const spans = exporter.getFinishedSpans();
    const byName = (n: string) => spans.find((s) => s.name === n)!;
    const agentId = agent.spanContext().spanId;
    expect(byName("Guardrail").parentSpanContext?.spanId ?? (byName("Guardrail") as any).parentSpanId).toBe(agentId);
    const helper = byName("Helper");
    expect(helper.attributes).toMatchObject({ "openinference.span.kind": "AGENT", "input.value": "do it", "output.value": "helped" });
    const helperId = helper.spanContext().spanId;
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId ?? (s as any).parentSpanId;
    expect(parentOf(byName("Orchestration model"))).toBe(helperId);
    expect(byName("Orchestration model").attributes).toMatchObject({ "llm.system": "amazon", "input.value": "plain prompt", "output.value": "done", "llm.token_count.prompt": 5 });
    expect(parentOf(byName("code_interpreter"))).toBe(helperId);
    expect(byName("code_interpreter").attributes["output.value"]).toBe("1");
    const a = (agent as unknown as ReadableSpan).attributes;
    expect(JSON.parse(a["output.value"] as string).returnControl.invocationId).toBe("i");
    expect((agent as unknown as ReadableSpan).events.map((e) => e.name)).toContain("bedrock_agent.failure");
  });
});

describe("the provider of a cloud client comes from the client, not its URL", () => {
  const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }] };
  it("openai: AzureOpenAI behind any host, with deployment and API version; BedrockOpenAI; plain clients by host", () => {
    const azure = chatRequest(body, { _client: { baseURL: "https://llm-gateway.internal/openai", apiVersion: "2024-10-21", deploymentName: undefined } });
    expect(azure).toMatchObject({ "llm.provider": "azure", "azure.openai.api_version": "2024-10-21", "azure.openai.deployment": "gpt-4o-mini" });
    const inURL = chatRequest(body, { _client: { baseURL: "https://x.openai.azure.com/openai/deployments/my%20dep", apiVersion: "v", deploymentName: undefined } });
    expect(inURL["azure.openai.deployment"]).toBe("my dep");
    expect(chatRequest(body, { _client: { baseURL: "http://127.0.0.1:1/v1", bedrockTokenProvider: undefined } })["llm.provider"]).toBe("aws");
    expect(chatRequest(body, { _client: { baseURL: "http://127.0.0.1:1/v1" } })["llm.provider"]).toBe("127.0.0.1");
  });

  it("anthropic: the Bedrock and Vertex clients by their own name (1.x) or their options (0.x)", () => {
    const b = { model: "m", max_tokens: 1, messages: [] };
    expect(messagesRequest(b, { _client: { baseURL: "http://127.0.0.1:1", _genAIProviderName: "aws.bedrock" } })["llm.provider"]).toBe("aws");
    expect(messagesRequest(b, { _client: { baseURL: "http://127.0.0.1:1", awsRegion: "us-east-1" } })["llm.provider"]).toBe("aws");
    expect(messagesRequest(b, { _client: { baseURL: "http://proxy:1", _genAIProviderName: "gcp.vertex_ai" } })["llm.provider"]).toBe("google");
    expect(messagesRequest(b, { _client: { baseURL: "http://proxy:1", region: "us-east5", projectId: null } })["llm.provider"]).toBe("google");
    expect(messagesRequest(b, { _client: { baseURL: "http://127.0.0.1:1", _genAIProviderName: "anthropic" } })["llm.provider"]).toBe("127.0.0.1");
  });
});
