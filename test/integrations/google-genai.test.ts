/**
 * The Google GenAI integration in process: the real `@google/genai` SDK (3.x ESM and CommonJS,
 * 1.1.0 ESM and CommonJS) against the mock Gemini API / Vertex AI server, spans read from the real
 * OTLP receiver. Expected values come from what the SDK returned or what the mock received.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as G3 from "@google/genai";
// @ts-expect-error the aliased 1.0.0 package has types, but not under this name's path map
import * as G1 from "google-genai-v1";
import { startTracing, llmSpans, type Tracing } from "./openai/tracing";
import { DEFAULT_PRICES } from "../../src/transforms/prices";
import { ROOT } from "../helpers/run";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockGoogle } from "../../fixtures/mock-providers/google.mjs";

const require = createRequire(import.meta.url);
const G3cjs = require("@google/genai");
const G1cjs = require("google-genai-v1");

let mock: any;
let t: Tracing;

beforeAll(async () => {
  mock = await startMockGoogle();
  t = await startTracing({ googleGenai: G3 });
  const { instrumentGoogleGenAI } = await import("../../dist/subpaths/google-genai.js");
  for (const m of [G1, G3cjs, G1cjs]) expect(instrumentGoogleGenAI(m)?.patched).toBe(true);
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

const spansAfter = (fn: () => Promise<unknown>, count = 1) => t.spansAfter(fn, count);
const embeddingSpans = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "EMBEDDING");
const API_KEY = "AIzaSyA-test-key-0123456789abcdefghijkl";
const tools = [{ functionDeclarations: [{ name: "get_weather", description: "Weather for a city", parameters: { type: "OBJECT", properties: { city: { type: "STRING" } }, required: ["city"] } }] }];

function costOf(model: string, a: Record<string, any>): number {
  const p = DEFAULT_PRICES[model]!;
  const cached = a["llm.token_count.prompt_details.cache_read"] ?? 0;
  const prompt = (a["llm.token_count.prompt"] - cached) * p.input + cached * (p.cacheRead ?? p.input);
  return (prompt + a["llm.token_count.completion"] * p.output) / 1e6;
}

const variants = [
  ["3.x esm", G3, "@google/genai"],
  ["3.x cjs", G3cjs, "@google/genai"],
  ["1.1 esm", G1, "google-genai-v1"],
  ["1.1 cjs", G1cjs, "google-genai-v1"],
] as const;

describe.each(variants)("@google/genai %s", (_name, G: any, sdkDir) => {
  const client = (extra: Record<string, unknown> = {}) => new G.GoogleGenAI({ apiKey: API_KEY, httpOptions: { baseUrl: mock.url }, ...extra });

  it("generateContent (JSON): system instruction, messages, parameters, served model, tokens, cost", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().models.generateContent({
        model: "models/gemini-2.5-flash",
        contents: "hello",
        config: { systemInstruction: "be brief", temperature: 0.2, maxOutputTokens: 100 },
      });
    });
    expect(result).toBeInstanceOf(G.GenerateContentResponse);
    expect(result.text).toBe("Echo: hello");
    const [s] = llmSpans(spans);
    expect(s!.name).toBe("Google GenAI Generate Content");
    expect(s!.attributes).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.system": "vertexai",
      "llm.provider": "google",
      "gen_ai.system": "gcp.gemini",
      "llm.model_name": result.modelVersion,
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "hello",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Echo: hello",
      "llm.finish_reason": result.candidates[0].finishReason,
      "llm.token_count.prompt": result.usageMetadata.promptTokenCount,
      "llm.token_count.completion": result.usageMetadata.candidatesTokenCount,
      "llm.token_count.total": result.usageMetadata.totalTokenCount,
      "input.mime_type": "application/json",
      "output.mime_type": "application/json",
    });
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ model: "models/gemini-2.5-flash", temperature: 0.2, maxOutputTokens: 100 });
    expect(JSON.parse(s!.attributes["output.value"]).responseId).toBe(result.responseId);
    expect(s!.attributes["output.value"]).not.toContain("sdkHttpResponse");
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo(costOf("gemini-2.5-flash", s!.attributes), 12);
    expect(s!.status.code).toBe(1);
  });

  it("function declarations, a function call, then its response as a tool message", async () => {
    let first: any;
    const spans = await spansAfter(async () => {
      first = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "Weather in Paris?", config: { tools } });
    });
    const call = first.functionCalls[0];
    const a = llmSpans(spans)[0]!.attributes;
    expect(JSON.parse(a["llm.tools.0.tool.json_schema"])).toEqual(tools[0]!.functionDeclarations[0]);
    expect(a["llm.invocation_parameters"]).not.toContain("get_weather");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(call.id);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual(call.args);
    expect(a["tool.name"]).toBeUndefined();

    const spans2 = await spansAfter(() =>
      client().models.generateContent({
        model: "gemini-2.5-flash",
        contents: [
          { role: "user", parts: [{ text: "Weather in Paris?" }] },
          first.candidates[0].content,
          { role: "user", parts: [{ functionResponse: { id: call.id, name: call.name, response: { forecast: "sunny" } } }] },
        ],
        config: { tools },
      }),
    );
    const b = llmSpans(spans2)[0]!.attributes;
    expect(b["llm.input_messages.1.message.role"]).toBe("assistant");
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(b["llm.input_messages.2.message.role"]).toBe("tool");
    expect(b["llm.input_messages.2.message.tool_call_id"]).toBe(call.id);
    expect(b["llm.input_messages.2.message.name"]).toBe("get_weather");
    expect(JSON.parse(b["llm.input_messages.2.message.content"])).toEqual({ forecast: "sunny" });
    expect(b["llm.output_messages.0.message.content"]).toBe('Done: {"forecast":"sunny"}');
  });

  it("generateContentStream: the SDK's chunks unchanged, the answer and thoughts rebuilt, usage from the last chunk", async () => {
    const chunks: any[] = [];
    const spans = await spansAfter(async () => {
      const stream = await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "stream me", config: { thinkingConfig: { includeThoughts: true } } });
      for await (const c of stream) chunks.push(c);
    });
    expect(chunks.every((c) => c instanceof G.GenerateContentResponse)).toBe(true);
    const text = chunks.map((c) => c.text ?? "").join("");
    expect(text).toBe("Echo: stream me");
    const last = chunks.at(-1);
    const a = llmSpans(spans)[0]!.attributes;
    expect(a).toMatchObject({
      "llm.streaming": true,
      "output.value": text,
      "output.mime_type": "text/plain",
      "llm.model_name": last.modelVersion,
      "llm.finish_reason": last.candidates[0].finishReason,
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.contents.0.message_content.type": "reasoning",
      "llm.output_messages.0.message.contents.0.message_content.text": "Thinking it over.",
      "llm.output_messages.0.message.contents.1.message_content.type": "text",
      "llm.output_messages.0.message.contents.1.message_content.text": text,
      "llm.token_count.prompt": last.usageMetadata.promptTokenCount,
      "llm.token_count.completion": last.usageMetadata.candidatesTokenCount + last.usageMetadata.thoughtsTokenCount,
      "llm.token_count.completion_details.reasoning": last.usageMetadata.thoughtsTokenCount,
      "llm.token_count.total": last.usageMetadata.totalTokenCount,
    });
  });

  it("a stream the app leaves early ends its span with what was seen", async () => {
    const spans = await spansAfter(async () => {
      const stream = await client().models.generateContentStream({ model: "gemini-2.5-flash", contents: "a long answer to stop early" });
      for await (const c of stream) {
        void c;
        break;
      }
    });
    const s = llmSpans(spans)[0]!;
    expect(s.events.map((e) => e.name)).toContain("stream.closed_early");
    expect(s.attributes["output.value"]).toBe("Echo: a ");
    expect(s.status.code).toBe(1);
  });

  it("chats: one span per message, the history as input, the session's own history kept", async () => {
    const chat = client().chats.create({ model: "gemini-2.5-flash", config: { temperature: 0.5 } });
    const spans = await spansAfter(async () => {
      await chat.sendMessage({ message: "first" });
      let text = "";
      for await (const c of await chat.sendMessageStream({ message: "second" })) text += c.text ?? "";
      expect(text).toBe("Echo: second");
    }, 2);
    const history = chat.getHistory(true);
    expect(history.map((c: any) => c.role)).toEqual(["user", "model", "user", ...history.slice(3).map(() => "model")]);
    const [one, two] = llmSpans(spans).sort((x, y) => Number(x.attributes["llm.streaming"]) - Number(y.attributes["llm.streaming"]));
    expect(one!.attributes["llm.input_messages.0.message.content"]).toBe("first");
    expect(one!.attributes["llm.output_messages.0.message.content"]).toBe("Echo: first");
    expect(JSON.parse(one!.attributes["llm.invocation_parameters"]).temperature).toBe(0.5);
    expect(two!.attributes).toMatchObject({
      "llm.streaming": true,
      "llm.input_messages.0.message.content": "first",
      "llm.input_messages.1.message.role": "assistant",
      "llm.input_messages.1.message.content": "Echo: first",
      "llm.input_messages.2.message.content": "second",
      "output.value": "Echo: second",
    });
  });

  it("automatic function calling: one span per model call the SDK makes", async () => {
    const calls: any[] = [];
    const weather = {
      tool: async () => tools[0],
      callTool: async (functionCalls: any[]) => {
        calls.push(...functionCalls);
        return functionCalls.map((fc) => ({ functionResponse: { id: fc.id, name: fc.name, response: { forecast: "rain" } } }));
      },
    };
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().models.generateContent({ model: "gemini-2.5-flash", contents: "Weather in Oslo?", config: { tools: [weather] } });
    }, 2);
    expect(calls).toHaveLength(1);
    expect(result.text).toBe('Done: {"forecast":"rain"}');
    const l = llmSpans(spans);
    expect(l).toHaveLength(2);
    const [ask, answer] = l.sort((x, y) => Object.keys(x.attributes).filter((k) => k.startsWith("llm.input_messages.")).length - Object.keys(y.attributes).filter((k) => k.startsWith("llm.input_messages.")).length);
    expect(ask!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(ask!.attributes["llm.tools.0.tool.json_schema"]).name).toBe("get_weather");
    expect(answer!.attributes["llm.input_messages.2.message.role"]).toBe("tool");
    expect(answer!.attributes["llm.output_messages.0.message.content"]).toBe(result.text);
  });

  it("embedContent: an EMBEDDING span with the texts and the model", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().models.embedContent({ model: "gemini-embedding-001", contents: ["vector me", "and me"], config: { outputDimensionality: 8 } });
    });
    expect(result.embeddings).toHaveLength(2);
    const [s] = embeddingSpans(spans);
    expect(s!.name).toBe("Google GenAI Embed Content");
    expect(s!.attributes).toMatchObject({
      "embedding.model_name": "gemini-embedding-001",
      "embedding.embeddings.0.embedding.text": "vector me",
      "embedding.embeddings.1.embedding.text": "and me",
      "llm.provider": "google",
    });
    expect(JSON.parse(s!.attributes["embedding.invocation_parameters"])).toEqual({ model: "gemini-embedding-001", outputDimensionality: 8 });
    expect(s!.attributes["embedding.embeddings.0.embedding.vector"]).toBeUndefined();
  });

  it("Vertex AI with a project, a location and an OAuth token: the Vertex path, gcp.vertex_ai, the served model, tokens from the embeddings' statistics", async () => {
    // the google-auth-library this copy of the SDK uses
    const { OAuth2Client } = createRequire(path.join(ROOT, "node_modules", sdkDir, "package.json"))("google-auth-library");
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: "ya29.test-token", expiry_date: Date.now() + 3_600_000 });
    const vertex = new G.GoogleGenAI({ vertexai: true, project: "my-project", location: "us-central1", googleAuthOptions: { authClient }, httpOptions: { baseUrl: mock.url } });
    let result: any;
    const spans = await spansAfter(async () => {
      result = await vertex.models.generateContent({ model: "gemini-2.0-flash", contents: "hello vertex" });
    });
    const req = mock.requests.at(-1);
    expect(req.path).toMatch(/^\/v1beta1\/projects\/my-project\/locations\/us-central1\/publishers\/google\/models\/gemini-2\.0-flash:generateContent$/);
    expect(req.headers.authorization).toBe("Bearer ya29.test-token");
    const a = llmSpans(spans)[0]!.attributes;
    expect(a).toMatchObject({ "gen_ai.system": "gcp.vertex_ai", "llm.provider": "google", "llm.system": "vertexai", "llm.model_name": result.modelVersion });
    expect(result.modelVersion).toBe("gemini-2.0-flash-001");
    expect(a["llm.cost.total"]).toBeCloseTo(costOf("gemini-2.0-flash-001", a), 12);
    expect(JSON.stringify(a)).not.toContain("ya29.test-token");

    const embedded = await spansAfter(() => vertex.models.embedContent({ model: "text-embedding-005", contents: ["one two three", "four"] }));
    const e = embeddingSpans(embedded)[0]!.attributes;
    expect(mock.requests.at(-1).path).toMatch(/text-embedding-005:predict$/);
    expect(e["llm.token_count.prompt"]).toBe(mock.requests.at(-1).body.instances.reduce((n: number, i: any) => n + Math.ceil(i.content.length / 4), 0));
  });

  it("errors: the SDK's own error reaches the app; the span has the HTTP status and Google's status name", async () => {
    let caught: any;
    const spans = await spansAfter(async () => {
      await client()
        .models.generateContent({ model: "error-429", contents: "x" })
        .catch((e: unknown) => (caught = e));
    });
    expect(caught).toBeInstanceOf(Error);
    expect(caught.constructor.name).toBe(G.ApiError ? "ApiError" : "ClientError");
    const s = llmSpans(spans)[0]!;
    expect(s.status.code).toBe(2);
    expect(s.status.message).toBe(caught.message);
    expect(s.attributes["http.response.status_code"]).toBe(429);
    expect(s.attributes["error.type"]).toBe("RESOURCE_EXHAUSTED");
  });

  it("cached content: cache-read tokens and their cheaper price", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().models.generateContent({ model: "gemini-2.5-pro", contents: "summarise the cached document", config: { cachedContent: "cachedContents/doc-1" } });
    });
    const a = llmSpans(spans)[0]!.attributes;
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(result.usageMetadata.cachedContentTokenCount);
    expect(a["llm.token_count.prompt"]).toBe(result.usageMetadata.promptTokenCount);
    expect(a["llm.cost.prompt_details.cache_read"]).toBeCloseTo((result.usageMetadata.cachedContentTokenCount * DEFAULT_PRICES["gemini-2.5-pro"]!.cacheRead!) / 1e6, 12);
    expect(a["llm.cost.total"]).toBeCloseTo(costOf("gemini-2.5-pro", a), 12);
  });

  it("no secret leaves the process: the API key and request headers stay out of the span", async () => {
    const spans = await spansAfter(() =>
      client().models.generateContent({ model: "gemini-2.5-flash", contents: "private", config: { httpOptions: { headers: { "x-goog-api-key": API_KEY, "x-custom-auth": "Bearer s3cr3t-value" } } } }),
    );
    const all = JSON.stringify(llmSpans(spans)[0]!.attributes);
    expect(mock.requests.at(-1).headers["x-custom-auth"]).toBe("Bearer s3cr3t-value");
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain("s3cr3t-value");
    expect(all).not.toContain("httpOptions");
  });
});

describe("@google/genai: what is patched", () => {
  it("the Models prototype's request methods, once, in every copy", () => {
    for (const G of [G3, G3cjs, G1, G1cjs] as any[]) {
      for (const name of ["generateContentInternal", "generateContentStreamInternal"]) expect(G.Models.prototype[name][Symbol.for("@inference/tracing.patched")], name).toBeTypeOf("function");
    }
    expect(G3.Models.prototype.embedContentInternal[Symbol.for("@inference/tracing.patched")]).toBeTypeOf("function");
    expect(path.basename(require.resolve("@google/genai"))).toBe("index.cjs");
  });
});
