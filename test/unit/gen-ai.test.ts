/**
 * The OpenTelemetry GenAI conventions (v1.41.0) computed at export time from OpenInference
 * attributes, on real SDK spans run through the real export transforms (cost, privacy, limits):
 * `both` leaves every OpenInference key and value as `openinference` has it, `gen_ai` renames and
 * rekinds spans, content is opt-in and shares privacy; and the GenAI metrics' aggregation and
 * OTLP encoding, decoded with the receiver's OTLP metrics protobuf.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { resolveConfig, type SetupOptions } from "../../src/config";
import { MetricAggregator, encodeMetricsRequestJson, encodeMetricsRequestProto } from "../../src/export/metrics";
import { exportTransforms, genAiMetricDefinitions } from "../../src/transforms";
import { providerName, requestModel, responseModel } from "../../src/transforms/gen-ai";
import { record } from "../helpers/otel-spans";
// @ts-expect-error plain ESM fixture without types
import { decodeMetricsBody } from "../../fixtures/otlp-receiver.mjs";

const LLM_ATTRIBUTES = {
  "openinference.span.kind": "LLM",
  "gen_ai.system": "openai",
  "llm.system": "openai",
  "llm.provider": "azure",
  "llm.model_name": "gpt-4o-mini-2024-07-18",
  "llm.request.model_name": "gpt-4o-mini",
  "llm.response.model_name": "gpt-4o-mini-2024-07-18",
  "llm.response.id": "chatcmpl-123",
  "llm.finish_reason": "stop",
  "llm.streaming": true,
  "llm.time_to_first_chunk": 0.25,
  "llm.invocation_parameters": JSON.stringify({ model: "gpt-4o-mini", temperature: 0.2, max_completion_tokens: 50, top_p: 0.9, stop: ["END"], seed: 7, n: 2, response_format: { type: "json_object" } }),
  "input.value": JSON.stringify({ messages: [{ role: "user", content: "hi, my key is sk-proj-abcdefghijklmnopqrstuvwxyz0123456789" }] }),
  "input.mime_type": "application/json",
  "output.value": "Hello!",
  "llm.input_messages.0.message.role": "system",
  "llm.input_messages.0.message.content": "be nice",
  "llm.input_messages.1.message.role": "user",
  "llm.input_messages.1.message.content": "weather in Paris?",
  "llm.input_messages.2.message.role": "assistant",
  "llm.input_messages.2.message.tool_calls.0.tool_call.id": "call_1",
  "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "get_weather",
  "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments": '{"city":"Paris"}',
  "llm.input_messages.3.message.role": "tool",
  "llm.input_messages.3.message.tool_call_id": "call_1",
  "llm.input_messages.3.message.content": "rainy",
  "llm.output_messages.0.message.role": "assistant",
  "llm.output_messages.0.message.content": "Hello!",
  "llm.tools.0.tool.json_schema": JSON.stringify({ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object" } } }),
  "llm.token_count.prompt": 120,
  "llm.token_count.completion": 30,
  "llm.token_count.total": 150,
  "llm.token_count.prompt_details.cache_read": 100,
  "llm.token_count.completion_details.reasoning": 10,
  "session.id": "conv-42",
};

/** Real SDK spans: a streamed chat call, an agent, a tool, a failed embeddings call, a chain. */
function spans(): ReadableSpan[] {
  return record(([provider]) => {
    const t = provider!.getTracer("@inference/tracing");
    const llm = t.startSpan("OpenAI Chat Completions", { kind: SpanKind.INTERNAL });
    llm.setAttributes(LLM_ATTRIBUTES);
    llm.end();
    const agent = t.startSpan("agent run");
    agent.setAttributes({ "openinference.span.kind": "AGENT", "agent.name": "Planner", "agent.id": "agent-1", "input.value": "plan", "session.id": "conv-42" });
    agent.end();
    const tool = t.startSpan("tool call");
    tool.setAttributes({ "openinference.span.kind": "TOOL", "tool.name": "get_weather", "tool.description": "Weather", "tool_call.id": "call_1", "input.value": '{"city":"Paris"}', "output.value": "rainy" });
    tool.end();
    const emb = t.startSpan("OpenAI Embeddings");
    emb.setAttributes({ "openinference.span.kind": "EMBEDDING", "llm.provider": "openai", "embedding.model_name": "text-embedding-3-small", "http.response.status_code": 429 });
    emb.recordException(Object.assign(new Error("rate limited"), { name: "RateLimitError" }));
    emb.setStatus({ code: SpanStatusCode.ERROR });
    emb.end();
    const chain = t.startSpan("chain");
    chain.setAttributes({ "openinference.span.kind": "CHAIN", "input.value": "x", metadata: "{}" });
    chain.end();
  });
}

