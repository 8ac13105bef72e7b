/**
 * PI AI, in process: the real library with custom model definitions (baseUrl) pointing at the
 * mock OpenAI and Anthropic servers; spans read from the real OTLP receiver. The package is an
 * ESM namespace (read-only) here: the registry hook works on it all the same, through
 * instrumentPiAi(namespace).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

let receiver: Receiver;
let openaiMock: any;
let anthropicMock: any;
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let pi: any;
let gpt: any;
let claude: any;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openaiMock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  const api = await import("../../src/index");
  tracing = await api.setup({ batching: "simple" });
  pi = await import("@mariozechner/pi-ai");
  const { instrumentPiAi } = await import("../../src/subpaths/pi-ai");
  const r = instrumentPiAi(pi);
  expect(r?.patched).toBe(true);
  gpt = { ...pi.getModel("openai", "gpt-4o-mini"), baseUrl: openaiMock.baseURL };
  claude = { ...pi.getModel("anthropic", "claude-sonnet-4-5"), baseUrl: anthropicMock.url, reasoning: true };
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
  await openaiMock.close();
  await anthropicMock.close();
});

async function spansFor(marker: string): Promise<ReceivedSpan[]> {
  await tracing.forceFlush();
  await receiver.waitForSpans((s) => s.some((x) => JSON.stringify(x.attributes).includes(marker)), 10_000);
  return receiver.spans.filter((s) => JSON.stringify(s.attributes).includes(marker));
}

const tools = () => [{ name: "get_weather", description: "Get the weather for a city", parameters: pi.Type.Object({ city: pi.Type.String() }) }];

describe("PI AI", () => {
  it("stream() over OpenAI chat completions: one LLM span with messages, tools, tool call, tokens and the library's cost", async () => {
    const s = pi.stream(gpt, { systemPrompt: "You are a weather bot.", messages: [{ role: "user", content: "Weather in Paris? m1", timestamp: 1 }], tools: tools() }, { apiKey: "sk-test", temperature: 0.2 });
    // the library's own stream object, with its helpers
    expect(s).toBeInstanceOf(pi.AssistantMessageEventStream);
    const events: string[] = [];
    for await (const e of s) events.push(e.type);
    expect(events).toContain("toolcall_end");
    const msg = await s.result();
    const [span] = await spansFor("m1");
    expect(span!.name).toBe("pi_ai.stream");
    const call = msg.content.find((c: any) => c.type === "toolCall");
    expect(span!.attributes).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.system": "openai",
      "llm.provider": "openai",
      "llm.model_name": "gpt-4o-mini",
      "llm.invocation_parameters": '{"temperature":0.2}',
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "You are a weather bot.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "Weather in Paris? m1",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.id": call.id,
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": JSON.stringify(call.arguments),
      "llm.finish_reason": "toolUse",
      "llm.token_count.prompt": msg.usage.input + msg.usage.cacheRead + msg.usage.cacheWrite,
      "llm.token_count.completion": msg.usage.output,
      "llm.token_count.total": msg.usage.totalTokens,
      "llm.cost.total": msg.usage.cost.total,
      "llm.cost.completion": msg.usage.cost.output,
    });
    expect(msg.usage.cost.total).toBeGreaterThan(0);
    expect(JSON.parse(span!.attributes["llm.tools.0.tool.json_schema"]).function.name).toBe("get_weather");
    expect(span!.status.code).toBe(1);
    // the OpenAI SDK call inside is not counted a second time
    expect(byKind(receiver.spans.filter((x) => x.traceId === span!.traceId), "LLM")).toHaveLength(1);
  });

  it("complete() with a tool result turn", async () => {
    const first = await pi.complete(gpt, { messages: [{ role: "user", content: "Weather? m2", timestamp: 1 }], tools: tools() }, { apiKey: "sk-test" });
    const call = first.content.find((c: any) => c.type === "toolCall");
    const ctx = {
      messages: [
        { role: "user", content: "Weather? m2", timestamp: 1 },
        first,
        { role: "toolResult", toolCallId: call.id, toolName: call.name, content: [{ type: "text", text: "Sunny m2r" }], isError: false, timestamp: 2 },
      ],
      tools: tools(),
    };
    const second = await pi.complete(gpt, ctx, { apiKey: "sk-test" });
    expect(second.stopReason).toBe("stop");
    const [span] = await spansFor("m2r");
    expect(span!.name).toBe("pi_ai.stream");
    expect(span!.attributes).toMatchObject({
      "llm.input_messages.1.message.role": "assistant",
      "llm.input_messages.1.message.tool_calls.0.tool_call.id": call.id,
      "llm.input_messages.2.message.role": "tool",
      "llm.input_messages.2.message.tool_call_id": call.id,
      "llm.input_messages.2.message.content": "Sunny m2r",
      "llm.output_messages.0.message.content": "Done: Sunny m2r",
      "output.value": "Done: Sunny m2r",
      "llm.finish_reason": "stop",
    });
  });

  it("Anthropic with thinking: thinking kept apart from text, cache read/write tokens and costs", async () => {
    const msg = await pi.completeSimple(claude, { systemPrompt: "Be brief.", messages: [{ role: "user", content: "Say hi m3", timestamp: 1 }] }, { apiKey: "sk-test", reasoning: "low" });
    const [span] = await spansFor("m3");
    expect(span!.name).toBe("pi_ai.streamSimple");
    expect(msg.content.map((c: any) => c.type)).toEqual(["thinking", "text"]);
    expect(span!.attributes).toMatchObject({
      "llm.system": "anthropic",
      "llm.provider": "anthropic",
      "llm.output_messages.0.message.content": "Echo: Say hi m3",
      "llm.output_messages.0.message.contents.0.message_content.type": "thinking",
      "llm.output_messages.0.message.contents.0.message_content.text": "Thinking it over.",
      "llm.output_messages.0.message.contents.1.message_content.type": "text",
      "llm.output_messages.0.message.contents.1.message_content.text": "Echo: Say hi m3",
      "llm.token_count.prompt_details.cache_read": msg.usage.cacheRead,
      "llm.token_count.prompt_details.cache_write": msg.usage.cacheWrite,
      "llm.token_count.prompt": msg.usage.input + msg.usage.cacheRead + msg.usage.cacheWrite,
      "llm.cost.prompt_details.cache_read": msg.usage.cost.cacheRead,
      "llm.cost.prompt_details.cache_write": msg.usage.cost.cacheWrite,
      "llm.cost.total": msg.usage.cost.total,
    });
    expect(msg.usage.cacheWrite).toBe(100);
    expect(msg.usage.cacheRead).toBe(50);
    expect(span!.attributes["llm.cost.prompt"]).toBeCloseTo(msg.usage.cost.input + msg.usage.cost.cacheRead + msg.usage.cost.cacheWrite, 12);
  });

  it("API errors and aborts end the span as errors (the app gets the library's error message)", async () => {
    const failed = await pi.complete({ ...gpt, id: "error-500" }, { messages: [{ role: "user", content: "fail m4", timestamp: 1 }] }, { apiKey: "sk-test", maxRetries: 0 });
    expect(failed.stopReason).toBe("error");
    const [errSpan] = await spansFor("fail m4");
    expect(errSpan!.status.code).toBe(2);
    expect(errSpan!.status.message).toBe(failed.errorMessage);
    expect(errSpan!.attributes["llm.finish_reason"]).toBe("error");

    anthropicMock.chunkDelayMs = 40;
    try {
      const ac = new AbortController();
      const s = pi.stream(claude, { messages: [{ role: "user", content: "a long answer please m5", timestamp: 1 }] }, { apiKey: "sk-test", signal: ac.signal });
      for await (const e of s) if (e.type === "text_delta") ac.abort();
      const aborted = await s.result();
      expect(aborted.stopReason).toBe("aborted");
      const [abSpan] = await spansFor("long answer please m5");
      expect(abSpan!.status.code).toBe(2);
      expect(abSpan!.attributes["pi_ai.aborted"]).toBe(true);
      expect(abSpan!.attributes["llm.finish_reason"]).toBe("aborted");
    } finally {
      anthropicMock.chunkDelayMs = 0;
    }
  });

  it("a long conversation still yields a complete span (output and tokens survive the message count)", async () => {
    const messages: any[] = [];
    for (let i = 0; i < 300; i++) {
      messages.push({ role: "user", content: `question ${i}`, timestamp: i });
      messages.push({ role: "assistant", content: [{ type: "text", text: `answer ${i}` }], api: gpt.api, provider: gpt.provider, model: gpt.id, usage: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0, totalTokens: 2, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } }, stopReason: "stop", timestamp: i });
    }
    messages.push({ role: "user", content: "last one m10", timestamp: 999 });
    const msg = await pi.complete(gpt, { messages }, { apiKey: "sk-test" });
    const [span] = await spansFor("last one m10");
    expect(span!.attributes["output.value"]).toBe("Echo: last one m10");
    expect(span!.attributes["llm.token_count.prompt"]).toBe(msg.usage.input + msg.usage.cacheRead + msg.usage.cacheWrite);
    expect(span!.attributes["llm.cost.total"]).toBe(msg.usage.cost.total);
  });

  it("covers providers registered after start-up (faux provider, resetApiProviders)", async () => {
    const faux = pi.registerFauxProvider({ api: "late-api", provider: "late-provider", models: [{ id: "late-model" }] });
    faux.setResponses([pi.fauxAssistantMessage([pi.fauxThinking("hmm"), pi.fauxText("late answer m6")])]);
    const msg = await pi.complete(faux.getModel(), { messages: [{ role: "user", content: "late m6", timestamp: 1 }] });
    expect(msg.content.at(-1).text).toBe("late answer m6");
    const [span] = await spansFor("late m6");
    expect(span!.attributes).toMatchObject({
      "llm.provider": "late-provider",
      "llm.model_name": "late-model",
      "pi_ai.api": "late-api",
      "llm.output_messages.0.message.content": "late answer m6",
      "llm.output_messages.0.message.contents.0.message_content.type": "thinking",
    });
    faux.unregister();

    pi.resetApiProviders();
    await pi.complete(gpt, { messages: [{ role: "user", content: "after reset m7", timestamp: 1 }] }, { apiKey: "sk-test" });
    const [again] = await spansFor("after reset m7");
    expect(again!.attributes["llm.model_name"]).toBe("gpt-4o-mini");
  });
});
