/**
 * The OpenAI integration in process: the real `openai` SDK (v7 ESM, v7 CJS, v5 ESM, v5 CJS)
 * against the mock OpenAI server, spans read from the real OTLP receiver.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI7 from "openai";
import OpenAI5 from "openai-v5";
import { startTracing, type Tracing } from "./openai/tracing";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const require = createRequire(import.meta.url);
const OpenAI7cjs = require("openai").default ?? require("openai");
const OpenAI5cjs = require("openai-v5").default ?? require("openai-v5");

let mock: any;
let t: Tracing;
let api: typeof import("../../dist/index.js");
let tracing: any;
let receiver: Tracing["receiver"];

beforeAll(async () => {
  mock = await startMockOpenAI();
  t = await startTracing({ openai: OpenAI7 });
  api = t.api;
  tracing = t.handle;
  receiver = t.receiver;
  const { instrumentOpenAI } = await import("../../dist/subpaths/openai.js");
  instrumentOpenAI(OpenAI5);
  instrumentOpenAI(require("openai"));
  instrumentOpenAI(require("openai-v5"));
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

const spansAfter = (fn: () => Promise<unknown>, count = 1) => t.spansAfter(fn, count);
const llm = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");

const variants = [
  ["v7 esm", OpenAI7],
  ["v7 cjs", OpenAI7cjs],
  ["v5 esm", OpenAI5],
  ["v5 cjs", OpenAI5cjs],
] as const;

describe.each(variants)("openai %s", (_name, OpenAI: any) => {
  const client = () => new OpenAI({ apiKey: "sk-test", baseURL: mock.baseURL, maxRetries: 0 });

  it("chat.completions.create (JSON) records the full LLM span", async () => {
    let result: any;
    const spans = await spansAfter(async () => {
      result = await client().chat.completions.create({
        model: "gpt-4o-mini",
        temperature: 0.2,
        messages: [
          { role: "system", content: "be brief" },
          { role: "user", content: "hello" },
        ],
      });
    });
    expect(result.choices[0].message.content).toBe("Echo: hello");
    const [s] = llm(spans);
    expect(s!.name).toBe("OpenAI Chat Completions");
    expect(s!.attributes).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.system": "openai",
      "llm.provider": "127.0.0.1",
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "hello",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Echo: hello",
      "llm.finish_reason": "stop",
      "input.mime_type": "application/json",
      "output.mime_type": "application/json",
    });
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ model: "gpt-4o-mini", temperature: 0.2 });
    expect(JSON.parse(s!.attributes["output.value"]).id).toBe(result.id);
    expect(s!.attributes["llm.token_count.total"]).toBe(result.usage.total_tokens);
    expect(s!.attributes["llm.token_count.prompt"]).toBe(result.usage.prompt_tokens);
    expect(s!.status.code).toBe(1);
  });

  it("tools, tool_calls in input and output, multimodal parts with base64 replaced, n > 1", async () => {
    const tools = [{ type: "function", function: { name: "lookup_order", parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } } }];
    const b64 = "A".repeat(5000);
    let first: any;
    const spans = await spansAfter(async () => {
      first = await client().chat.completions.create({
        model: "gpt-4o-mini",
        n: 2,
        tools,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
              { type: "image_url", image_url: { url: `data:image/png;base64,${b64}` } },
            ],
          },
        ],
      });
    });
    expect(first.choices).toHaveLength(2);
    const [s] = llm(spans);
    const a = s!.attributes;
    expect(a["llm.tools.0.tool.json_schema"]).toBe(JSON.stringify(tools[0]));
    expect(a["llm.input_messages.0.message.contents.0.message_content.type"]).toBe("text");
    expect(a["llm.input_messages.0.message.contents.0.message_content.text"]).toBe("what is this?");
    expect(a["llm.input_messages.0.message.contents.1.message_content.image.image.url"]).toBe("https://example.com/cat.png");
    expect(a["llm.input_messages.0.message.contents.2.message_content.image.image.url"]).toBe("data:image/png;base64,[base64 omitted: 5000 chars]");
    expect(a["input.value"]).not.toContain(b64);
    expect(a["input.value"].length).toBeLessThan(2000);
    const call = first.choices[0].message.tool_calls[0];
    for (const i of [0, 1]) {
      expect(a[`llm.output_messages.${i}.message.tool_calls.0.tool_call.id`]).toBe(call.id);
      expect(a[`llm.output_messages.${i}.message.tool_calls.0.tool_call.function.name`]).toBe("lookup_order");
      expect(a[`llm.output_messages.${i}.message.tool_calls.0.tool_call.function.arguments`]).toBe(call.function.arguments);
    }
    expect(a["llm.finish_reason"]).toBe("tool_calls");
    // the tool asked for lives in the output message's tool calls; tool.name belongs to TOOL spans
    expect(a["tool.name"]).toBeUndefined();
    expect(a["tool_call.id"]).toBeUndefined();
    expect(a["llm.invocation_parameters"]).not.toContain("lookup_order");

    // second turn: the assistant tool call and the tool result are input messages
    const spans2 = await spansAfter(() =>
      client().chat.completions.create({
        model: "gpt-4o-mini",
        tools,
        messages: [
          { role: "user", content: "where is my order?" },
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call.id, content: "shipped" },
        ],
      }),
    );
    const b = llm(spans2)[0]!.attributes;
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.id"]).toBe(call.id);
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.function.name"]).toBe("lookup_order");
    expect(b["llm.input_messages.2.message.role"]).toBe("tool");
    expect(b["llm.input_messages.2.message.tool_call_id"]).toBe(call.id);
    expect(b["llm.input_messages.2.message.content"]).toBe("shipped");
    expect(b["llm.output_messages.0.message.content"]).toBe("Done: shipped");
  });

  it("records a refusal as the output message content", async () => {
    mock.script.push((_b: any, _r: any, res: any) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "chatcmpl_r", object: "chat.completion", created: 1, model: "gpt-4o", choices: [{ index: 0, message: { role: "assistant", content: null, refusal: "I can't help with that." }, finish_reason: "stop" }] }));
    });
    const spans = await spansAfter(() => client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }));
    expect(llm(spans)[0]!.attributes["llm.output_messages.0.message.content"]).toBe("I can't help with that.");
  });

  it("streams without include_usage: same chunks, nothing injected, output rebuilt", async () => {
    let chunks: any[] = [];
    const spans = await spansAfter(async () => {
      const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "stream me please" }] });
      for await (const c of stream) chunks.push(c);
    });
    expect(mock.requests.at(-1).body.stream_options).toBeUndefined();
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Echo: stream me please");
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.streaming"]).toBe(true);
    expect(a["output.value"]).toBe("Echo: stream me please");
    expect(a["output.mime_type"]).toBe("text/plain");
    expect(a["llm.output_messages.0.message.content"]).toBe("Echo: stream me please");
    expect(a["llm.finish_reason"]).toBe("stop");
    // no usage from the provider: counted with the model's tokenizer at export time, and marked so
    expect(a["llm.token_count.estimated"]).toBe(true);
    expect(a["llm.token_count.total"]).toBe((a["llm.token_count.prompt"] as number) + (a["llm.token_count.completion"] as number));
  });

  it("streams with include_usage asked by the app: the usage chunk reaches the app and the span", async () => {
    let last: any;
    const spans = await spansAfter(async () => {
      const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "u" }] });
      for await (const c of stream) last = c;
    });
    expect(last.choices).toEqual([]);
    expect(last.usage.total_tokens).toBeGreaterThan(0);
    expect(llm(spans)[0]!.attributes["llm.token_count.total"]).toBe(last.usage.total_tokens);
  });

  it("streams tool calls and rebuilds their arguments", async () => {
    const spans = await spansAfter(async () => {
      const stream = await client().chat.completions.create({
        model: "gpt-4o-mini",
        stream: true,
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        messages: [{ role: "user", content: "weather?" }],
      });
      for await (const _ of stream) void _;
    });
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "sample city" });
    expect(a["llm.finish_reason"]).toBe("tool_calls");
  });

  it("early break stops the request and ends the span with what was seen", async () => {
    mock.chunkDelayMs = 20;
    let seen = 0;
    try {
      const spans = await spansAfter(async () => {
        const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "a long answer that arrives in many chunks" }] });
        for await (const _ of stream) {
          if (++seen === 3) break;
        }
        expect(stream.controller.signal.aborted).toBe(true);
      });
      const s = llm(spans)[0]!;
      expect(s.attributes["output.value"]).toBe("Echo: a long ans");
      expect(s.events.map((e) => e.name)).toContain("stream.closed_early");
    } finally {
      mock.chunkDelayMs = 0;
    }
  });

  it("controller.abort() ends the span; tee() and toReadableStream() keep working", async () => {
    mock.chunkDelayMs = 10;
    try {
      const spans = await spansAfter(async () => {
        const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "abort me soon please" }] });
        let n = 0;
        for await (const _ of stream) {
          if (++n === 2) stream.controller.abort();
        }
      });
      expect(llm(spans)).toHaveLength(1);
    } finally {
      mock.chunkDelayMs = 0;
    }
    const spans = await spansAfter(async () => {
      const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "tee" }] });
      const [left, right] = stream.tee();
      const l: string[] = [];
      const r: string[] = [];
      for await (const c of left) l.push(c.choices[0]?.delta?.content ?? "");
      for await (const c of right) r.push(c.choices[0]?.delta?.content ?? "");
      expect(l.join("")).toBe("Echo: tee");
      expect(r).toEqual(l);
    });
    expect(llm(spans)[0]!.attributes["output.value"]).toBe("Echo: tee");
    const spans2 = await spansAfter(async () => {
      const stream = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "rs" }] });
      const text = await new Response(stream.toReadableStream()).text();
      expect(text.trim().split("\n").length).toBeGreaterThan(2);
    });
    expect(llm(spans2)[0]!.attributes["output.value"]).toBe("Echo: rs");
  });

  it("keeps withResponse(), asResponse() and the same APIPromise", async () => {
    const c = client();
    const wr = await spansAfter(async () => {
      const p = c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "wr" }] });
      expect(p.constructor.name).toBe("APIPromise");
      expect(p).toBeInstanceOf(OpenAI.APIPromise ?? Promise);
      const { data, response, request_id } = await p.withResponse();
      expect(data.choices[0].message.content).toBe("Echo: wr");
      expect(response.status).toBe(200);
      expect(request_id).toBeNull();
      // the same promise can still be awaited: the body was parsed once
      expect(await p).toBe(data);
    });
    expect(llm(wr)[0]!.attributes["output.value"]).toContain("Echo: wr");
    const spans = await spansAfter(async () => {
      const raw = await c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "raw" }] }).asResponse();
      expect((await raw.json()).choices[0].message.content).toBe("Echo: raw");
      await new Promise((r) => setImmediate(r));
    });
    // raw Response only: the span ends with the request side, and nothing read the body twice
    expect(llm(spans)[0]!.attributes["llm.input_messages.0.message.content"]).toBe("raw");
    expect(llm(spans)[0]!.attributes["output.value"]).toBeUndefined();
  });

  it("HTTP errors: the app gets the SDK's own error, the span gets status and type", async () => {
    let caught: any;
    const spans = await spansAfter(async () => {
      try {
        await client().chat.completions.create({ model: "error-429", messages: [{ role: "user", content: "x" }] });
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(OpenAI.RateLimitError);
    expect(caught.status).toBe(429);
    const s = llm(spans)[0]!;
    expect(s.status.code).toBe(2);
    expect(s.attributes["http.response.status_code"]).toBe(429);
    expect(s.attributes["error.type"]).toBe("rate_limit_exceeded");
    expect(s.events.find((e) => e.name === "exception")!.attributes["exception.message"]).toBe(caught.message);
  });

  it("parse() and stream() and runTools() helpers produce exactly one span per model call", async () => {
    const c = client();
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false };
    let parsed: any;
    const spans = await spansAfter(async () => {
      parsed = await c.chat.completions.parse({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "json please" }],
        response_format: { type: "json_schema", json_schema: { name: "a", schema, strict: true } },
      });
    });
    expect(parsed.choices[0].message.parsed).toEqual({ answer: "sample answer" });
    expect(llm(spans)).toHaveLength(1);

    const spans2 = await spansAfter(async () => {
      const s = c.chat.completions.stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "helper stream" }] });
      const texts: string[] = [];
      s.on("content", (d: string) => texts.push(d));
      const final = await s.finalChatCompletion();
      expect(final.choices[0].message.content).toBe("Echo: helper stream");
      expect(texts.join("")).toBe("Echo: helper stream");
    });
    expect(llm(spans2)).toHaveLength(1);
    expect(llm(spans2)[0]!.attributes["llm.output_messages.0.message.content"]).toBe("Echo: helper stream");

    const spans3 = await spansAfter(async () => {
      const runner = c.chat.completions.runTools({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "use the tool" }],
        tools: [
          {
            type: "function",
            function: { name: "lookup", parameters: { type: "object", properties: { id: { type: "string" } } }, function: (args: any) => `found ${args.id}`, parse: JSON.parse },
          },
        ],
      });
      const content = await runner.finalContent();
      expect(content).toMatch(/^Done: found/);
    }, 2);
    expect(llm(spans3)).toHaveLength(2);
  });

  it("responses.create: JSON and streaming, instructions as system, function calls", async () => {
    let r: any;
    const spans = await spansAfter(async () => {
      r = await client().responses.create({ model: "gpt-4o-mini", instructions: "be kind", input: "hi there" });
    });
    expect(r.output_text).toBe("Echo: hi there");
    const a = llm(spans)[0]!.attributes;
    expect(a).toMatchObject({
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be kind",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "hi there",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.contents.0.message_content.type": "output_text",
      "llm.output_messages.0.message.contents.0.message_content.text": "Echo: hi there",
      "llm.model_name": "gpt-4o-mini-2024-07-18",
    });
    expect(a["llm.token_count.total"]).toBe(r.usage.total_tokens);

    const tools = [{ type: "function", name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } }, strict: false }];
    const spans2 = await spansAfter(async () => {
      const stream = await client().responses.create({ model: "gpt-4o-mini", input: [{ role: "user", content: "time?" }], tools, stream: true });
      for await (const _ of stream) void _;
    });
    const b = llm(spans2)[0]!.attributes;
    expect(b["llm.streaming"]).toBe(true);
    expect(b["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_time");
    expect(b["llm.tools.0.tool.json_schema"]).toBe(JSON.stringify(tools[0]));
    const callId = b["llm.output_messages.0.message.tool_calls.0.tool_call.id"];
    const spans3 = await spansAfter(() =>
      client().responses.create({
        model: "gpt-4o-mini",
        tools,
        input: [
          { role: "user", content: "time?" },
          { type: "function_call", call_id: callId, name: "get_time", arguments: "{}" },
          { type: "function_call_output", call_id: callId, output: "noon" },
        ],
      }),
    );
    const c = llm(spans3)[0]!.attributes;
    expect(c["llm.input_messages.1.message.tool_calls.0.tool_call.id"]).toBe(callId);
    expect(c["llm.input_messages.2.message.role"]).toBe("tool");
    expect(c["llm.input_messages.2.message.tool_call_id"]).toBe(callId);
    expect(c["llm.input_messages.2.message.content"]).toBe("noon");
  });

  it("responses.stream() helper and responses.parse(): one span each, helpers intact", async () => {
    const c = client();
    const spans = await spansAfter(async () => {
      const s = c.responses.stream({ model: "gpt-4o-mini", input: "stream helper" });
      const deltas: string[] = [];
      s.on("response.output_text.delta", (e: any) => deltas.push(e.delta));
      const final = await s.finalResponse();
      expect(deltas.join("")).toBe("Echo: stream helper");
      expect(final.output[0].content[0].text).toBe("Echo: stream helper");
    });
    expect(llm(spans)).toHaveLength(1);
    expect(llm(spans)[0]!.attributes["llm.output_messages.0.message.contents.0.message_content.text"]).toBe("Echo: stream helper");
    const spans2 = await spansAfter(async () => {
      const r = await c.responses.parse({ model: "gpt-4o-mini", input: "parse me" });
      expect(r.output_text).toBe("Echo: parse me");
    });
    expect(llm(spans2)).toHaveLength(1);
  });

  it("embeddings.create: an EMBEDDING span, texts, no vectors by default", async () => {
    let r: any;
    const spans = await spansAfter(async () => {
      r = await client().embeddings.create({ model: "text-embedding-3-small", input: ["alpha", "beta"], encoding_format: "float" });
    });
    expect(r.data).toHaveLength(2);
    const s = spans.find((x) => x.attributes["openinference.span.kind"] === "EMBEDDING")!;
    expect(s.attributes).toMatchObject({
      "embedding.model_name": "text-embedding-3-small",
      "embedding.embeddings.0.embedding.text": "alpha",
      "embedding.embeddings.1.embedding.text": "beta",
      "llm.system": "openai",
    });
    expect(Object.keys(s.attributes).some((k) => k.endsWith("embedding.vector"))).toBe(false);
  });

  it("legacy completions.create: llm.prompts and the text output", async () => {
    const spans = await spansAfter(() => client().completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi" }));
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.prompts"]).toEqual(["Say hi"]);
    expect(a["input.value"]).toBe("Say hi");
    expect(a["output.value"]).toBe(" Echo: Say hi");
    expect(a["llm.finish_reason"]).toBe("stop");
  });
});

describe("context rules", () => {
  it("creates no span inside a framework LLM span (dedupe), and nests under the active span", async () => {
    const { markFrameworkLLMSpan } = await import("../../dist/spans/context.js");
    const { context } = await import("@opentelemetry/api");
    const c = new OpenAI7({ apiKey: "k", baseURL: mock.baseURL });
    receiver.clear();
    const r = await context.with(markFrameworkLLMSpan(context.active()), () =>
      c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "dedupe" }] }),
    );
    expect(r.choices[0]!.message.content).toBe("Echo: dedupe");
    const spans = await spansAfter(() =>
      api.agentSpan({ agentId: "a1", agentName: "Agent", sessionId: "s1" }, () =>
        c.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "nested" }] }),
      ),
    2);
    expect(llm(spans)).toHaveLength(1);
    const agent = spans.find((s) => s.attributes["openinference.span.kind"] === "AGENT")!;
    const l = llm(spans)[0]!;
    expect(l.parentSpanId).toBe(agent.spanId);
    expect(l.attributes["agent.id"]).toBe("a1");
    expect(l.attributes["session.id"]).toBe("s1");
  });

  it("detects modules, classes and clients; patching twice is a no-op", async () => {
    const { openaiIntegration } = await import("../../dist/integrations/openai/index.js");
    expect(openaiIntegration.detect!(OpenAI7)).toBe(true);
    expect(openaiIntegration.detect!({ default: OpenAI7, OpenAI: OpenAI7 })).toBe(true);
    expect(openaiIntegration.detect!(new OpenAI7({ apiKey: "k" }))).toBe(true);
    expect(openaiIntegration.detect!({})).toBe(false);
    const before = (OpenAI7 as any).Chat.Completions.prototype.create;
    api.instrument(new OpenAI7({ apiKey: "k" }));
    expect((OpenAI7 as any).Chat.Completions.prototype.create).toBe(before);
  });
});