/** The spans after every export transform with these settings. */
function exported(options: SetupOptions, env: Record<string, string> = {}, aggregator?: MetricAggregator): ReadableSpan[] {
  const config = resolveConfig(options, env);
  const { transforms } = exportTransforms(config, [], aggregator);
  const out = spans();
  for (const s of out) for (const t of transforms) t(s.attributes as Record<string, unknown>, s);
  return out;
}

const byName = (list: ReadableSpan[], name: string) => list.find((s) => s.name === name)!;
const attrs = (s: ReadableSpan) => s.attributes as Record<string, unknown>;

describe("CATALYST_SEMCONV=both", () => {
  it("leaves every OpenInference key and value (and their order) exactly as openinference has them", () => {
    const oi = exported({ semconv: "openinference" });
    const both = exported({ semconv: "both" });
    for (let i = 0; i < oi.length; i++) {
      const plain = attrs(oi[i]!);
      const dual = attrs(both[i]!);
      expect(Object.keys(plain).length).toBeGreaterThan(0);
      expect(Object.keys(dual).slice(0, Object.keys(plain).length)).toEqual(Object.keys(plain));
      for (const [k, v] of Object.entries(plain)) expect(dual[k], k).toEqual(v);
      expect(both[i]!.name).toBe(oi[i]!.name);
      expect(both[i]!.kind).toBe(oi[i]!.kind);
    }
    expect(Object.keys(attrs(oi[0]!)).some((k) => k.startsWith("gen_ai.") && k !== "gen_ai.system")).toBe(false);
  });

  it("adds the v1.41.0 attributes of a model call", () => {
    const a = attrs(byName(exported({ semconv: "both" }), "OpenAI Chat Completions"));
    expect(a).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "azure.ai.openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
      "gen_ai.response.id": "chatcmpl-123",
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 120,
      "gen_ai.usage.output_tokens": 30,
      "gen_ai.usage.cache_read.input_tokens": 100,
      "gen_ai.usage.reasoning.output_tokens": 10,
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.request.seed": 7,
      "gen_ai.request.choice.count": 2,
      "gen_ai.request.stream": true,
      "gen_ai.output.type": "json",
      "gen_ai.response.time_to_first_chunk": 0.25,
      "gen_ai.conversation.id": "conv-42",
    });
    // content is opt-in
    expect(a["gen_ai.input.messages"]).toBeUndefined();
    expect(a["gen_ai.output.messages"]).toBeUndefined();
  });

  it("agent, tool and failed calls", () => {
    const list = exported({ semconv: "both" });
    expect(attrs(byName(list, "agent run"))).toMatchObject({ "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "Planner", "gen_ai.agent.id": "agent-1", "gen_ai.conversation.id": "conv-42" });
    expect(attrs(byName(list, "tool call"))).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather", "gen_ai.tool.description": "Weather", "gen_ai.tool.call.id": "call_1" });
    expect(attrs(byName(list, "tool call"))["gen_ai.tool.call.arguments"]).toBeUndefined();
    expect(attrs(byName(list, "OpenAI Embeddings"))).toMatchObject({ "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small", "error.type": "RateLimitError" });
    expect(attrs(byName(list, "chain"))["gen_ai.operation.name"]).toBeUndefined();
  });
});

