// Benchmark: the export-time cost of the GenAI conventions. `npm run build && node bench/gen-ai-export.mjs`.
// Real SDK spans of a chat call (a 12-message conversation with a tool call, usage, parameters) run
// through the whole export transform chain (cost, privacy, limits) with CATALYST_SEMCONV=openinference,
// =both, =both with content capture, and =gen_ai, and with GenAI metrics on; prints the median time
// per span of each and the difference the GenAI mapping and the metrics make.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { resolveConfig } = require("../dist/config.js");
const { exportTransforms, genAiMetricDefinitions } = require("../dist/transforms/index.js");
const { MetricAggregator } = require("../dist/export/metrics.js");
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require("@opentelemetry/sdk-trace-base");

const SPANS = 2000;
const ROUNDS = 9;

function chatAttributes(i) {
  const a = {
    "openinference.span.kind": "LLM",
    "gen_ai.system": "openai",
    "llm.system": "openai",
    "llm.provider": "openai",
    "llm.model_name": "gpt-4o-mini-2024-07-18",
    "llm.request.model_name": "gpt-4o-mini",
    "llm.response.model_name": "gpt-4o-mini-2024-07-18",
    "llm.response.id": `chatcmpl-${i}`,
    "llm.finish_reason": "stop",
    "llm.invocation_parameters": JSON.stringify({ model: "gpt-4o-mini", temperature: 0.3, max_tokens: 512, tools: [{ type: "function" }] }),
    "llm.token_count.prompt": 1200 + i,
    "llm.token_count.completion": 80,
    "llm.token_count.total": 1280 + i,
    "session.id": `conv-${i % 50}`,
  };
  for (let m = 0; m < 12; m++) {
    const role = m === 0 ? "system" : m % 2 ? "user" : "assistant";
    a[`llm.input_messages.${m}.message.role`] = role;
    a[`llm.input_messages.${m}.message.content`] = `message ${m} of conversation ${i}: ` + "lorem ipsum dolor sit amet ".repeat(8);
  }
  a["llm.input_messages.12.message.role"] = "assistant";
  a["llm.input_messages.12.message.tool_calls.0.tool_call.id"] = "call_1";
  a["llm.input_messages.12.message.tool_calls.0.tool_call.function.name"] = "lookup_order";
  a["llm.input_messages.12.message.tool_calls.0.tool_call.function.arguments"] = '{"order":42}';
  a["llm.input_messages.13.message.role"] = "tool";
  a["llm.input_messages.13.message.tool_call_id"] = "call_1";
  a["llm.input_messages.13.message.content"] = '{"status":"shipped"}';
  a["llm.output_messages.0.message.role"] = "assistant";
  a["llm.output_messages.0.message.content"] = "Your order shipped yesterday.";
  a["input.value"] = JSON.stringify({ messages: 14 });
  a["output.value"] = "Your order shipped yesterday.";
  return a;
}

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)], spanLimits: { attributeCountLimit: 100_000 } });
  const tracer = provider.getTracer("bench");
  for (let i = 0; i < SPANS; i++) {
    const s = tracer.startSpan("OpenAI Chat Completions");
    s.setAttributes(chatAttributes(i));
    s.end();
  }
  return exporter.getFinishedSpans();
}

const VARIANTS = [
  ["openinference (baseline: cost, privacy, limits)", { semconv: "openinference" }, false],
  ["both", { semconv: "both" }, false],
  ["both + content capture", { semconv: "both", captureMessageContent: true }, false],
  ["gen_ai", { semconv: "gen_ai" }, false],
  ["openinference + metrics", { semconv: "openinference" }, true],
  ["both + metrics", { semconv: "both" }, true],
  // the newer conventions' metrics: token counters and per-operation histograms (9 records per chat span, not 4)
  ["openinference + metrics, gen_ai_latest_experimental", { semconv: "openinference" }, true, { OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental" }],
];

/** One round of one variant: µs per span through the whole transform chain. */
function once([, options, withMetrics, env = {}]) {
  const config = resolveConfig(options, env);
  const aggregator = withMetrics ? new MetricAggregator(genAiMetricDefinitions(config.genAiLatest)) : undefined;
  const { transforms } = exportTransforms(config, [], aggregator);
  const spans = makeSpans();
  globalThis.gc?.();
  const t0 = process.hrtime.bigint();
  for (const s of spans) for (const t of transforms) t(s.attributes, s);
  return Number(process.hrtime.bigint() - t0) / 1e3 / SPANS;
}

// the variants take turns in every round (a loaded machine slows them alike), after one warm-up round
const times = VARIANTS.map(() => []);
for (let r = 0; r <= ROUNDS; r++) {
  VARIANTS.forEach((v, i) => {
    const us = once(v);
    if (r > 0) times[i].push(us);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baseline = median(times[0]);
console.log(`export transforms per chat span (${SPANS} spans of 14 messages, median of ${ROUNDS} interleaved rounds)`);
console.log("| settings | µs per span | added vs openinference |");
console.log("|---|---|---|");
VARIANTS.forEach(([name], i) => {
  const us = median(times[i]);
  console.log(`| ${name} | ${us.toFixed(1)} | ${i === 0 ? "—" : `${us - baseline >= 0 ? "+" : ""}${(us - baseline).toFixed(1)} µs`} |`);
});
