/**
 * The Mistral mappers as pure functions: requests and responses in the camelCase shapes the SDK
 * hands over (plus the snake_case extras it passes through), attributes out (recorded on real SDK
 * spans).
 */
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  CompletionStreamAccumulator,
  chatRequest,
  chatResponse,
  embeddingsRequest,
  embeddingsResponse,
  fimRequest,
  inputMessage,
  mistralErrorAttributes,
} from "../../src/integrations/mistral/mapping";

const tracer = new BasicTracerProvider().getTracer("unit");
function recorded(fn: (span: any) => void): Record<string, unknown> {
  const span = tracer.startSpan("t");
  fn(span);
  return (span as unknown as ReadableSpan).attributes as Record<string, unknown>;
}

describe("chat", () => {
  it("request: names, messages with chunks, tool calls (string or object arguments) and results, tools, parameters", () => {
    const b64 = "C".repeat(200);
    const body = {
      model: "mistral-large-latest",
      temperature: 0.3,
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", imageUrl: { url: `data:image/jpeg;base64,${b64}` } }, { type: "document_url", documentUrl: "https://x/doc.pdf" }] },
        { role: "assistant", content: null, toolCalls: [{ id: "c1", type: "function", function: { name: "f", arguments: { a: 1 } } }] },
        { role: "tool", toolCallId: "c1", name: "f", content: "42" },
      ],
      tools: [{ type: "function", function: { name: "f", parameters: {} } }],
    };
    const a = chatRequest(body, false);
    expect(a).toMatchObject({
      "llm.system": "mistralai",
      "llm.provider": "mistralai",
      "gen_ai.system": "mistral_ai",
      "llm.model_name": "mistral-large-latest",
      "llm.streaming": false,
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.contents.0.message_content.text": "what is this?",
      "llm.input_messages.1.message.contents.1.message_content.image.image.url": "data:image/jpeg;base64,[base64 omitted: 200 chars]",
      "llm.input_messages.1.message.contents.2.message_content.type": "document",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments": '{"a":1}',
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.tool_call_id": "c1",
      "llm.input_messages.3.message.name": "f",
      "llm.tools.0.tool.json_schema": JSON.stringify(body.tools[0]),
    });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ model: "mistral-large-latest", temperature: 0.3 });
    expect(a["input.value"]).not.toContain(b64);
  });

  it("a single text chunk reads as content; thinking chunks as reasoning", () => {
    expect(inputMessage({ role: "user", content: [{ type: "text", text: "hi" }] })).toEqual({ role: "user", content: "hi" });
    expect(inputMessage({ role: "assistant", content: [{ type: "thinking", thinking: [{ type: "text", text: "hmm" }] }, { type: "text", text: "ok" }] })).toMatchObject({
      contents: [
        { type: "reasoning", text: "hmm" },
        { type: "text", text: "ok" },
      ],
    });
  });

  it("a zod response format (chat.parse) is recorded as a json_schema format", () => {
    const schema = { safeParse: () => ({}), _zod: { def: { shape: {} } } };
    const a = chatRequest({ model: "m", messages: [], responseFormat: schema }, false);
    expect(JSON.parse(a["llm.invocation_parameters"] as string).responseFormat).toEqual({ type: "json_schema" });
  });

  it("response: served model, every choice, finish reason, tokens with cached ones (camelCase or passed-through snake_case)", () => {
    const completion = {
      id: "x",
      model: "mistral-large-2411",
      choices: [
        { index: 0, message: { role: "assistant", content: "a", toolCalls: null }, finishReason: "stop" },
        { index: 1, message: { role: "assistant", content: "b" }, finishReason: "length" },
      ],
      usage: { promptTokens: 100, completionTokens: 10, totalTokens: 110, prompt_tokens_details: { cached_tokens: 64 } },
    };
    const a = recorded((span) => chatResponse(span, completion));
    expect(a).toMatchObject({
      "llm.model_name": "mistral-large-2411",
      "llm.output_messages.0.message.content": "a",
      "llm.output_messages.1.message.content": "b",
      "llm.finish_reason": "stop",
      "llm.token_count.prompt": 100,
      "llm.token_count.completion": 10,
      "llm.token_count.total": 110,
      "llm.token_count.prompt_details.cache_read": 64,
    });
  });

  it("stream: content strings and chunks, thinking, tool calls whole or in pieces, the last chunk's usage", () => {
    const acc = new CompletionStreamAccumulator();
    acc.add({ data: { model: "magistral-medium-2509", choices: [{ index: 0, delta: { role: "assistant", content: [{ type: "thinking", thinking: [{ type: "text", text: "let me " }] }] }, finishReason: null }] } });
    acc.add({ data: { choices: [{ index: 0, delta: { content: [{ type: "thinking", thinking: [{ type: "text", text: "see" }] }] }, finishReason: null }] } });
    acc.add({ data: { choices: [{ index: 0, delta: { content: "Hel" }, finishReason: null }] } });
    acc.add({ data: { choices: [{ index: 0, delta: { content: "lo", toolCalls: [{ id: "t1", function: { name: "f", arguments: '{"a":' }, index: 0 }] }, finishReason: null }] } });
    acc.add({ data: { choices: [{ index: 0, delta: { toolCalls: [{ function: { arguments: "1}" }, index: 0 }] }, finishReason: "tool_calls" }], usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7 } } });
    const a = recorded((span) => acc.finish(span));
    expect(a).toMatchObject({
      "llm.model_name": "magistral-medium-2509",
      "output.value": "Hello",
      "llm.output_messages.0.message.contents.0.message_content.type": "reasoning",
      "llm.output_messages.0.message.contents.0.message_content.text": "let me see",
      "llm.output_messages.0.message.contents.1.message_content.text": "Hello",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "t1",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"a":1}',
      "llm.finish_reason": "tool_calls",
      "llm.token_count.total": 7,
    });
  });
});