describe("provider and models", () => {
  it("a server OpenInference names by its host is reported by the API it speaks; the requested model comes from the call", () => {
    expect(providerName({ "llm.provider": "127.0.0.1", "llm.system": "openai" })).toBe("openai");
    expect(providerName({ "llm.provider": "aws", "llm.system": "anthropic" })).toBe("aws.bedrock");
    expect(providerName({ "llm.provider": "my-gateway.internal" })).toBe("my-gateway.internal");
    const a = { "llm.model_name": "gpt-4o-mini-2024-07-18", "llm.invocation_parameters": '{"model":"gpt-4o-mini"}' };
    expect([requestModel(a), responseModel(a)]).toEqual(["gpt-4o-mini", "gpt-4o-mini-2024-07-18"]);
  });
});

describe("CATALYST_SEMCONV=gen_ai", () => {
  it("names and kinds spans as the version prescribes and drops the OpenInference keys", () => {
    const list = exported({}, { CATALYST_SEMCONV: "gen_ai" });
    expect(list.map((s) => [s.name, s.kind])).toEqual([
      ["chat gpt-4o-mini", SpanKind.CLIENT],
      ["invoke_agent Planner", SpanKind.INTERNAL],
      ["execute_tool get_weather", SpanKind.INTERNAL],
      ["embeddings text-embedding-3-small", SpanKind.CLIENT],
      ["chain", SpanKind.INTERNAL],
    ]);
    const chat = attrs(list[0]!);
    expect(Object.keys(chat).filter((k) => !k.startsWith("gen_ai.") && k !== "session.id")).toEqual([]);
    expect(chat["gen_ai.system"]).toBeUndefined();
    expect(chat["gen_ai.usage.input_tokens"]).toBe(120);
    expect(attrs(list[3]!)["http.response.status_code"]).toBe(429);
  });
});

describe("message content (opt-in), sharing privacy", () => {
  it("records the version's message objects", () => {
    const a = attrs(byName(exported({ semconv: "both", captureMessageContent: true }), "OpenAI Chat Completions"));
    expect(JSON.parse(a["gen_ai.input.messages"] as string)).toEqual([
      { role: "system", parts: [{ type: "text", content: "be nice" }] },
      { role: "user", parts: [{ type: "text", content: "weather in Paris?" }] },
      { role: "assistant", parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] },
      { role: "tool", parts: [{ type: "tool_call_response", id: "call_1", result: "rainy" }] },
    ]);
    expect(JSON.parse(a["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", parts: [{ type: "text", content: "Hello!" }], finish_reason: "stop" }]);
    expect(JSON.parse(a["gen_ai.tool.definitions"] as string)).toEqual([{ type: "function", name: "get_weather", description: "Weather", parameters: { type: "object" } }]);
    const tool = attrs(byName(exported({ semconv: "both" }, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "SPAN_ONLY" }), "tool call"));
    expect(tool["gen_ai.tool.call.arguments"]).toBe('{"city":"Paris"}');
    expect(tool["gen_ai.tool.call.result"]).toBe("rainy");
  });

  it("hides what the privacy settings hide, and redacts what they redact", () => {
    const hidden = attrs(byName(exported({ semconv: "gen_ai", captureMessageContent: true, privacy: { hideInputMessages: true, hideOutputText: true } }), "chat gpt-4o-mini"));
    expect(hidden["gen_ai.input.messages"]).toBeUndefined();
    expect(JSON.parse(hidden["gen_ai.output.messages"] as string)[0].parts).toEqual([{ type: "text", content: "__REDACTED__" }]);
    const both = exported({ semconv: "both", captureMessageContent: true });
    expect(JSON.stringify(both.map(attrs))).not.toContain("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");
  });
});

