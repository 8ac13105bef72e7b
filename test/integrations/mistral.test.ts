/**
 * The Mistral integration in process: the real `@mistralai/mistralai` SDK (2.x, an ES module, and
 * 1.0.3, CommonJS only) against the mock Mistral server, spans read from the real OTLP receiver.
 * Expected values come from what the SDK returned or what the mock received.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as M2 from "@mistralai/mistralai";
import * as z from "zod";
import { startTracing, llmSpans, type Tracing } from "./openai/tracing";
import { DEFAULT_PRICES } from "../../src/transforms/prices";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockMistral, AGENT_MODEL } from "../../fixtures/mock-providers/mistral.mjs";

const require = createRequire(import.meta.url);
const M1 = require("mistralai-v1");

let mock: any;
let t: Tracing;

beforeAll(async () => {
  mock = await startMockMistral();
  t = await startTracing({ mistral: M2 });
  const { instrumentMistral } = await import("../../dist/subpaths/mistral.js");
  expect(instrumentMistral(M1)?.patched).toBe(true);
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

const spansAfter = (fn: () => Promise<unknown>, count = 1) => t.spansAfter(fn, count);
const embeddingSpans = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "EMBEDDING");
const API_KEY = "mistral-test-key-0123456789";
const tools = [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];

function costOf(model: string, a: Record<string, any>): number {
  const p = DEFAULT_PRICES[model]!;
  const cached = a["llm.token_count.prompt_details.cache_read"] ?? 0;
  return ((a["llm.token_count.prompt"] - cached) * p.input + cached * (p.cacheRead ?? p.input) + a["llm.token_count.completion"] * p.output) / 1e6;
}

const variants = [
  ["2.x (ESM)", M2],
  ["1.0 (CommonJS)", M1],
] as const;

describe.each(variants)("@mistralai/mistralai %s", (name, M: any) => {
  const client = () => new M.Mistral({ apiKey: API_KEY, serverURL: mock.url });

  it("chat.complete (JSON): messages, parameters, served model, tokens, cost", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().chat.complete({
        model: "mistral-small-latest",
        temperature: 0.2,
        maxTokens: 64,
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello" },
        ],
      });
    });
    expect(result.choices[0].message.content).toBe("Echo: hello");
    const [s] = llmSpans(spans);
    expect(s!.name).toBe("Mistral Chat Completions");
    expect(s!.attributes).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.system": "mistralai",
      "llm.provider": "mistralai",
      "gen_ai.system": "mistral_ai",
      "llm.model_name": result.model,
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "hello",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Echo: hello",
      "llm.finish_reason": result.choices[0].finishReason,
      "llm.token_count.prompt": result.usage.promptTokens,
      "llm.token_count.completion": result.usage.completionTokens,
      "llm.token_count.total": result.usage.totalTokens,
    });
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ model: "mistral-small-latest", temperature: 0.2, maxTokens: 64 });
    expect(JSON.parse(s!.attributes["output.value"]).id).toBe(result.id);
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo(costOf("mistral-small", s!.attributes), 12);
    expect(JSON.stringify(s!.attributes)).not.toContain(API_KEY);
    expect(s!.status.code).toBe(1);
  });

  it("tools, a tool call, then its result as a tool message", async () => {
    let first: any;
    const spans = await spansAfter(async () => {
      first = await client().chat.complete({ model: "mistral-large-latest", tools, messages: [{ role: "user", content: "Weather in Paris?" }] });
    });
    const call = first.choices[0].message.toolCalls[0];
    const a = llmSpans(spans)[0]!.attributes;
    expect(a["llm.tools.0.tool.json_schema"]).toBe(JSON.stringify(tools[0]));
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(call.id);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"]).toBe(call.function.arguments);
    expect(a["llm.finish_reason"]).toBe("tool_calls");
    expect(a["llm.invocation_parameters"]).not.toContain("get_weather");

    const spans2 = await spansAfter(() =>
      client().chat.complete({
        model: "mistral-large-latest",
        tools,
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: "", toolCalls: [call] },
          { role: "tool", toolCallId: call.id, name: "get_weather", content: "sunny" },
        ],
      }),
    );
    const b = llmSpans(spans2)[0]!.attributes;
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.id"]).toBe(call.id);
    expect(b["llm.input_messages.2.message.role"]).toBe("tool");
    expect(b["llm.input_messages.2.message.tool_call_id"]).toBe(call.id);
    expect(b["llm.input_messages.2.message.name"]).toBe("get_weather");
    expect(b["llm.input_messages.2.message.content"]).toBe("sunny");
    expect(b["llm.output_messages.0.message.content"]).toBe("Done: sunny");
  });

  it("chat.stream: the SDK's events unchanged, the answer rebuilt, usage from the last chunk", async () => {
    const events: any[] = [];
    const spans = await spansAfter(async () => {
      const stream = await client().chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: "stream me please" }] });
      for await (const e of stream) events.push(e);
    });
    const text = events.map((e) => e.data.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("Echo: stream me please");
    const last = events.at(-1).data;
    const a = llmSpans(spans)[0]!.attributes;
    expect(a).toMatchObject({
      "llm.streaming": true,
      "output.value": text,
      "output.mime_type": "text/plain",
      "llm.model_name": last.model,
      "llm.output_messages.0.message.content": text,
      "llm.finish_reason": last.choices[0].finishReason,
      "llm.token_count.prompt": last.usage.promptTokens,
      "llm.token_count.total": last.usage.totalTokens,
    });
  });

  it("chat.stream with a tool call: the call rebuilt from its delta", async () => {
    const calls: any[] = [];
    const spans = await spansAfter(async () => {
      const stream = await client().chat.stream({ model: "mistral-small-latest", tools, messages: [{ role: "user", content: "Weather in Rome?" }] });
      for await (const e of stream) calls.push(...(e.data.choices[0]?.delta?.toolCalls ?? []));
    });
    expect(calls).toHaveLength(1);
    const a = llmSpans(spans)[0]!.attributes;
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(calls[0].id);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"]).toBe(calls[0].function.arguments);
    expect(a["llm.output_messages.0.message.content"]).toBe("");
    expect(a["llm.finish_reason"]).toBe("tool_calls");
  });

  it("a stream the app leaves early ends its span with what was seen", async () => {
    const spans = await spansAfter(async () => {
      const stream = await client().chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: "a long answer" }] });
      let n = 0;
      for await (const e of stream) {
        void e;
        if (++n === 2) break;
      }
    });
    const s = llmSpans(spans)[0]!;
    expect(s.events.map((e) => e.name)).toContain("stream.closed_early");
    expect(s.attributes["output.value"]).toBe("Echo: ");
    expect(s.status.code).toBe(1);
  });

  it("fim.complete: the prompt and suffix as input, the filled-in code as output", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().fim.complete({ model: "codestral-latest", prompt: "def add(a, b):", suffix: "    return result", temperature: 0 });
    });
    const [s] = llmSpans(spans);
    expect(s!.name).toBe("Mistral FIM Completions");
    expect(s!.attributes).toMatchObject({
      "llm.prompts": ["def add(a, b):"],
      "llm.model_name": result.model,
      "llm.output_messages.0.message.content": result.choices[0].message.content,
      "input.mime_type": "application/json",
    });
    expect(JSON.parse(s!.attributes["input.value"])).toEqual({ prompt: "def add(a, b):", suffix: "    return result" });
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ model: "codestral-latest", temperature: 0 });
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo(costOf("codestral", s!.attributes), 12);
  });

  it("embeddings.create: an EMBEDDING span with the texts, the model and the tokens", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().embeddings.create({ model: "mistral-embed", inputs: ["vector me", "and me"] });
    });
    const [s] = embeddingSpans(spans);
    expect(s!.name).toBe("Mistral Embeddings");
    expect(s!.attributes).toMatchObject({
      "embedding.model_name": result.model,
      "embedding.embeddings.0.embedding.text": "vector me",
      "embedding.embeddings.1.embedding.text": "and me",
      "llm.token_count.prompt": result.usage.promptTokens,
    });
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo((result.usage.promptTokens * DEFAULT_PRICES["mistral-embed"]!.input) / 1e6, 12);
  });

  it("agents.complete: the agent's served model, the agent id among the parameters", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().agents.complete({ agentId: "ag_weather", messages: [{ role: "user", content: "hello agent" }] });
    });
    expect(result.model).toBe(AGENT_MODEL);
    const [s] = llmSpans(spans);
    expect(s!.name).toBe("Mistral Agents Completions");
    expect(s!.attributes["llm.model_name"]).toBe(AGENT_MODEL);
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"]).agentId).toBe("ag_weather");
    expect(s!.attributes["llm.output_messages.0.message.content"]).toBe("Echo: hello agent");
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo(costOf(AGENT_MODEL, s!.attributes), 12);
  });

  it("errors: the SDK's own error reaches the app; the span has the status and Mistral's error type", async () => {
    for (const [model, status] of [
      ["error-429", 429],
      ["error-422", 422],
    ] as const) {
      let caught: any;
      const spans = await spansAfter(() => client().chat.complete({ model, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => (caught = e)));
      expect(caught.constructor.name).toBe(status === 422 ? "HTTPValidationError" : "SDKError");
      const s = llmSpans(spans)[0]!;
      expect(s.status.code).toBe(2);
      expect(s.status.message).toBe(caught.message);
      expect(s.attributes["http.response.status_code"]).toBe(status);
      if (status === 429) expect(s.attributes["error.type"]).toBe("rate_limit_exceeded");
    }
  });

  it.runIf(name.startsWith("2"))("prompt caching: cached prompt tokens and their price", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().chat.complete({ model: "mistral-medium-latest", promptCacheKey: "session-42", messages: [{ role: "user", content: "a long shared prefix" }] });
    });
    const a = llmSpans(spans)[0]!.attributes;
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(result.usage.prompt_tokens_details.cached_tokens);
    expect(a["llm.cost.total"]).toBeCloseTo(costOf("mistral-medium", a), 12);
  });

  it.runIf(name.startsWith("2"))("chat.parse (structured output): one span, the schema recorded by kind, the parsed answer untouched", async () => {
    const Weather = z.object({ city: z.string(), celsius: z.number() });
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().chat.parse({ model: "mistral-small-latest", messages: [{ role: "user", content: "weather as JSON" }], responseFormat: Weather });
    });
    expect(result.choices[0].message.parsed).toEqual(JSON.parse(result.choices[0].message.content));
    const l = llmSpans(spans);
    expect(l).toHaveLength(1);
    expect(JSON.parse(l[0]!.attributes["llm.invocation_parameters"]).responseFormat).toEqual({ type: "json_schema" });
    expect(l[0]!.attributes["llm.output_messages.0.message.content"]).toBe(result.choices[0].message.content);
  });

  it.runIf(name.startsWith("2"))("a web-stream consumer: getReader() is observed; pipeTo() ends the span as unobserved", async () => {
    let text = "";
    const read = await spansAfter(async () => {
      const stream = await client().chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: "read me" }] });
      const reader = stream.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value.data.choices[0]?.delta?.content ?? "";
    });
    expect(text).toBe("Echo: read me");
    expect(llmSpans(read)[0]!.attributes["output.value"]).toBe(text);

    const seen: any[] = [];
    const piped = await spansAfter(async () => {
      const stream = await client().chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: "pipe me" }] });
      await stream.pipeTo(new WritableStream({ write: (e) => void seen.push(e) }));
    });
    expect(seen.map((e) => e.data.choices[0]?.delta?.content ?? "").join("")).toBe("Echo: pipe me");
    const s = llmSpans(piped)[0]!;
    expect(s.events.map((e) => e.name)).toContain("stream.unobserved");
    expect(s.status.code).toBe(1);
  });
});

describe("@mistralai/mistralai: what is patched", () => {
  it("the resource classes the client's getters make, once per class", async () => {
    const a = new M2.Mistral({ apiKey: API_KEY, serverURL: mock.url });
    const b = new M2.Mistral({ apiKey: API_KEY, serverURL: mock.url });
    for (const r of ["chat", "fim", "agents", "embeddings"] as const) expect(Object.getPrototypeOf((a as any)[r])).toBe(Object.getPrototypeOf((b as any)[r]));
    const chatProto = Object.getPrototypeOf(a.chat);
    for (const m of ["complete", "stream", "parse", "parseStream"]) expect(chatProto[m][Symbol.for("@inference/tracing.patched")], m).toBeTypeOf("function");
    expect(Object.getPrototypeOf(a.embeddings).create[Symbol.for("@inference/tracing.patched")]).toBeTypeOf("function");
    // the client's own properties are the SDK's: nothing of ours on the instance
    expect(Object.keys(a)).toEqual(Object.keys(new M2.Mistral({ apiKey: API_KEY, serverURL: mock.url })));
  });
});
