/**
 * The GenAI conventions and metrics through the zero-code door: ordinary apps using the real
 * openai and anthropic SDKs against the mock providers, run as subprocesses with
 * `--import @inference/tracing/register`; spans and metrics decoded by the real OTLP receiver.
 */
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOtlpReceiver, type ReceivedMetric, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

let receiver: Receiver;
let openaiMock: any;
let anthropicMock: any;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openaiMock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
});
afterAll(async () => {
  await openaiMock?.close();
  await anthropicMock?.close();
  await receiver?.close();
});
beforeEach(() => receiver.clear());

const app = (name: string) => path.join(FIXTURES, "apps", name, "app.js");
/** Our model-call spans (the Anthropic SDK's own spans, which carry gen_ai.* of their own, are not ours). */
const isModelCall = (s: ReceivedSpan) =>
  s.scope.name === "@inference/tracing" &&
  (["LLM", "EMBEDDING"].includes(s.attributes["openinference.span.kind"] as string) || ["chat", "embeddings"].includes(s.attributes["gen_ai.operation.name"] as string));

/** Run the app untraced and traced; the traced stdout must be the same. Returns the model-call spans once all arrived. */
async function traced(name: string, env: Record<string, string>, modelCalls: number): Promise<ReceivedSpan[]> {
  const providers = { OPENAI_BASE_URL: openaiMock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url };
  const plain = await node([app(name)], { env: providers });
  expect(plain.code, plain.stderr).toBe(0);
  receiver.clear();
  const r = await node(["--import", "@inference/tracing/register", app(name)], {
    env: { ...providers, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_CONSOLE: "off", ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(plain.stdout);
  return (await receiver.waitForSpans((s) => s.filter(isModelCall).length >= modelCalls, 10_000)).filter(isModelCall);
}

const metric = (metrics: ReceivedMetric[], name: string) => metrics.filter((m) => m.name === name).at(-1);
const total = (m: ReceivedMetric | undefined, pick: (p: ReceivedMetric["points"][number]) => boolean, field: "sum" | "count" | "value") =>
  (m?.points ?? []).filter(pick).reduce((n, p) => n + (p[field] ?? 0), 0);

describe("GenAI conventions, zero-code", () => {
  it("OpenAI with CATALYST_SEMCONV=both: gen_ai.* beside unchanged OpenInference; metrics match the spans", async () => {
    const spans = await traced("openai-esm", { CATALYST_SEMCONV: "both" }, 5);
    const chats = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
    expect(chats.length).toBe(4);
    for (const s of chats) {
      expect(s.name).toMatch(/^OpenAI /);
      expect(s.attributes).toMatchObject({ "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o-mini" });
      expect(s.attributes["gen_ai.usage.input_tokens"]).toBe(s.attributes["llm.token_count.prompt"]);
      expect(s.attributes["gen_ai.usage.output_tokens"]).toBe(s.attributes["llm.token_count.completion"]);
      expect(s.attributes["llm.input_messages.0.message.content"]).toBeDefined(); // OpenInference content stays
      expect(s.attributes["gen_ai.input.messages"]).toBeUndefined(); // GenAI content is opt-in
    }
    const streamed = chats.find((s) => s.attributes["llm.streaming"] === true)!;
    expect(streamed.attributes["gen_ai.request.stream"]).toBe(true);
    expect(streamed.attributes["gen_ai.response.time_to_first_chunk"]).toBeGreaterThan(0);
    expect(spans.find((s) => s.attributes["openinference.span.kind"] === "EMBEDDING")!.attributes["gen_ai.operation.name"]).toBe("embeddings");

    // metrics arrive at exit; token sums and call counts are those of the spans
    const metrics = await receiver.waitForMetrics((m) => m.some((x) => x.name === "gen_ai.client.operation.duration"), 10_000);
    const request = receiver.requests.find((q) => q.url === "/v1/metrics")!;
    expect(request.headers["content-type"]).toBe("application/x-protobuf");
    const tokens = metric(metrics, "gen_ai.client.token.usage");
    const spanSum = (key: string) => spans.reduce((n, s) => n + (typeof s.attributes[key] === "number" ? (s.attributes[key] as number) : 0), 0);
    expect(total(tokens, (p) => p.attributes["gen_ai.token.type"] === "input", "sum")).toBe(spanSum("llm.token_count.prompt"));
    expect(total(tokens, (p) => p.attributes["gen_ai.token.type"] === "output", "sum")).toBe(spanSum("llm.token_count.completion"));
    expect(total(metric(metrics, "gen_ai.client.operation.duration"), () => true, "count")).toBe(spans.length);
    expect(total(metric(metrics, "gen_ai.client.operation.time_to_first_chunk"), () => true, "count")).toBe(spans.filter((s) => s.attributes["llm.streaming"] === true).length);
    expect(total(metric(metrics, "llm.client.cost"), () => true, "value")).toBeCloseTo(spanSum("llm.cost.total"), 12);
    expect(metric(metrics, "gen_ai.client.token.usage")!.resource["service.name"]).toBeDefined();
  });

  it("Anthropic with CATALYST_SEMCONV=gen_ai and content capture: the version's names and kinds, no OpenInference keys", async () => {
    const spans = await traced("anthropic-esm", { CATALYST_SEMCONV: "gen_ai", CATALYST_GENAI_CAPTURE_CONTENT: "true", CATALYST_OTLP_PROTOCOL: "http/json" }, 3);
    expect(spans).toHaveLength(3);
    for (const s of spans) {
      expect(s.name).toBe("chat claude-sonnet-4-5");
      expect(s.kind).toBe(3); // OTLP SPAN_KIND_CLIENT
      expect(s.attributes["gen_ai.provider.name"]).toBe("anthropic");
      expect(Object.keys(s.attributes).filter((k) => /^(openinference|llm|input|output)\./.test(k))).toEqual([]);
      expect(s.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
    }
    const first = spans.find((s) => String(s.attributes["gen_ai.input.messages"]).includes("hello from esm"))!;
    expect(JSON.parse(first.attributes["gen_ai.input.messages"] as string)).toContainEqual({ role: "user", parts: [{ type: "text", content: "hello from esm" }] });
    expect(JSON.parse(first.attributes["gen_ai.output.messages"] as string)[0].role).toBe("assistant");
    const metrics = await receiver.waitForMetrics((m) => m.some((x) => x.name === "gen_ai.client.token.usage"), 10_000);
    expect(receiver.requests.find((q) => q.url === "/v1/metrics")!.headers["content-type"]).toBe("application/json");
    const outputSum = spans.reduce((n, s) => n + (s.attributes["gen_ai.usage.output_tokens"] as number), 0);
    expect(total(metric(metrics, "gen_ai.client.token.usage"), (p) => p.attributes["gen_ai.token.type"] === "output", "sum")).toBe(outputSum);
  });

  it("OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: GenAI attributes beside OpenInference, renamed metrics, same token and header rules", async () => {
    const spans = await traced("openai-cjs", { OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental", CATALYST_OTLP_TOKEN: "tok_metrics_123456", CATALYST_OTLP_COMPRESSION: "gzip" }, 3);
    expect(spans.every((s) => s.attributes["openinference.span.kind"] === "LLM" && s.attributes["gen_ai.operation.name"] === "chat")).toBe(true);
    expect(spans.find((s) => s.status.code === 2)!.attributes["error.type"]).toBeDefined();
    const metrics = await receiver.waitForMetrics((m) => m.some((x) => x.name === "gen_ai.client.inference.duration"), 10_000);
    expect(metrics.some((m) => m.name === "gen_ai.client.operation.duration")).toBe(false);
    const failed = metric(metrics, "gen_ai.client.inference.duration")!.points.filter((p) => p.attributes["error.type"] !== undefined);
    expect(failed.length).toBe(1);
    // token usage: the newer conventions' counters, which sum to the spans; the old histogram is gone
    expect(metrics.some((m) => m.name === "gen_ai.client.token.usage")).toBe(false);
    const spanSum = (key: string) => spans.reduce((n, s) => n + ((s.attributes[key] as number | undefined) ?? 0), 0);
    expect(total(metric(metrics, "gen_ai.client.inference.usage.input_tokens"), (p) => p.attributes["gen_ai.token.modality"] === "unknown", "value")).toBe(spanSum("llm.token_count.prompt"));
    expect(total(metric(metrics, "gen_ai.client.inference.usage.output_tokens"), () => true, "value")).toBe(spanSum("llm.token_count.completion"));
    const request = receiver.requests.find((q) => q.url === "/v1/metrics")!;
    expect(request.headers["authorization"]).toBe("Bearer tok_metrics_123456");
    expect(request.headers["content-encoding"]).toBe("gzip");
  });

  it("process.exit() right after a call: its metrics leave through the synchronous exit export", async () => {
    const r = await node(["--import", "@inference/tracing/register", path.join(FIXTURES, "apps", "core", "gen-ai-exit.mjs")], {
      env: { OPENAI_BASE_URL: openaiMock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_CONSOLE: "off" },
    });
    expect(r.code, r.stderr).toBe(0);
    const metrics = await receiver.waitForMetrics((m) => m.some((x) => x.name === "gen_ai.client.token.usage"), 10_000);
    const span = (await receiver.waitForSpans((s) => s.some(isModelCall), 10_000)).find(isModelCall)!;
    expect(total(metric(metrics, "gen_ai.client.token.usage"), (p) => p.attributes["gen_ai.token.type"] === "input", "sum")).toBe(span.attributes["llm.token_count.prompt"]);
  });

  it("CATALYST_METRICS=off: spans only", async () => {
    await traced("openai-cjs", { CATALYST_METRICS: "off" }, 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.some((q) => q.url === "/v1/metrics")).toBe(false);
    expect(receiver.requests.some((q) => q.url === "/v1/traces")).toBe(true);
  });
});
