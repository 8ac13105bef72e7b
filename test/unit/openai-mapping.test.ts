/**
 * The OpenAI mappers as pure functions: request bodies and API objects in the shapes the
 * Chat Completions and Responses APIs document, attributes out (recorded on real SDK spans).
 */
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  ChatStreamAccumulator,
  chatRequest,
  chatResponse,
  embeddingsResponse,
  responsesRequest,
  responsesResponse,
} from "../../src/integrations/openai/mapping";

const tracer = new BasicTracerProvider().getTracer("unit");
/** A real SDK span and its attributes after `fn` wrote to it. */
function recorded(fn: (span: any) => void): Record<string, unknown> {
  const span = tracer.startSpan("t");
  fn(span);
  return (span as unknown as ReadableSpan).attributes as Record<string, unknown>;
}
const client = (baseURL: string) => ({ _client: { baseURL } });

describe("chat completions", () => {
  const body = {
    model: "gpt-4o-mini",
    temperature: 0.2,
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(400)}` } }] },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"id":7}' } }] },
      { role: "tool", tool_call_id: "call_1", content: '{"status":"shipped"}' },
    ],
    tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
  };

  it("request: provider from the client's host, model, messages with parts, tool calls and results, tools, parameters without messages", () => {
    const a = chatRequest(body, client("https://api.openai.com/v1"));
    expect(a).toMatchObject({
      "llm.provider": "openai",
      "llm.system": "openai",
      "llm.model_name": "gpt-4o-mini",
      "llm.streaming": false,
      "input.mime_type": "application/json",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "You are terse.",
      "llm.input_messages.1.message.contents.0.message_content.type": "text",
      "llm.input_messages.1.message.contents.1.message_content.image.image.url": "data:image/png;base64,[base64 omitted: 400 chars]",
      "llm.input_messages.2.message.tool_calls.0.tool_call.id": "call_1",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "lookup",
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.tool_call_id": "call_1",
    });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(JSON.parse(a["llm.tools.0.tool.json_schema"] as string).function.name).toBe("lookup");
    expect(a["input.value"]).not.toContain("AAAA");
  });

  it("request: an OpenAI-compatible server is named by its host; Azure by its suffix", () => {
    expect(chatRequest({ model: "m" }, client("http://127.0.0.1:9999/v1"))["llm.provider"]).toBe("127.0.0.1");
    expect(chatRequest({ model: "m" }, client("https://acme.openai.azure.com/openai"))["llm.provider"]).toBe("azure");
  });

  it("response: served model, output messages with tool calls, finish reason, tokens with cache and reasoning", () => {
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      model: "gpt-4o-mini-2024-07-18",
      choices: [
        { index: 0, finish_reason: "tool_calls", message: { role: "assistant", content: null, tool_calls: [{ id: "call_2", type: "function", function: { name: "lookup", arguments: '{"id":8}' } }] } },
      ],
      usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 12 } },
    };
    const a = recorded((span) => chatResponse(span, completion));
    expect(a).toMatchObject({
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"id":8}',
      "llm.finish_reason": "tool_calls",
      "llm.token_count.prompt": 120,
      "llm.token_count.completion": 30,
      "llm.token_count.total": 150,
      "llm.token_count.prompt_details.cache_read": 100,
      "llm.token_count.completion_details.reasoning": 12,
    });
    // the tool asked for is not a TOOL span's attribute
    expect(a["tool.name"]).toBeUndefined();
  });

  it("stream: chunks rebuild content, tool-call arguments across chunks, finish reason and usage", () => {
    const acc = new ChatStreamAccumulator();
    const chunks = [
      { model: "gpt-4o-mini", choices: [{ index: 0, delta: { role: "assistant", content: "Hel" } }] },
      { model: "gpt-4o-mini", choices: [{ index: 0, delta: { content: "lo" } }] },
      { model: "gpt-4o-mini", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "c1", function: { name: "f", arguments: '{"a"' } }] } }] },
      { model: "gpt-4o-mini", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ":1}" } }] } }] },
      { model: "gpt-4o-mini", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
      { model: "gpt-4o-mini", choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } },
    ];
    for (const c of chunks) acc.add(c);
    const a = recorded((span) => acc.finish(span));
    expect(a).toMatchObject({
      "output.value": "Hello",
      "output.mime_type": "text/plain",
      "llm.output_messages.0.message.content": "Hello",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c1",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"a":1}',
      "llm.finish_reason": "tool_calls",
      "llm.token_count.total": 12,
    });
  });
});

describe("responses API", () => {
  it("request: instructions become the system message; function call outputs are tool messages", () => {
    const a = responsesRequest(
      {
        model: "gpt-4.1",
        instructions: "Be brief.",
        input: [
          { role: "user", content: "Where is my order?" },
          { type: "function_call", call_id: "fc_1", name: "lookup", arguments: "{}" },
          { type: "function_call_output", call_id: "fc_1", output: "shipped" },
        ],
      },
      client("https://api.openai.com/v1"),
    );
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a["llm.input_messages.0.message.content"]).toBe("Be brief.");
    expect(a["llm.input_messages.2.message.tool_calls.0.tool_call.function.name"]).toBe("lookup");
    expect(a["llm.input_messages.3.message.role"]).toBe("tool");
    expect(a["llm.input_messages.3.message.content"]).toBe("shipped");
  });

  it("response: output text, function calls and usage with cached and reasoning tokens", () => {
    const a = recorded((span) =>
      responsesResponse(span, {
        id: "resp_1",
        model: "gpt-4.1-2025-04-14",
        status: "completed",
        output: [
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "On its way." }] },
          { type: "function_call", call_id: "fc_2", name: "notify", arguments: '{"x":1}' },
        ],
        usage: { input_tokens: 50, output_tokens: 9, total_tokens: 59, input_tokens_details: { cached_tokens: 40 }, output_tokens_details: { reasoning_tokens: 3 } },
      }),
    );
    expect(a["llm.model_name"]).toBe("gpt-4.1-2025-04-14");
    expect(JSON.stringify(a)).toContain("On its way.");
    expect(JSON.stringify(a)).toContain("notify");
    expect(a["llm.token_count.prompt"]).toBe(50);
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(40);
    expect(a["llm.token_count.completion_details.reasoning"]).toBe(3);
  });
});

describe("embeddings", () => {
  const result = { model: "text-embedding-3-small", data: [{ index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: 4, total_tokens: 4 } };
  it("keeps vectors out unless asked", () => {
    const without = recorded((span) => embeddingsResponse(span, result, false));
    expect(Object.keys(without).some((k) => k.endsWith("embedding.vector"))).toBe(false);
    const withVectors = recorded((span) => embeddingsResponse(span, result, true));
    expect(Object.values(withVectors)).toContainEqual([0.1, 0.2, 0.3]);
  });
});
