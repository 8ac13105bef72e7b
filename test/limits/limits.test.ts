/**
 * Size limits: the transform as a pure function, then end to end through setup() and the real
 * OTLP receiver (a long conversation set attribute by attribute, as integrations do, and a huge
 * input), and through the zero-code OpenAI app with a 200 kB prompt.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyLimits, capInputMessages, INPUT_MESSAGES_DROPPED, TRUNCATED_ATTRIBUTES } from "../../src/transforms/limits";
import { resolveConfig } from "../../src/config";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { byKind, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

function conversation(n: number, withSystem = true): Record<string, unknown> {
  const a: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const role = withSystem && i === 0 ? "system" : i % 2 ? "user" : "assistant";
    a[`llm.input_messages.${i}.message.role`] = role;
    a[`llm.input_messages.${i}.message.content`] = `m${i}`;
  }
  return a;
}
const contents = (a: Record<string, unknown>) =>
  Object.keys(a)
    .filter((k) => /^llm\.input_messages\.\d+\.message\.content$/.test(k))
    .sort((x, y) => Number(x.split(".")[2]) - Number(y.split(".")[2]))
    .map((k) => a[k]);

describe("limits as a pure transform", () => {
  it("keeps system messages and the last ones, renumbered, and counts what was cut", () => {
    const a = conversation(100);
    expect(capInputMessages(a, 5)).toBe(95);
    expect(contents(a)).toEqual(["m0", "m96", "m97", "m98", "m99"]);
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a[INPUT_MESSAGES_DROPPED]).toBe(95);
    // nested keys (tool calls) move with their message
    const b = conversation(10, false);
    b["llm.input_messages.9.message.tool_calls.0.tool_call.function.name"] = "f";
    capInputMessages(b, 2);
    expect(b["llm.input_messages.1.message.tool_calls.0.tool_call.function.name"]).toBe("f");
  });

  it("cuts long values with a marker, within the cap; JSON that was cut becomes text/plain", () => {
    const a: Record<string, unknown> = { "input.value": JSON.stringify({ x: "y".repeat(10_000) }), "input.mime_type": "application/json", "output.value": "z".repeat(200), short: "ok" };
    applyLimits(a, { maxAttributeLength: 1000, maxMessages: 64, maxAttributes: 1000 });
    expect((a["input.value"] as string).length).toBeLessThanOrEqual(1000);
    expect(a["input.value"]).toMatch(/…\[truncated \d+ chars\]$/);
    expect(a["input.mime_type"]).toBe("text/plain");
    expect(a["output.value"]).toBe("z".repeat(200));
    expect(a[TRUNCATED_ATTRIBUTES]).toEqual(["input.value"]);
    // a data URL is never cut in half
    const img: Record<string, unknown> = { "llm.input_messages.0.message.contents.0.message_content.image.image.url": "data:image/png;base64," + "A".repeat(5000) };
    applyLimits(img, { maxAttributeLength: 1000, maxMessages: 64, maxAttributes: 1000 });
    expect(Object.values(img)[0]).toMatch(/^\[base64 image\/png omitted: \d+ chars\]$/);
  });

  it("the attribute-count budget cuts input messages and other extras, never output, tokens or model", () => {
    const a = conversation(60);
    for (let i = 0; i < 100; i++) a[`extra.${i}`] = "e";
    Object.assign(a, {
      "llm.model_name": "gpt-x",
      "llm.token_count.prompt": 1,
      "llm.token_count.completion": 2,
      "llm.token_count.total": 3,
      "output.value": "answer",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "answer",
    });
    applyLimits(a, { maxAttributeLength: 1000, maxMessages: 64, maxAttributes: 40 });
    expect(Object.keys(a).length).toBeLessThanOrEqual(42);
    expect(a).toMatchObject({ "llm.model_name": "gpt-x", "llm.token_count.total": 3, "output.value": "answer", "llm.output_messages.0.message.content": "answer" });
    expect(contents(a).at(-1)).toBe("m59");
  });

  it("reads CATALYST_MAX_ATTRIBUTE_LENGTH / CATALYST_MAX_MESSAGES; options win; bad values fall back", () => {
    expect(resolveConfig({}, { CATALYST_MAX_ATTRIBUTE_LENGTH: "500", CATALYST_MAX_MESSAGES: "7" })).toMatchObject({ maxAttributeLength: 500, maxMessages: 7 });
    expect(resolveConfig({ maxMessages: 3 }, { CATALYST_MAX_MESSAGES: "7" }).maxMessages).toBe(3);
    expect(resolveConfig({}, { CATALYST_MAX_MESSAGES: "lots" }).maxMessages).toBe(64);
    expect(resolveConfig({}, {})).toMatchObject({ maxAttributeLength: 32000, maxMessages: 64, maxQueueSize: 2048 });
  });
});

let receiver: Receiver;
let api: typeof import("../../src/index");
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let mock: { baseURL: string; close(): Promise<void> };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  api = await import("../../src/index");
  tracing = await api.setup({ batching: "simple", maxMessages: 20, maxAttributeLength: 5000 });
});
afterAll(async () => {
  await tracing?.shutdown();
  await receiver?.close();
  await mock?.close();
});

describe("limits end to end", () => {
  it("a 500-message conversation keeps its output, tokens and model; inputs are capped and marked", async () => {
    receiver.clear();
    const span = tracing.tracer.startSpan("long-chat");
    span.setAttribute("openinference.span.kind", "LLM");
    span.setAttribute("llm.model_name", "gpt-long");
    // set one by one, in the order an integration does: inputs first, outputs and tokens last
    for (let i = 0; i < 500; i++) {
      span.setAttribute(`llm.input_messages.${i}.message.role`, i === 0 ? "system" : i % 2 ? "user" : "assistant");
      span.setAttribute(`llm.input_messages.${i}.message.content`, `message ${i}`);
    }
    span.setAttribute("input.value", "q".repeat(1_000_000));
    span.setAttribute("input.mime_type", "text/plain");
    span.setAttribute("llm.output_messages.0.message.role", "assistant");
    span.setAttribute("llm.output_messages.0.message.content", "the final answer");
    span.setAttribute("output.value", "the final answer");
    span.setAttribute("llm.token_count.prompt", 5000);
    span.setAttribute("llm.token_count.completion", 4);
    span.setAttribute("llm.token_count.total", 5004);
    span.end();
    await tracing.forceFlush();
    const [s] = await receiver.waitForSpans((x) => x.some((y) => y.name === "long-chat"));
    const a = one(receiver.spans, (x) => x.name === "long-chat").attributes;
    void s;
    expect(a).toMatchObject({
      "llm.model_name": "gpt-long",
      "output.value": "the final answer",
      "llm.output_messages.0.message.content": "the final answer",
      "llm.token_count.total": 5004,
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.19.message.content": "message 499",
      [INPUT_MESSAGES_DROPPED]: 480,
    });
    expect(a["llm.input_messages.20.message.role"]).toBeUndefined();
    expect((a["input.value"] as string).length).toBeLessThanOrEqual(5000);
    expect(a["input.value"]).toMatch(/truncated 99\d{4} chars\]$/);
    expect(a[TRUNCATED_ATTRIBUTES]).toContain("input.value");
  });

  it("the zero-code app with a 200 kB prompt: the span stays small, the app's output is unchanged", async () => {
    receiver.clear();
    const app = path.join(FIXTURES, "apps", "reliability-openai", "app.mjs");
    const env = { OPENAI_BASE_URL: mock.baseURL, CALLS: "1", BIG_INPUT: "200000" };
    const base = await node([app], { env });
    const r = await node(["--import", "@inference/tracing/register", app], {
      env: { ...env, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_MAX_ATTRIBUTE_LENGTH: "10000" },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(base.stdout);
    const big = byKind(receiver.spans, "LLM").find((s) => String(s.attributes["llm.input_messages.1.message.content"] ?? "").startsWith("hello 0"))!;
    expect(big).toBeDefined();
    for (const v of Object.values(big.attributes)) if (typeof v === "string") expect(v.length).toBeLessThanOrEqual(10_000);
    expect(big.attributes["llm.input_messages.1.message.content"]).toMatch(/truncated \d+ chars\]$/);
    expect(big.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    expect(big.attributes["llm.output_messages.0.message.role"]).toBe("assistant");
    expect(receiver.requests.every((q) => q.bytes < 200_000)).toBe(true);
  });
});
