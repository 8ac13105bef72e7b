/**
 * The Amazon Bedrock runtime integration in process: the real @aws-sdk/client-bedrock-runtime
 * (newest, and 3.422.0, the oldest of the declared range: InvokeModel only) against the mock
 * Bedrock server (HTTP/2 event streams, per-family bodies), spans read from the real OTLP receiver.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Bedrock from "@aws-sdk/client-bedrock-runtime";
import { startTracing, llmSpans as llm, type Tracing } from "./openai/tracing";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockBedrock } from "../../fixtures/mock-providers/bedrock.mjs";

const require = createRequire(import.meta.url);
const BedrockOldest = require("bedrock-runtime-v3-oldest");

let mock: any;
let t: Tracing;

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const config = () => ({ region: "us-east-1", endpoint: mock.url, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: SECRET, sessionToken: "session-token-secret" }, maxAttempts: 1 });

beforeAll(async () => {
  mock = await startMockBedrock();
  t = await startTracing({ bedrock: Bedrock });
  const { instrumentBedrock } = await import("../../dist/subpaths/bedrock.js");
  instrumentBedrock(BedrockOldest);
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

const spansAfter = (fn: () => Promise<unknown>, count = 1) => t.spansAfter(fn, count);
const embeddings = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "EMBEDDING");
const noSecrets = (spans: ReceivedSpan[]) => {
  const text = JSON.stringify(spans);
  for (const s of [SECRET, "session-token-secret", "AWS4-HMAC-SHA256", "AKIDEXAMPLE"]) expect(text).not.toContain(s);
};
const weatherTool = { toolSpec: { name: "get_weather", description: "weather", inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } } };
const HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0";

describe("Converse", () => {
  const client = () => new Bedrock.BedrockRuntimeClient(config());

  it("JSON: system, messages, tools, tool use, cache tokens, stop reason, parameters, cost; over HTTP/2", async () => {
    let out: any;
    const spans = await spansAfter(async () => {
      out = await client().send(
        new Bedrock.ConverseCommand({
          modelId: HAIKU,
          system: [{ text: "be brief" }, { cachePoint: { type: "default" } }],
          messages: [{ role: "user", content: [{ text: "weather in Paris?" }] }],
          inferenceConfig: { maxTokens: 100, temperature: 0.2 },
          toolConfig: { tools: [weatherTool], toolChoice: { auto: {} } },
        }),
      );
    });
    expect(mock.requests.at(-1).httpVersion).toBe("2.0");
    const use = out.output.message.content[1].toolUse;
    const [s] = llm(spans);
    expect(s!.name).toBe("Bedrock Converse");
    expect(s!.attributes).toMatchObject({
      "llm.provider": "aws",
      "llm.system": "anthropic",
      "llm.model_name": HAIKU,
      "llm.streaming": false,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "weather in Paris?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Let me check.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": use.toolUseId,
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.finish_reason": "tool_use",
      "llm.tools.0.tool.json_schema": JSON.stringify(weatherTool.toolSpec),
      "llm.token_count.prompt": out.usage.inputTokens + 150,
      "llm.token_count.completion": out.usage.outputTokens,
      "llm.token_count.total": out.usage.totalTokens,
      "llm.token_count.prompt_details.cache_read": 50,
      "llm.token_count.prompt_details.cache_write": 100,
      "aws.request_id": out.$metadata.requestId,
    });
    expect(JSON.parse(s!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual(use.input);
    expect(JSON.parse(s!.attributes["llm.invocation_parameters"])).toEqual({ inferenceConfig: { maxTokens: 100, temperature: 0.2 }, toolChoice: { auto: {} } });
    // Claude 3.5 Haiku on Bedrock at Anthropic's list price: 0.8 / 4 per million, cache 0.08 / 1
    const uncached = out.usage.inputTokens;
    expect(s!.attributes["llm.cost.total"]).toBeCloseTo((uncached * 0.8 + 50 * 0.08 + 100 * 1 + out.usage.outputTokens * 4) / 1e6, 10);
    noSecrets(spans);
  });

  it("tool results, images (bytes never recorded), documents and reasoning in the conversation", async () => {
    const png = new Uint8Array(5000).fill(7);
    const spans = await spansAfter(() =>
      client().send(
        new Bedrock.ConverseCommand({
          modelId: "amazon.nova-pro-v1:0",
          additionalModelRequestFields: { reasoning_config: { type: "enabled" } },
          messages: [
            { role: "user", content: [{ text: "weather where this photo is?" }, { image: { format: "png", source: { bytes: png } } }, { document: { format: "txt", name: "notes", source: { bytes: new Uint8Array(10) } } }] },
            { role: "assistant", content: [{ toolUse: { toolUseId: "tu_1", name: "get_weather", input: { city: "Paris" } } }] },
            { role: "user", content: [{ toolResult: { toolUseId: "tu_1", content: [{ json: { temp: 21 } }, { text: "sunny" }], status: "success" } }] },
          ],
          toolConfig: { tools: [weatherTool] },
        }),
      ),
    );
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.system"]).toBe("amazon");
    expect(a["llm.input_messages.0.message.contents.0.message_content.text"]).toBe("weather where this photo is?");
    expect(a["llm.input_messages.0.message.contents.1.message_content.type"]).toBe("image");
    expect(a["llm.input_messages.0.message.contents.1.message_content.image.image.url"]).toBe("data:image/png;base64,[binary omitted: 5000 bytes]");
    expect(a["llm.input_messages.0.message.contents.2.message_content.type"]).toBe("document");
    expect(a["llm.input_messages.1.message.tool_calls.0.tool_call.id"]).toBe("tu_1");
    expect(JSON.parse(a["llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "Paris" });
    expect(a["llm.input_messages.2.message.role"]).toBe("tool");
    expect(a["llm.input_messages.2.message.tool_call_id"]).toBe("tu_1");
    expect(a["llm.input_messages.2.message.content"]).toBe('{"temp":21}\nsunny');
    expect(a["input.value"]).toContain("[binary omitted: 5000 bytes]");
    expect(a["input.value"].length).toBeLessThan(3000);
    expect(a["llm.output_messages.0.message.contents.0.message_content.type"]).toBe("reasoning");
    expect(a["llm.output_messages.0.message.contents.0.message_content.text"]).toBe("Thinking it over.");
    expect(a["llm.output_messages.0.message.content"]).toBe('Done: {"temp":21} sunny');
    expect(a["llm.finish_reason"]).toBe("end_turn");
  });

  it("BedrockRuntime's converse() method and the callback form of send() are traced; other commands pass through", async () => {
    const agg = new Bedrock.BedrockRuntime(config());
    const spans = await spansAfter(async () => {
      const r = await agg.converse({ modelId: "meta.llama3-1-8b-instruct-v1:0", messages: [{ role: "user", content: [{ text: "agg" }] }] });
      expect(r.output!.message!.content![0]!.text).toBe("Echo: agg");
      const viaCallback = await new Promise<any>((resolve, reject) =>
        client().send(new Bedrock.ConverseCommand({ modelId: "meta.llama3-1-8b-instruct-v1:0", messages: [{ role: "user", content: [{ text: "cb" }] }] }), (err: unknown, data: any) => (err ? reject(err) : resolve(data))),
      );
      expect(viaCallback.output.message.content[0].text).toBe("Echo: cb");
      // a command we do not trace: the SDK's own error, no span
      await expect(client().send(new Bedrock.ApplyGuardrailCommand({ guardrailIdentifier: "g", guardrailVersion: "1", source: "INPUT", content: [] }))).rejects.toThrow();
    }, 2);
    const l = llm(spans);
    expect(l.map((s) => s.attributes["llm.input_messages.0.message.content"]).sort()).toEqual(["agg", "cb"]);
    expect(l.every((s) => s.attributes["llm.system"] === "meta")).toBe(true);
  });

  it("ConverseStream: the same events reach the app, the message is rebuilt, tool input parsed, tokens from metadata", async () => {
    const events: any[] = [];
    let streamObject: any;
    const spans = await spansAfter(async () => {
      const out = await client().send(new Bedrock.ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: "user", content: [{ text: "go" }] }], toolConfig: { tools: [weatherTool] } }));
      streamObject = out.stream;
      for await (const e of out.stream!) events.push(e);
    });
    expect(Object.keys(events[0])).toEqual(["messageStart"]);
    expect(events.at(-1).metadata.usage.outputTokens).toBeGreaterThan(0);
    expect(Object.keys(streamObject)).toEqual([]);
    const a = llm(spans)[0]!.attributes;
    expect(a["llm.streaming"]).toBe(true);
    expect(a["llm.output_messages.0.message.content"]).toBe("Let me check.");
    expect(a["output.value"]).toBe("Let me check.");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "sample city" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    expect(a["llm.token_count.completion"]).toBe(events.at(-1).metadata.usage.outputTokens);
  });

  it("ConverseStream: early break ends the span with what was seen; a stream error is the SDK's own and ends the span", async () => {
    mock.chunkDelayMs = 10;
    try {
      const spans = await spansAfter(async () => {
        const out = await client().send(new Bedrock.ConverseStreamCommand({ modelId: HAIKU, messages: [{ role: "user", content: [{ text: "a long answer in many pieces" }] }] }));
        let n = 0;
        for await (const _ of out.stream!) if (++n === 3) break;
      });
      const s = llm(spans)[0]!;
      expect(s.attributes["output.value"]).toBe("Echo: a long ans");
      expect(s.events.map((e) => e.name)).toContain("stream.closed_early");
    } finally {
      mock.chunkDelayMs = 0;
    }
    let caught: any;
    const spans = await spansAfter(async () => {
      try {
        const out = await client().send(new Bedrock.ConverseStreamCommand({ modelId: "stream-error", messages: [{ role: "user", content: [{ text: "x" }] }] }));
        for await (const _ of out.stream!);
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(Bedrock.ModelStreamErrorException);
    const s = llm(spans)[0]!;
    expect(s.status.code).toBe(2);
    expect(s.attributes["error.type"]).toBe("ModelStreamErrorException");
  });

  it("errors: the SDK's own exception, the span gets the HTTP status and the error name", async () => {
    let caught: any;
    const spans = await spansAfter(async () => {
      try {
        await client().send(new Bedrock.ConverseCommand({ modelId: "error-429", messages: [{ role: "user", content: [{ text: "x" }] }] }));
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(Bedrock.ThrottlingException);
    const s = llm(spans)[0]!;
    expect(s.status.code).toBe(2);
    expect(s.attributes["http.response.status_code"]).toBe(429);
    expect(s.attributes["error.type"]).toBe("ThrottlingException");
    expect(s.events.find((e) => e.name === "exception")!.attributes["exception.message"]).toBe(caught.message);
  });

  it("the command and its input are left as they were (the SDK signs them)", async () => {
    const input = { modelId: HAIKU, messages: [{ role: "user" as const, content: [{ text: "same" }] }], inferenceConfig: { maxTokens: 5 } };
    const snapshot = JSON.stringify(input);
    const command = new Bedrock.ConverseCommand(input);
    await spansAfter(() => client().send(command));
    expect(JSON.stringify(command.input)).toBe(snapshot);
    expect(command.input).toBe(input);
    expect(mock.requests.at(-1).headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
  });
});

describe.each([
  ["newest", Bedrock],
  ["3.422.0 (oldest)", BedrockOldest],
] as const)("InvokeModel, %s", (_name, SDK: any) => {
  const client = () => new SDK.BedrockRuntimeClient(config());
  const invoke = (modelId: string, body: unknown) => client().send(new SDK.InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }));
  const invokeStream = async (modelId: string, body: unknown) => {
    const out = await client().send(new SDK.InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }));
    const chunks: any[] = [];
    for await (const e of out.body) chunks.push(JSON.parse(new TextDecoder().decode(e.chunk.bytes)));
    return chunks;
  };

  it("Anthropic body: messages, tool use, cache tokens, the served model; the app's body is the SDK's", async () => {
    let out: any;
    const spans = await spansAfter(async () => {
      out = await invoke(HAIKU, {
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 100,
        system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
        tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
        messages: [{ role: "user", content: "weather?" }],
      });
    });
    const body = JSON.parse(new TextDecoder().decode(out.body));
    expect(body.content[1].type).toBe("tool_use");
    const a = llm(spans)[0]!.attributes;
    expect(a).toMatchObject({
      "llm.provider": "aws",
      "llm.system": "anthropic",
      "llm.model_name": "claude-3-5-haiku-20241022",
      "llm.input_messages.0.message.content": "be brief",
      "llm.input_messages.1.message.content": "weather?",
      "llm.output_messages.0.message.content": "Let me check.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.finish_reason": "tool_use",
      "llm.token_count.prompt": body.usage.input_tokens + 150,
      "llm.token_count.prompt_details.cache_read": 50,
    });
    expect(JSON.parse(a["llm.invocation_parameters"])).toEqual({ anthropic_version: "bedrock-2023-05-31", max_tokens: 100 });
    expect(typeof a["llm.cost.total"]).toBe("number");
  });

  it("Amazon Nova, Titan, Meta Llama, Mistral (text and chat), Cohere: messages and tokens per family", async () => {
    const spans = await spansAfter(async () => {
      await invoke("amazon.nova-micro-v1:0", { schemaVersion: "messages-v1", system: [{ text: "sys" }], messages: [{ role: "user", content: [{ text: "nova" }] }], inferenceConfig: { maxTokens: 10 } });
      await invoke("amazon.titan-text-express-v1", { inputText: "titan", textGenerationConfig: { maxTokenCount: 10 } });
      await invoke("meta.llama3-1-8b-instruct-v1:0", { prompt: "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nllama<|eot_id|>", max_gen_len: 10 });
      await invoke("mistral.mistral-7b-instruct-v0:2", { prompt: "<s>[INST] mistral [/INST]", max_tokens: 10 });
      await invoke("mistral.mistral-large-2407-v1:0", { messages: [{ role: "user", content: "mistral chat" }], max_tokens: 10 });
      await invoke("cohere.command-r-v1:0", { message: "cohere", chat_history: [{ role: "USER", message: "earlier" }, { role: "CHATBOT", message: "yes" }], max_tokens: 10 });
    }, 6);
    const by = (model: string) => llm(spans).find((s) => s.attributes["llm.model_name"] === model)!.attributes;
    expect(by("amazon.nova-micro-v1:0")).toMatchObject({ "llm.system": "amazon", "llm.input_messages.0.message.content": "sys", "llm.input_messages.1.message.content": "nova", "llm.output_messages.0.message.content": "Echo: nova", "llm.finish_reason": "end_turn" });
    expect(by("amazon.nova-micro-v1:0")["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(by("amazon.titan-text-express-v1")).toMatchObject({ "llm.system": "amazon", "llm.input_messages.0.message.content": "titan", "llm.output_messages.0.message.content": "Echo: titan", "llm.finish_reason": "FINISH", "llm.token_count.prompt": 2 });
    expect(JSON.parse(by("amazon.titan-text-express-v1")["llm.invocation_parameters"])).toEqual({ textGenerationConfig: { maxTokenCount: 10 } });
    expect(by("meta.llama3-1-8b-instruct-v1:0")).toMatchObject({ "llm.system": "meta", "llm.output_messages.0.message.content": "Echo: llama", "llm.finish_reason": "stop" });
    expect(by("meta.llama3-1-8b-instruct-v1:0")["llm.token_count.completion"]).toBeGreaterThan(0);
    expect(by("mistral.mistral-7b-instruct-v0:2")).toMatchObject({ "llm.system": "mistralai", "llm.output_messages.0.message.content": "Echo: mistral", "llm.finish_reason": "stop" });
    expect(by("mistral.mistral-large-2407-v1:0")).toMatchObject({ "llm.input_messages.0.message.content": "mistral chat", "llm.output_messages.0.message.content": "Echo: mistral chat" });
    expect(by("cohere.command-r-v1:0")).toMatchObject({
      "llm.system": "cohere",
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.1.message.role": "assistant",
      "llm.input_messages.2.message.content": "cohere",
      "llm.output_messages.0.message.content": "Echo: cohere",
      "llm.finish_reason": "COMPLETE",
    });
    for (const s of llm(spans)) expect(s.attributes["llm.provider"]).toBe("aws");
  });

  it("InvokeModelWithResponseStream: chunks reach the app unchanged; text, tool calls and tokens per family", async () => {
    let anthropicChunks: any[] = [];
    let llamaChunks: any[] = [];
    const spans = await spansAfter(async () => {
      anthropicChunks = await invokeStream(HAIKU, { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }], messages: [{ role: "user", content: "go" }] });
      llamaChunks = await invokeStream("meta.llama3-1-8b-instruct-v1:0", { prompt: "stream llama", max_gen_len: 10 });
      await invokeStream("amazon.nova-lite-v1:0", { messages: [{ role: "user", content: [{ text: "stream nova" }] }] });
      await invokeStream("cohere.command-r-plus-v1:0", { message: "stream cohere" });
    }, 4);
    expect(anthropicChunks[0].type).toBe("message_start");
    expect(llamaChunks.map((c) => c.generation).join("")).toBe("Echo: stream llama");
    const by = (model: string) => llm(spans).find((s) => s.attributes["llm.input_messages.0.message.content"] !== undefined && String(s.attributes["llm.model_name"]).includes(model))!.attributes;
    const a = by("claude");
    expect(a["llm.streaming"]).toBe(true);
    expect(a["llm.output_messages.0.message.content"]).toBe("Let me check.");
    expect(JSON.parse(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"])).toEqual({ city: "sample city" });
    expect(a["llm.finish_reason"]).toBe("tool_use");
    const llama = by("llama");
    expect(llama["output.value"]).toBe("Echo: stream llama");
    expect(llama["llm.finish_reason"]).toBe("stop");
    expect(llama["llm.token_count.completion"]).toBe(llamaChunks.at(-1)["amazon-bedrock-invocationMetrics"].outputTokenCount);
    expect(by("nova")["llm.output_messages.0.message.content"]).toBe("Echo: stream nova");
    expect(by("nova")["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(by("cohere")["output.value"]).toBe("Echo: stream cohere");
    expect(by("cohere")["llm.finish_reason"]).toBe("COMPLETE");
  });

  it("embedding models: an EMBEDDING span with the texts, no vectors by default", async () => {
    let out: any;
    const spans = await spansAfter(async () => {
      out = await invoke("amazon.titan-embed-text-v2:0", { inputText: "embed me", dimensions: 8 });
      await invoke("cohere.embed-english-v3", { texts: ["a", "b"], input_type: "search_document" });
    }, 2);
    expect(JSON.parse(new TextDecoder().decode(out.body)).embedding).toHaveLength(8);
    const [titan, cohere] = ["amazon.titan-embed-text-v2:0", "cohere.embed-english-v3"].map((m) => embeddings(spans).find((s) => s.attributes["embedding.model_name"] === m)!.attributes);
    expect(titan).toMatchObject({ "llm.provider": "aws", "input.value": "embed me", "embedding.embeddings.0.embedding.text": "embed me", "llm.token_count.prompt": 2 });
    expect(titan!["embedding.embeddings.0.embedding.vector"]).toBeUndefined();
    expect(cohere).toMatchObject({ "embedding.embeddings.0.embedding.text": "a", "embedding.embeddings.1.embedding.text": "b" });
    expect(llm(spans)).toHaveLength(0);
  });

  it("errors keep the SDK's exception; the span has the status and the name", async () => {
    let caught: any;
    const spans = await spansAfter(async () => {
      try {
        await invoke("error-400", { prompt: "x" });
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(SDK.ValidationException);
    const s = llm(spans)[0]!;
    expect(s.attributes["http.response.status_code"]).toBe(400);
    expect(s.attributes["error.type"]).toBe("ValidationException");
    noSecrets(spans);
  });
});

describe("de-duplication, nesting, detection", () => {
  it("creates no span inside a framework LLM span, and nests under the active agent span", async () => {
    const { markFrameworkLLMSpan } = await import("../../dist/spans/context.js");
    const { context } = await import("@opentelemetry/api");
    const c = new Bedrock.BedrockRuntimeClient(config());
    t.receiver.clear();
    const r = await context.with(markFrameworkLLMSpan(context.active()), () => c.send(new Bedrock.ConverseCommand({ modelId: HAIKU, messages: [{ role: "user", content: [{ text: "dedupe" }] }] })));
    expect(r.output!.message!.content![0]!.text).toBe("Echo: dedupe");
    const spans = await spansAfter(
      () => t.api.agentSpan({ agentId: "a1", sessionId: "s1" }, () => c.send(new Bedrock.ConverseCommand({ modelId: HAIKU, messages: [{ role: "user", content: [{ text: "nested" }] }] }))),
      2,
    );
    expect(llm(spans)).toHaveLength(1);
    const agent = spans.find((s) => s.attributes["openinference.span.kind"] === "AGENT")!;
    expect(llm(spans)[0]!.parentSpanId).toBe(agent.spanId);
    expect(llm(spans)[0]!.attributes["session.id"]).toBe("s1");
  });

  it("detects modules, classes and clients; patching twice is a no-op", async () => {
    const { bedrockIntegration } = await import("../../dist/integrations/bedrock/index.js");
    expect(bedrockIntegration.detect!(Bedrock)).toBe(true);
    expect(bedrockIntegration.detect!(Bedrock.BedrockRuntime)).toBe(true);
    expect(bedrockIntegration.detect!(new Bedrock.BedrockRuntimeClient(config()))).toBe(true);
    expect(bedrockIntegration.detect!({})).toBe(false);
    const before = Bedrock.BedrockRuntimeClient.prototype.send;
    t.api.instrument(Bedrock);
    t.api.instrument(new Bedrock.BedrockRuntime(config()));
    expect(Bedrock.BedrockRuntimeClient.prototype.send).toBe(before);
  });
});
