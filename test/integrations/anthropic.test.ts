/**
 * The Anthropic integration in process: the real @anthropic-ai/sdk (1.x ESM and CJS, 0.71 ESM
 * and CJS) against the mock Anthropic server, spans read from the real OTLP receiver.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Anthropic1 from "@anthropic-ai/sdk";
import Anthropic0 from "anthropic-sdk-v0";
import { startTracing, llmSpans as llm, type Tracing } from "./openai/tracing";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const require = createRequire(import.meta.url);
const Anthropic1cjs = require("@anthropic-ai/sdk").default;
const Anthropic0cjs = require("anthropic-sdk-v0").default;

let mock: any;
let t: Tracing;

beforeAll(async () => {
  mock = await startMockAnthropic();
  t = await startTracing({ anthropic: Anthropic1 });
  const { instrumentAnthropic } = await import("../../dist/subpaths/anthropic.js");
  instrumentAnthropic(Anthropic0);
  instrumentAnthropic(require("@anthropic-ai/sdk"));
  instrumentAnthropic(require("anthropic-sdk-v0"));
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

const spansAfter = (fn: () => Promise<unknown>, count = 1) => t.spansAfter(fn, count);

const variants = [
  ["1.x esm", Anthropic1],
  ["1.x cjs", Anthropic1cjs],
  ["0.71 esm", Anthropic0],
  ["0.71 cjs", Anthropic0cjs],
] as const;

const weather = { name: "get_weather", description: "weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };

describe.each(variants)("anthropic %s", (_name, Anthropic: any) => {
  // the SDK's own OpenTelemetry spans are covered in their own test; keep these spans ours only
  const client = () => new Anthropic({ apiKey: "sk-ant-test", baseURL: mock.url, maxRetries: 0, openTelemetry: false });

  it("messages.create (JSON): system blocks, cache tokens, output", async () => {
    let msg: any;
    const spans = await spansAfter(async () => {
      msg = await client().messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "hello" }],
      });
    });
    expect(msg.content[0].text).toBe("Echo: hello");
    const [s] = llm(spans);
    expect(s!.name).toBe("Anthropic Messages");
    expect(s!.attributes).toMatchObject({
      "llm.system": "anthropic",
      "llm.provider": "127.0.0.1",
      "llm.model_name": "claude-sonnet-4-5",
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "hello",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Echo: hello",
      "llm.finish_reason": "end_turn",
      "llm.token_count.prompt_details.cache_read": 50,
      "llm.token_count.prompt_details.cache_write": 100,
      "llm.token_count.prompt": msg.usage.input_tokens + 150,
      "llm.token_count.completion": msg.usage.output_tokens,
    });
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ model: "claude-sonnet-4-5", max_tokens: 100 });
    expect(JSON.parse(s!.attributes["output.value"]).id).toBe(msg.id);
  });

  it("tool_use and tool_result, images (base64 replaced), thinking", async () => {
    let first: any;
    const b64 = "B".repeat(4000);
    const spans = await spansAfter(async () => {
      first = await client().messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        system: "you are a weather bot",
        tools: [weather],
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "weather where this photo is?" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: b64 } },
              { type: "image", source: { type: "url", url: "https://example.com/x.png" } },
            ],
          },
        ],
      });
    });
    const a = llm(spans)[0]!.attributes;
    const use = first.content.find((b: any) => b.type === "tool_use");
    expect(a["llm.tools.0.tool.json_schema"]).toBe(JSON.stringify(weather));
    expect(a["llm.input_messages.0.message.content"]).toBe("you are a weather bot");
    expect(a["llm.input_messages.1.message.contents.1.message_content.type"]).toBe("image");
    expect(a["llm.input_messages.1.message.contents.1.message_content.image.image.url"]).toBe("data:image/png;base64,[base64 omitted: 4000 chars]");
    expect(a["llm.input_messages.1.message.contents.2.message_content.image.image.url"]).toBe("https://example.com/x.png");
    expect(a["input.value"]).not.toContain(b64);
    expect(a["llm.output_messages.0.message.content"]).toBe("Let me check.");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.id"]).toBe(use.id);
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "sample city" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    // the tool asked for lives in the output message's tool calls; tool.name belongs to TOOL spans
    expect(a["tool.name"]).toBeUndefined();
    expect(a["tool_call.id"]).toBeUndefined();

    const spans2 = await spansAfter(() =>
      client().messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        tools: [weather],
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: first.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny" }] },
        ],
      }),
    );
    const b = llm(spans2)[0]!.attributes;
    expect(b["llm.input_messages.1.message.role"]).toBe("assistant");
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.id"]).toBe(use.id);
    expect(b["llm.input_messages.2.message.role"]).toBe("tool");
    expect(b["llm.input_messages.2.message.tool_call_id"]).toBe(use.id);
    expect(b["llm.input_messages.2.message.content"]).toBe("sunny");
    expect(b["llm.output_messages.0.message.contents.0.message_content.type"]).toBe("reasoning");
    expect(b["llm.output_messages.0.message.contents.0.message_content.text"]).toBe("Thinking it over.");
    expect(b["llm.output_messages.0.message.content"]).toBe("Done: sunny");
  });

  it("messages.create stream: true — same events, message rebuilt", async () => {
    const types: string[] = [];
    const spans = await spansAfter(async () => {
      const stream = await client().messages.create({ model: "claude-haiku-4-5", max_tokens: 50, stream: true, tools: [weather], messages: [{ role: "user", content: "go" }] });
      for await (const e of stream) types.push(e.type);
    });
    expect(types[0]).toBe("message_start");
    expect(types.at(-1)).toBe("message_stop");
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.streaming"]).toBe(true);
    expect(a["llm.output_messages.0.message.content"]).toBe("Let me check.");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "sample city" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    expect(a["llm.token_count.completion"]).toBeGreaterThan(1);
  });

  it("messages.stream(): events and finalMessage() work, one LLM span", async () => {
    const texts: string[] = [];
    let final: any;
    const spans = await spansAfter(async () => {
      const stream = client().messages.stream({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: "stream helper" }] });
      stream.on("text", (d: string) => texts.push(d));
      final = await stream.finalMessage();
    });
    expect(texts.join("")).toBe("Echo: stream helper");
    expect(final.content[0].text).toBe("Echo: stream helper");
    expect(llm(spans)).toHaveLength(1);
    expect(llm(spans)[0]!.attributes["llm.output_messages.0.message.content"]).toBe("Echo: stream helper");
  });

  it("beta.messages.create", async () => {
    const spans = await spansAfter(() => client().beta.messages.create({ model: "claude-sonnet-4-5", max_tokens: 20, messages: [{ role: "user", content: "beta" }], betas: ["x-beta"] }));
    expect(llm(spans)[0]!.attributes["llm.output_messages.0.message.content"]).toBe("Echo: beta");
  });

  it("early break and abort end the span; errors keep the SDK's error", async () => {
    mock.chunkDelayMs = 15;
    try {
      const spans = await spansAfter(async () => {
        const stream = await client().messages.create({ model: "m", max_tokens: 50, stream: true, messages: [{ role: "user", content: "a fairly long reply please" }] });
        let n = 0;
        for await (const _ of stream) if (++n === 4) break;
        expect(stream.controller.signal.aborted).toBe(true);
      });
      expect(llm(spans)[0]!.events.map((e) => e.name)).toContain("stream.closed_early");
      const spans2 = await spansAfter(async () => {
        const s = client().messages.stream({ model: "m", max_tokens: 50, messages: [{ role: "user", content: "abort this stream" }] });
        s.on("text", () => s.abort());
        await s.done().catch(() => undefined);
      });
      expect(llm(spans2)).toHaveLength(1);
    } finally {
      mock.chunkDelayMs = 0;
    }
    let caught: any;
    const spans3 = await spansAfter(async () => {
      try {
        await client().messages.create({ model: "error-529", max_tokens: 5, messages: [{ role: "user", content: "x" }] });
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(Anthropic.APIError);
    expect(caught.status).toBe(529);
    const s = llm(spans3)[0]!;
    expect(s.status.code).toBe(2);
    expect(s.attributes["http.response.status_code"]).toBe(529);
    expect(s.attributes["error.type"]).toBe("overloaded_error");
  });

  it("withResponse() and asResponse() still work", async () => {
    const c = client();
    const spans = await spansAfter(async () => {
      const p = c.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "wr" }] });
      const { data, response } = await p.withResponse();
      expect(data.content[0].text).toBe("Echo: wr");
      expect(response.headers.get("request-id")).toMatch(/^req_/);
      expect(await p).toBe(data);
      const raw = await c.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "raw" }] }).asResponse();
      expect((await raw.json()).content[0].text).toBe("Echo: raw");
      await new Promise((r) => setImmediate(r));
    }, 2);
    expect(llm(spans)).toHaveLength(2);
  });
});

describe("the SDK's own OpenTelemetry spans (@anthropic-ai/sdk 1.x)", () => {
  it("nest under our LLM span for create() and messages.stream(); never siblings", async () => {
    const c = new Anthropic1({ apiKey: "k", baseURL: mock.url, maxRetries: 0 });
    const spans = await spansAfter(async () => {
      await c.messages.create({ model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: "own" }] });
      await c.messages.stream({ model: "claude-sonnet-4-5", max_tokens: 5, messages: [{ role: "user", content: "own stream" }] }).finalMessage();
    }, 2);
    await new Promise((r) => setTimeout(r, 200));
    const all = t.receiver.spans;
    const ours = llm(all);
    expect(ours).toHaveLength(2);
    const theirs = all.filter((s) => s.scope.name === "com.anthropic.sdk.typescript");
    expect(theirs).toHaveLength(2);
    for (const s of theirs) expect(ours.map((o) => o.spanId)).toContain(s.parentSpanId);
    expect(new Set(theirs.map((s) => s.parentSpanId)).size).toBe(2);
    void spans;
  });

  it("ANTHROPIC_OPEN_TELEMETRY=false (the user's setting) leaves only our span", async () => {
    process.env.ANTHROPIC_OPEN_TELEMETRY = "false";
    try {
      const c = new Anthropic1({ apiKey: "k", baseURL: mock.url, maxRetries: 0 });
      await spansAfter(() => c.messages.create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "off" }] }));
      await new Promise((r) => setTimeout(r, 100));
      expect(t.receiver.spans.filter((s) => s.scope.name === "com.anthropic.sdk.typescript")).toHaveLength(0);
      expect(llm(t.receiver.spans)).toHaveLength(1);
    } finally {
      delete process.env.ANTHROPIC_OPEN_TELEMETRY;
    }
  });
});
