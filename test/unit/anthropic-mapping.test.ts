/** The Anthropic mappers as pure functions: Messages API bodies and objects in, attributes out. */
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { MessagesStreamAccumulator, messagesRequest, messagesResponse } from "../../src/integrations/anthropic/mapping";

const tracer = new BasicTracerProvider().getTracer("unit");
function recorded(fn: (span: any) => void): Record<string, unknown> {
  const span = tracer.startSpan("t");
  fn(span);
  return (span as unknown as ReadableSpan).attributes as Record<string, unknown>;
}

describe("Anthropic messages", () => {
  it("request: system first, tool_use and tool_result blocks, images without their payload, parameters without messages", () => {
    const a = messagesRequest(
      {
        model: "claude-sonnet-4-5",
        max_tokens: 256,
        system: [{ type: "text", text: "Answer in French." }],
        messages: [
          { role: "user", content: [{ type: "text", text: "Weather?" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "B".repeat(500) } }] },
          { role: "assistant", content: [{ type: "tool_use", id: "tu_1", name: "get_weather", input: { city: "Paris" } }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "tu_1", content: "sunny" }] },
        ],
      },
      { _client: { baseURL: "https://api.anthropic.com" } },
    );
    expect(a).toMatchObject({ "llm.provider": "anthropic", "llm.system": "anthropic", "llm.model_name": "claude-sonnet-4-5", "llm.streaming": false });
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a["llm.input_messages.0.message.content"]).toBe("Answer in French.");
    const flat = JSON.stringify(a);
    expect(flat).toContain("get_weather");
    expect(flat).toContain("tu_1");
    expect(flat).toContain("sunny");
    expect(flat).not.toContain("BBBB");
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ model: "claude-sonnet-4-5", max_tokens: 256 });
  });

  it("response: text and tool use, thinking kept apart, stop reason, tokens with cache read and write", () => {
    const a = recorded((span) =>
      messagesResponse(span, {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929",
        content: [
          { type: "thinking", thinking: "The user wants weather." },
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "tu_2", name: "get_weather", input: { city: "Lyon" } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 20, output_tokens: 15, cache_read_input_tokens: 100, cache_creation_input_tokens: 50 },
      }),
    );
    expect(a["llm.model_name"]).toBe("claude-sonnet-4-5-20250929");
    expect(a["llm.output_messages.0.message.content"]).toBe("Let me check.");
    expect(a["llm.output_messages.0.message.contents.0.message_content.type"]).toBe("reasoning");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"] as string)).toEqual({ city: "Lyon" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(100);
    expect(a["llm.token_count.prompt_details.cache_write"]).toBe(50);
    expect(a["llm.token_count.completion"]).toBe(15);
    expect(a["tool.name"]).toBeUndefined();
  });

  it("stream events rebuild the message: text deltas, tool input JSON across deltas, usage from message_delta", () => {
    const acc = new MessagesStreamAccumulator();
    const events = [
      { type: "message_start", message: { id: "m", role: "assistant", model: "claude-haiku-4-5", content: [], usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Bon" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "jour" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "tu_3", name: "f", input: {} } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"q":' } },
      { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"x"}' } },
      { type: "content_block_stop", index: 1 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 12 } },
      { type: "message_stop" },
    ];
    for (const e of events) acc.add(e);
    const a = recorded((span) => acc.finish(span));
    expect(a["llm.output_messages.0.message.content"]).toBe("Bonjour");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"] as string)).toEqual({ q: "x" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    expect(a["llm.token_count.completion"]).toBe(12);
    expect(a["llm.token_count.prompt"]).toBe(9);
  });
});
