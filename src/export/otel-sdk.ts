/**
 * The OpenTelemetry SDK parts the export pipeline uses. The build bundles this file (tree-shaken,
 * with its dependencies) into dist/otel-sdk.bundle.js, which the first span loads with the V8 code
 * cache: loading the SDK packages file by file put ~80 ms on the app's first LLM call.
 */
export { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
export { AlwaysOnSampler } from "@opentelemetry/sdk-trace-base";
export { resourceFromAttributes } from "@opentelemetry/resources";