describe("FIM and embeddings", () => {
  it("FIM: the prompt as llm.prompts, prompt and suffix as input, parameters without them", () => {
    const a = fimRequest({ model: "codestral-latest", prompt: "def f(", suffix: "return x", maxTokens: 10 }, true);
    expect(a).toMatchObject({ "llm.prompts": ["def f("], "llm.streaming": true, "input.value": '{"prompt":"def f(","suffix":"return x"}' });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ model: "codestral-latest", maxTokens: 10 });
    expect(fimRequest({ model: "codestral-latest", prompt: "x" }, false)).toMatchObject({ "input.value": "x", "input.mime_type": "text/plain" });
  });

  it("embeddings: texts, parameters, tokens, vectors only when asked", () => {
    const a = embeddingsRequest({ model: "mistral-embed", inputs: ["a", "b"], outputDimension: 8 });
    expect(a).toMatchObject({ "embedding.model_name": "mistral-embed", "embedding.embeddings.0.embedding.text": "a", "embedding.embeddings.1.embedding.text": "b" });
    expect(JSON.parse(a["embedding.invocation_parameters"] as string)).toEqual({ model: "mistral-embed", outputDimension: 8 });
    const result = { model: "mistral-embed", data: [{ embedding: [0.1] }], usage: { promptTokens: 2, totalTokens: 2 } };
    expect(recorded((span) => embeddingsResponse(span, result, false))).toEqual({ "embedding.model_name": "mistral-embed", "llm.token_count.prompt": 2, "llm.token_count.total": 2 });
    expect(recorded((span) => embeddingsResponse(span, result, true))["embedding.embeddings.0.embedding.vector"]).toEqual([0.1]);
  });
});

describe("errors", () => {
  it("the status from statusCode, the raw response, or the 422 a validation error stands for; the type from the body", () => {
    expect(mistralErrorAttributes({ name: "SDKError", statusCode: 429, body: '{"object":"error","type":"rate_limit_exceeded"}' })).toEqual({ "http.response.status_code": 429, "error.type": "rate_limit_exceeded" });
    expect(mistralErrorAttributes({ name: "SDKError", rawResponse: { status: 503 }, body: "upstream down" })).toEqual({ "http.response.status_code": 503 });
    expect(mistralErrorAttributes({ name: "HTTPValidationError", detail: [] })).toEqual({ "http.response.status_code": 422 });
    expect(mistralErrorAttributes(new Error("network"))).toEqual({});
  });
});
