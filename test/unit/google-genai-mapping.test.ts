/**
 * The Google GenAI mappers as pure functions: generateContent parameters and GenerateContentResponse
 * objects in the shapes the SDK hands over (Gemini API and Vertex AI), attributes out (recorded on
 * real SDK spans).
 */
import { BasicTracerProvider, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import {
  GenerateContentStreamAccumulator,
  contentMessages,
  embedContentRequest,
  embedContentResponse,
  generateContentRequest,
  generateContentResponse,
  googleErrorAttributes,
  modelId,
  normalizeContents,
  usageCounts,
} from "../../src/integrations/google-genai/mapping";

const tracer = new BasicTracerProvider().getTracer("unit");
function recorded(fn: (span: any) => void): Record<string, unknown> {
  const span = tracer.startSpan("t");
  fn(span);
  return (span as unknown as ReadableSpan).attributes as Record<string, unknown>;
}
/** The Models instance the patched methods run on: its apiClient says which backend. */
const models = (vertexai: boolean) => ({ apiClient: { isVertexAI: () => vertexai } });

describe("contents", () => {
  it("normalises every ContentListUnion shape as the SDK does: strings and parts become one user turn", () => {
    expect(normalizeContents("hi")).toEqual([{ role: "user", parts: ["hi"] }]);
    expect(normalizeContents(["a", { text: "b" }])).toEqual([{ role: "user", parts: ["a", { text: "b" }] }]);
    const turn = { role: "model", parts: [{ text: "x" }] };
    expect(normalizeContents(turn)).toEqual([turn]);
    expect(normalizeContents(["q", turn])).toEqual([{ role: "user", parts: ["q"] }, turn]);
    expect(normalizeContents(undefined)).toEqual([]);
  });

  it("one content becomes messages: text, thoughts, media, code; function calls as tool calls, responses as tool messages", () => {
    const b64 = "B".repeat(300);
    expect(
      contentMessages({
        role: "model",
        parts: [
          { text: "plan", thought: true },
          { text: "Here:" },
          { inlineData: { mimeType: "image/png", data: b64 } },
          { fileData: { mimeType: "application/pdf", fileUri: "gs://b/doc.pdf" } },
          { executableCode: { code: "print(1)", language: "PYTHON" } },
          { codeExecutionResult: { outcome: "OUTCOME_OK", output: "1" } },
          { functionCall: { id: "fc1", name: "lookup", args: { id: 7 } } },
        ],
      }),
    ).toEqual([
      {
        role: "assistant",
        contents: [
          { type: "reasoning", text: "plan" },
          { type: "text", text: "Here:" },
          { type: "image", imageUrl: "data:image/png;base64,[base64 omitted: 300 chars]" },
          { type: "file" },
          { type: "executable_code", text: "print(1)" },
          { type: "code_execution_result", text: "1" },
        ],
        toolCalls: [{ id: "fc1", name: "lookup", arguments: '{"id":7}' }],
      },
    ]);
    expect(contentMessages({ role: "user", parts: [{ functionResponse: { id: "fc1", name: "lookup", response: { ok: true } } }, { functionResponse: { name: "other", response: {} } }] })).toEqual([
      { role: "tool", name: "lookup", toolCallId: "fc1", content: '{"ok":true}' },
      { role: "tool", name: "other", toolCallId: undefined, content: "{}" },
    ]);
    expect(contentMessages({ role: "user", parts: [{ text: "only" }] })).toEqual([{ role: "user", content: "only" }]);
    expect(contentMessages({ parts: [] }, "assistant")).toEqual([{ role: "assistant" }]);
  });

  it("model ids without their resource path", () => {
    expect(modelId("models/gemini-2.5-flash")).toBe("gemini-2.5-flash");
    expect(modelId("projects/p/locations/l/publishers/google/models/gemini-2.0-flash")).toBe("gemini-2.0-flash");
    expect(modelId("tunedModels/123")).toBe("tunedModels/123");
    expect(modelId("gemini-2.5-pro")).toBe("gemini-2.5-pro");
  });
});

describe("generateContent", () => {
  const params = {
    model: "models/gemini-2.5-flash",
    contents: [{ role: "user", parts: [{ text: "Weather?" }] }],
    config: {
      systemInstruction: { parts: [{ text: "be brief" }, { text: "be kind" }] },
      temperature: 0.1,
      tools: [{ functionDeclarations: [{ name: "a" }, { name: "b" }], googleSearch: {} }, { codeExecution: {} }],
      httpOptions: { headers: { "x-goog-api-key": "AIza-secret" } },
      abortSignal: new AbortController().signal,
    },
  };

  it("request: Gemini API names, the system instruction first, parameters without tools or transport, one tool entry per declaration", () => {
    const a = generateContentRequest(params, models(false), false);
    expect(a).toMatchObject({
      "llm.system": "vertexai",
      "llm.provider": "google",
      "gen_ai.system": "gcp.gemini",
      "llm.model_name": "gemini-2.5-flash",
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.contents.0.message_content.text": "be brief",
      "llm.input_messages.0.message.contents.1.message_content.text": "be kind",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "Weather?",
      "llm.tools.0.tool.json_schema": '{"name":"a"}',
      "llm.tools.1.tool.json_schema": '{"name":"b"}',
      "llm.tools.2.tool.json_schema": '{"googleSearch":{}}',
      "llm.tools.3.tool.json_schema": '{"codeExecution":{}}',
    });
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toEqual({ model: "models/gemini-2.5-flash", temperature: 0.1 });
    expect(a["input.value"]).not.toContain("AIza-secret");
    expect(a["input.value"]).not.toContain("abortSignal");
    expect(generateContentRequest(params, models(true), true)).toMatchObject({ "gen_ai.system": "gcp.vertex_ai", "llm.streaming": true });
  });

  it("response: served model, every candidate, finish reason, tokens (thoughts are completion), no HTTP headers in output.value", () => {
    const response = {
      sdkHttpResponse: { headers: { "x-goog-request": "r" } },
      modelVersion: "gemini-2.5-flash-001",
      candidates: [
        { content: { role: "model", parts: [{ text: "one" }] }, finishReason: "STOP", index: 0 },
        { content: { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] }, finishReason: "STOP", index: 1 },
      ],
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60, toolUsePromptTokenCount: 5, candidatesTokenCount: 20, thoughtsTokenCount: 30, totalTokenCount: 155 },
    };
    const a = recorded((span) => generateContentResponse(span, response));
    expect(a).toMatchObject({
      "llm.model_name": "gemini-2.5-flash-001",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "one",
      "llm.output_messages.1.message.tool_calls.0.tool_call.function.name": "f",
      "llm.finish_reason": "STOP",
      "llm.token_count.prompt": 105,
      "llm.token_count.prompt_details.cache_read": 60,
      "llm.token_count.completion": 50,
      "llm.token_count.completion_details.reasoning": 30,
      "llm.token_count.total": 155,
    });
    expect(a["output.value"]).not.toContain("sdkHttpResponse");
  });

  it("a blocked prompt: no candidates, its block reason as the finish reason", () => {
    const a = recorded((span) => generateContentResponse(span, { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 3, totalTokenCount: 3 } }));
    expect(a["llm.finish_reason"]).toBe("SAFETY");
    expect(a["llm.token_count.prompt"]).toBe(3);
  });

  it("audio tokens from the modality details", () => {
    expect(usageCounts({ promptTokenCount: 10, promptTokensDetails: [{ modality: "TEXT", tokenCount: 4 }, { modality: "AUDIO", tokenCount: 6 }], candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 2 }] })).toMatchObject({
      prompt: 10,
      promptAudio: 6,
      completionAudio: 2,
    });
  });

  it("stream: text and thought pieces joined, function calls kept, the last usage and finish reason", () => {
    const acc = new GenerateContentStreamAccumulator(32_000);
    acc.add({ modelVersion: "gemini-2.5-flash", candidates: [{ index: 0, content: { role: "model", parts: [{ text: "Hm", thought: true }] } }], usageMetadata: { promptTokenCount: 5 } });
    acc.add({ candidates: [{ index: 0, content: { role: "model", parts: [{ text: "m.", thought: true }] } }] });
    acc.add({ candidates: [{ index: 0, content: { role: "model", parts: [{ text: "Hel" }] } }] });
    acc.add({ candidates: [{ index: 0, content: { role: "model", parts: [{ text: "lo" }, { functionCall: { id: "c", name: "f", args: { x: 1 } } }] }, finishReason: "STOP" }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 } });
    const a = recorded((span) => acc.finish(span));
    expect(a).toMatchObject({
      "llm.model_name": "gemini-2.5-flash",
      "output.value": "Hello",
      "output.mime_type": "text/plain",
      "llm.output_messages.0.message.contents.0.message_content.type": "reasoning",
      "llm.output_messages.0.message.contents.0.message_content.text": "Hmm.",
      "llm.output_messages.0.message.contents.1.message_content.text": "Hello",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"x":1}',
      "llm.finish_reason": "STOP",
      "llm.token_count.total": 8,
    });
  });

  it("stream: long text is cut at the attribute limit with the truncation marker", () => {
    const acc = new GenerateContentStreamAccumulator(40);
    const text = "0123456789".repeat(10);
    for (let i = 0; i < text.length; i += 7) acc.add({ candidates: [{ content: { parts: [{ text: text.slice(i, i + 7) }] } }] });
    const a = recorded((span) => acc.finish(span));
    for (const key of ["output.value", "llm.output_messages.0.message.content"]) {
      const v = a[key] as string;
      expect(v.length, key).toBeLessThanOrEqual(40);
      expect(v, key).toMatch(/^0123456789012345.*…\[truncated \d+ chars\]$/);
    }
  });
});

