// OpenInference's openai instrumentation with OpenTelemetry's usual set-up (NodeTracerProvider,
// BatchSpanProcessor, OTLP/protobuf exporter), preloaded before bench/apps/per-call.mjs.
import OpenAI from "openai";
import { NodeTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OpenAIInstrumentation } from "@arizeai/openinference-instrumentation-openai";

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ "service.name": "bench" }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${process.env.BENCH_COLLECTOR}/v1/traces` }))],
});
provider.register();
// for ES modules, OpenInference's documented way is to hand it the module
new OpenAIInstrumentation({ tracerProvider: provider }).manuallyInstrument(OpenAI);
globalThis[Symbol.for("bench.flush")] = () => provider.forceFlush();
