/**
 * The pure mapping of AI SDK 7 telemetry events to OpenInference attributes (the zero-code tests
 * cover the events a real SDK sends end to end; these cover the shapes those apps do not make).
 */
import { describe, expect, it } from "vitest";
import {
  callEndAttributes,
  callStartAttributes,
  embedEndAttributes,
  embedStartAttributes,
  isAgentCall,
  modelCallEndAttributes,
  modelCallSpanName,
  modelCallStartAttributes,
  promptMessages,
  toolEndAttributes,
  toolStartAttributes,
} from "../../src/integrations/ai-sdk/events";

describe("AI SDK 7 events", () => {
  it("instructions as a string, a system message or a list of them come first, as system messages", () => {
    const messages = [{ role: "user", content: "hi" }];
    expect(promptMessages("Be brief.", messages)).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "hi" }]);
    expect(promptMessages([{ role: "system", content: "A" }, { role: "system", content: "B" }], messages).map((m) => m.content)).toEqual(["A", "B", "hi"]);
    expect(promptMessages({ role: "system", content: "C" }, []).map((m) => m.role)).toEqual(["system"]);
  });

  it("names model spans as AI SDK 6 did, streaming for streamed operations", () => {
    expect(modelCallSpanName("ai.streamText")).toBe("ai.streamText.doStream");
    expect(modelCallSpanName("ai.generateObject")).toBe("ai.generateObject.doGenerate");
    expect(modelCallStartAttributes({ modelId: "m", provider: "anthropic.messages", messages: [] }, "ai.streamObject", undefined)).toMatchObject({
      "llm.streaming": true,
      "llm.provider": "anthropic",
      "llm.model_name": "m",
    });
  });

  it("a call the app keeps private (recordInputs / recordOutputs: false) carries no text", () => {
    const start = { operationId: "ai.generateText", modelId: "m", messages: [], instructions: undefined, recordInputs: false, recordOutputs: false };
    expect(Object.keys(callStartAttributes(start, undefined))).toEqual(["openinference.span.kind", "llm.model_name"]);
    expect(callEndAttributes({ text: "secret answer", recordOutputs: false })).toEqual({});
    const model = modelCallStartAttributes({ ...start, temperature: 0, tools: [{ name: "t" }] }, "ai.generateText", { type: "auto" });
    expect(Object.keys(model).some((k) => k.startsWith("llm.input_messages") || k.startsWith("llm.tools") || k === "input.value")).toBe(false);
    expect(JSON.parse(model["llm.invocation_parameters"] as string)).toEqual({ temperature: 0, toolChoice: { type: "auto" } });
    const end = modelCallEndAttributes({ modelId: "m-1", finishReason: "stop", usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 }, content: [{ type: "text", text: "secret" }], recordOutputs: false });
    expect(end).toEqual({ "llm.model_name": "m-1", "llm.finish_reason": "stop", "llm.token_count.prompt": 3, "llm.token_count.completion": 2, "llm.token_count.total": 5 });
    expect(toolStartAttributes({ toolCall: { toolName: "t", toolCallId: "c1", input: { a: 1 } }, recordInputs: false })).toEqual({ "openinference.span.kind": "TOOL", "tool.name": "t", "tool_call.id": "c1" });
    expect(toolEndAttributes({ toolOutput: { type: "tool-result", output: "x" }, recordOutputs: false })).toEqual({});
  });

  it("a model answer of tool calls only: the output message holds them, output.value their JSON", () => {
    const a = modelCallEndAttributes({
      modelId: "m",
      finishReason: "tool-calls",
      usage: {},
      content: [{ type: "tool-call", toolCallId: "c1", toolName: "lookup", input: { id: 7 } }],
    });
    expect(a).toMatchObject({
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c1",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"id":7}',
      "output.mime_type": "application/json",
    });
    expect(JSON.parse(a["output.value"] as string)).toEqual([{ toolCallId: "c1", toolName: "lookup", input: { id: 7 } }]);
  });

  it("generateObject: the prompt as written, the object as output; its model step answers with the object text", () => {
    expect(callStartAttributes({ operationId: "ai.generateObject", prompt: "Pick a city", system: "Be terse." }, undefined)).toMatchObject({
      "input.mime_type": "application/json",
    });
    expect(callStartAttributes({ operationId: "ai.generateObject", prompt: "Pick a city" }, undefined)["input.value"]).toBe("Pick a city");
    expect(callEndAttributes({ object: { city: "Paris" } })["output.value"]).toBe('{"city":"Paris"}');
    const step = modelCallEndAttributes({ modelId: "m", objectText: '{"city":"Paris"}', response: { modelId: "m-2024" }, finishReason: "stop", usage: { inputTokens: 1, outputTokens: 2 } });
    expect(step).toMatchObject({ "llm.model_name": "m-2024", "llm.output_messages.0.message.content": '{"city":"Paris"}', "llm.token_count.total": 3 });
  });

  it("metadata: the runtime context the SDK let through and the functionId; session and user ids", () => {
    const a = callStartAttributes({ operationId: "ai.streamText", messages: [], runtimeContext: { sessionId: "s1", userId: "u1", tier: "gold" }, functionId: "chat" }, "support");
    expect(JSON.parse(a["metadata"] as string)).toEqual({ sessionId: "s1", userId: "u1", tier: "gold", functionId: "chat" });
    expect(a).toMatchObject({ "session.id": "s1", "user.id": "u1", "openinference.span.kind": "AGENT", "agent.name": "support" });
  });

  it("embeddings: texts, one input or many, tokens; vectors only when asked", () => {
    expect(embedStartAttributes({ modelId: "e", values: ["a", "b"] })).toMatchObject({
      "embedding.model_name": "e",
      "embedding.embeddings.0.embedding.text": "a",
      "embedding.embeddings.1.embedding.text": "b",
      "input.value": '["a","b"]',
    });
    expect(embedStartAttributes({ modelId: "e", values: ["only"] })["input.value"]).toBe("only");
    expect(embedEndAttributes({ usage: { tokens: 4 }, embeddings: [[0.1, 0.2]] }, false)).toEqual({ "llm.token_count.prompt": 4, "llm.token_count.total": 4 });
    expect(embedEndAttributes({ usage: { tokens: 4 }, embeddings: [[0.1, 0.2]] }, true)["embedding.embeddings.0.embedding.vector"]).toEqual([0.1, 0.2]);
  });

  it("knows a ToolLoopAgent's call by the SDK's user-agent mark", () => {
    expect(isAgentCall({ headers: { "user-agent": "ai-sdk-agent/tool-loop ai/7.0.173" } })).toBe(true);
    expect(isAgentCall({ headers: { "user-agent": "ai/7.0.173" } })).toBe(false);
    expect(isAgentCall({})).toBe(false);
  });
});
