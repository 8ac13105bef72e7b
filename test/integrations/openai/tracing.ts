/**
 * In-process tracing for the provider tests: setup() with the real pipeline, plus a
 * SimpleSpanProcessor → OTLP/HTTP exporter → the real OTLP receiver the tests read.
 * (The pipeline's own endpoint points at a second receiver: see the report on the export
 * queue stalling after a flush of an empty queue; these tests must not depend on it.)
 */
import { SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { startOtlpReceiver, type Receiver } from "../../helpers/receiver";
import type { ReceivedSpan } from "../../helpers/spans";

export interface Tracing {
  receiver: Receiver;
  handle: any;
  api: typeof import("../../../dist/index.js");
  spansAfter(fn: () => Promise<unknown>, count?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export async function startTracing(modules: Record<string, unknown> = {}): Promise<Tracing> {
  const receiver = await startOtlpReceiver();
  const sink = await startOtlpReceiver();
  process.env.CATALYST_OTLP_ENDPOINT = sink.url;
  process.env.CATALYST_CONSOLE = "off";
  const api = await import("../../../dist/index.js");
  const processor = new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }));
  const handle = await api.setup({ batching: "simple", spanProcessors: [processor], modules: modules as any });
  return {
    receiver,
    handle,
    api,
    async spansAfter(fn, count = 1) {
      receiver.clear();
      await fn();
      await processor.forceFlush();
      return receiver.waitForSpans((s) => s.filter((x) => x.attributes["openinference.span.kind"]).length >= count, 5000);
    },
    async close() {
      await handle.shutdown();
      await receiver.close();
      await sink.close();
    },
  };
}

export const llmSpans = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