describe("embedContent", () => {
  it("request: texts of strings and contents, parameters without transport", () => {
    const a = embedContentRequest({ model: "gemini-embedding-001", contents: ["a", { parts: [{ text: "b" }, { text: "c" }] }], config: { taskType: "RETRIEVAL_QUERY", httpOptions: { headers: { k: "v" } } } }, models(false));
    expect(a).toMatchObject({ "embedding.model_name": "gemini-embedding-001", "embedding.embeddings.0.embedding.text": "a", "embedding.embeddings.1.embedding.text": "bc", "input.mime_type": "application/json" });
    expect(JSON.parse(a["embedding.invocation_parameters"] as string)).toEqual({ model: "gemini-embedding-001", taskType: "RETRIEVAL_QUERY" });
  });

  it("response: tokens from usage metadata or summed from each embedding's statistics; vectors only when asked", () => {
    const vertex = { embeddings: [{ values: [0.1, 0.2], statistics: { tokenCount: 3 } }, { values: [0.3], statistics: { tokenCount: 4 } }] };
    expect(recorded((span) => embedContentResponse(span, vertex, false))).toEqual({ "llm.token_count.prompt": 7, "llm.token_count.total": 7 });
    const withVectors = recorded((span) => embedContentResponse(span, { embeddings: [{ values: [0.5] }], usageMetadata: { promptTokenCount: 2, totalTokenCount: 2 } }, true));
    expect(withVectors).toMatchObject({ "embedding.embeddings.0.embedding.vector": [0.5], "llm.token_count.prompt": 2 });
  });
});

describe("errors", () => {
  it("ApiError: Google's status name from the JSON message; early 1.x errors: the status from the message", () => {
    const body = JSON.stringify({ error: { code: 429, message: "quota", status: "RESOURCE_EXHAUSTED" } });
    expect(googleErrorAttributes(Object.assign(new Error(body), { status: 429 }))).toEqual({ "error.type": "RESOURCE_EXHAUSTED" });
    expect(googleErrorAttributes(new Error(`got status: 503 Service Unavailable. ${JSON.stringify({ error: { code: 503, status: "UNAVAILABLE" } })}`))).toEqual({
      "http.response.status_code": 503,
      "error.type": "UNAVAILABLE",
    });
    expect(googleErrorAttributes(new Error("fetch failed"))).toEqual({});
  });
});
