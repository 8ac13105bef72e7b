/**
 * The webpack loader InferenceTracingWebpackPlugin puts in front of each supported SDK module:
 * the module's source is replaced by the proxy (./core.ts), which imports the file itself by path.
 */
import { proxySource, type MarkedModule, type ProxyKind } from "./core";

interface LoaderOptions {
  marked: MarkedModule;
  kind: ProxyKind;
  start: boolean;
}

interface LoaderContext {
  resourcePath: string;
  getOptions(): LoaderOptions;
}

function inferenceTracingProxyLoader(this: LoaderContext): string {
  const { marked, kind, start } = this.getOptions();
  return proxySource(marked, this.resourcePath, kind, { start });
}

export = inferenceTracingProxyLoader;