describe("settings", () => {
  it("CATALYST_SEMCONV, OpenTelemetry's opt-in, and the metrics URL", () => {
    expect(resolveConfig({}, {}).semconv).toBe("openinference");
    expect(resolveConfig({}, { OTEL_SEMCONV_STABILITY_OPT_IN: "http, gen_ai_latest_experimental" })).toMatchObject({ semconv: "both", genAiLatest: true });
    expect(resolveConfig({}, { OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental", CATALYST_SEMCONV: "gen_ai" }).semconv).toBe("gen_ai");
    expect(resolveConfig({ semconv: "both" }, { CATALYST_SEMCONV: "gen_ai" }).semconv).toBe("both");
    expect(resolveConfig({}, { CATALYST_OTLP_ENDPOINT: "http://c.example:4318" }).metricsUrl).toBe("http://c.example:4318/v1/metrics");
    expect(resolveConfig({}, { CATALYST_OTLP_ENDPOINT: "http://c.example:4318", CATALYST_METRICS: "off" }).metricsUrl).toBeUndefined();
    expect(resolveConfig({}, {}).metricsUrl).toBeUndefined();
    expect(resolveConfig({}, { CATALYST_OTLP_ENDPOINT: "http://c.example", OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://m.example/x" }).metricsUrl).toBe("http://m.example/x");
  });
});

describe("GenAI metrics", () => {
  const decode = (agg: MetricAggregator, json = false) => {
    const { metrics, startTime, time } = agg.collect();
    const payload = { resource: { "service.name": "svc" }, metrics, startTime, time, temporality: agg.temporality };
    return json ? decodeMetricsBody(Buffer.from(encodeMetricsRequestJson(payload)), "application/json") : decodeMetricsBody(encodeMetricsRequestProto(payload), "application/x-protobuf");
  };

  it("are recorded from the exported spans, with the version's names, buckets and attributes", () => {
    for (const json of [false, true]) {
      const agg = new MetricAggregator(genAiMetricDefinitions(false));
      exported({}, { CATALYST_OTLP_ENDPOINT: "http://c.example" }, agg);
      exported({}, { CATALYST_OTLP_ENDPOINT: "http://c.example" }, agg);
      const metrics = decode(agg, json);
      const get = (name: string) => metrics.find((m: any) => m.name === name);
      const tokens = get("gen_ai.client.token.usage");
      expect(tokens).toMatchObject({ unit: "{token}", type: "histogram", temporality: "cumulative" });
      const input = tokens.points.find((p: any) => p.attributes["gen_ai.token.type"] === "input");
      expect(input.attributes).toEqual({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "azure.ai.openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.token.type": "input",
      });
      expect(input).toMatchObject({ count: 2, sum: 240, min: 120, max: 120 });
      expect(input.explicitBounds).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
      expect(input.bucketCounts[4]).toBe(2); // (64, 256]
      expect(input.bucketCounts.reduce((n: number, c: number) => n + c, 0)).toBe(2);
      expect(tokens.points.find((p: any) => p.attributes["gen_ai.token.type"] === "output").sum).toBe(60);
      const duration = get("gen_ai.client.operation.duration");
      expect(duration.unit).toBe("s");
      expect(duration.points.map((p: any) => p.attributes["error.type"]).sort()).toEqual(["RateLimitError", undefined]);
      expect(get("gen_ai.client.operation.time_to_first_chunk").points[0]).toMatchObject({ count: 2, sum: 0.5 });
      const cost = get("llm.client.cost");
      expect(cost).toMatchObject({ type: "sum", isMonotonic: true, unit: "USD" });
      expect(cost.points[0].value).toBeGreaterThan(0);
      // agent, tool and chain spans are not model calls
      expect(duration.points.every((p: any) => ["chat", "embeddings"].includes(p.attributes["gen_ai.operation.name"]))).toBe(true);
    }
  });

  it("take the newer conventions' metrics behind gen_ai_latest_experimental: token counters by modality, per-operation histograms, embeddings apart", () => {
    for (const json of [false, true]) {
      const agg = new MetricAggregator(genAiMetricDefinitions(true));
      exported({}, { OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental" }, agg);
      exported({}, { OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental" }, agg);
      const metrics = decode(agg, json);
      expect(metrics.map((m: any) => m.name).sort()).toEqual([
        "gen_ai.client.embeddings.duration",
        "gen_ai.client.inference.duration",
        "gen_ai.client.inference.operation.input_tokens",
        "gen_ai.client.inference.operation.output_tokens",
        "gen_ai.client.inference.time_to_first_chunk",
        "gen_ai.client.inference.usage.cache_read.input_tokens",
        "gen_ai.client.inference.usage.input_tokens",
        "gen_ai.client.inference.usage.output_tokens",
        "gen_ai.client.inference.usage.reasoning.output_tokens",
        "llm.client.cost",
      ]);
      const get = (name: string) => metrics.find((m: any) => m.name === name);
      const chat = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "azure.ai.openai", "gen_ai.request.model": "gpt-4o-mini", "gen_ai.response.model": "gpt-4o-mini-2024-07-18" };
      for (const [name, value] of [["input_tokens", 240], ["output_tokens", 60], ["cache_read.input_tokens", 200], ["reasoning.output_tokens", 20]] as const) {
        const counter = get(`gen_ai.client.inference.usage.${name}`);
        expect(counter, name).toMatchObject({ type: "sum", isMonotonic: true, unit: "{token}" });
        expect(counter.points).toEqual([expect.objectContaining({ value, attributes: { ...chat, "gen_ai.token.modality": "unknown" } })]);
      }
      expect(get("gen_ai.client.inference.operation.input_tokens").points).toEqual([expect.objectContaining({ count: 2, sum: 240, attributes: chat })]);
      expect(get("gen_ai.client.inference.operation.output_tokens").points[0]).toMatchObject({ count: 2, sum: 60 });
      // the failed embeddings call: its own duration metric, not the inference one
      expect(get("gen_ai.client.embeddings.duration").points.map((p: any) => p.attributes["error.type"])).toEqual(["RateLimitError"]);
      expect(get("gen_ai.client.inference.duration").points.map((p: any) => p.attributes["gen_ai.operation.name"])).toEqual(["chat"]);
    }
  });

  it("delta temporality starts a new interval at each collection, and a failed one is merged back", () => {
    const agg = new MetricAggregator(genAiMetricDefinitions(false), "delta");
    agg.record("gen_ai.client.token.usage", 10, "x", () => ({ a: "x" }));
    const first = agg.collect();
    expect(first.metrics[0]!.series).toHaveLength(1);
    expect(agg.collect().metrics).toHaveLength(0);
    agg.record("gen_ai.client.token.usage", 5, "x", () => ({ a: "x" }));
    agg.restore(first.metrics, first.startTime);
    const merged = agg.collect();
    expect(merged.metrics[0]!.series[0]).toMatchObject({ count: 2, sum: 15, min: 5, max: 10 });
    expect(merged.startTime).toBe(first.startTime);
  });

  it("calls taking turns between models (named only in their invocation parameters) keep a series each", () => {
    const agg = new MetricAggregator(genAiMetricDefinitions(false));
    const { transforms } = exportTransforms(resolveConfig({}, { CATALYST_OTLP_ENDPOINT: "http://c.example" }), [], agg);
    const calls = ["gpt-4o-mini", "gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o"];
    const ended = record(([provider]) => {
      const t = provider!.getTracer("@inference/tracing");
      calls.forEach((model, i) => {
        const span = t.startSpan("OpenAI Chat Completions");
        span.setAttributes({
          "openinference.span.kind": "LLM",
          "llm.system": "openai",
          "llm.invocation_parameters": JSON.stringify({ model, temperature: 0.2 }),
          "llm.token_count.prompt": 10 * (i + 1),
        });
        span.end();
      });
    });
    for (const s of ended) for (const t of transforms) t(s.attributes as Record<string, unknown>, s);
    const tokens = decode(agg).find((m: any) => m.name === "gen_ai.client.token.usage");
    const sums = Object.fromEntries(tokens.points.map((p: any) => [p.attributes["gen_ai.request.model"], [p.count, p.sum]]));
    expect(sums).toEqual({ "gpt-4o-mini": [3, 10 + 40 + 50], "gpt-4o": [3, 20 + 30 + 60] });
  });

  it("memory is bounded: past the cardinality limit, one overflow series", () => {
    const agg = new MetricAggregator(genAiMetricDefinitions(false), "cumulative", 10);
    for (let i = 0; i < 50; i++) agg.record("llm.client.cost", 1, `m${i}`, () => ({ "gen_ai.request.model": `m${i}` }));
    const series = agg.collect().metrics[0]!.series;
    expect(series).toHaveLength(10);
    const overflow = series.find((s) => s.attributes["otel.metric.overflow"] === true) as { value: number };
    expect(overflow.value).toBe(41);
    expect(series.reduce((n, s) => n + (s as { value: number }).value, 0)).toBe(50);
  });
});
