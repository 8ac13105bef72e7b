/**
 * webpack 5: `plugins: [new InferenceTracingWebpackPlugin()]`. Once webpack has resolved an import
 * of a supported SDK module, the module is built through our loader (./webpack-loader.ts), which
 * emits the proxy (./core.ts) in place of the SDK's source; the proxy imports the real file by
 * path, a module of its own. `import "@inference/tracing"` gets the bundle runtime (one file that
 * webpack can take in as is) unless the configuration makes our package external.
 */
import path = require("node:path");
import type { Compiler } from "webpack";
import { BUNDLE_RUNTIME, BUNDLE_RUNTIME_SPECIFIER, SdkModules, type BundlerPluginOptions, type ProxyKind } from "./core";

export type { BundlerPluginOptions } from "./core";

const NAME = "@inference/tracing";
const LOADER = path.join(__dirname, "webpack-loader.js");

/**
 * The proxy's module system: the one webpack gives the file (an .mjs file or a "type": "module"
 * package is an ES module, .cjs CommonJS: the proxy is parsed as that file would be), else the
 * import's (require() gets a CommonJS proxy).
 */
function proxyKind(moduleType: string | undefined, dependencyType: string): ProxyKind | undefined {
  if (moduleType === "javascript/esm") return "esm";
  if (moduleType === "javascript/dynamic") return "cjs";
  if (moduleType !== undefined && moduleType !== "javascript/auto") return undefined;
  return dependencyType === "commonjs" ? "cjs" : dependencyType === "esm" ? "esm" : undefined;
}

export class InferenceTracingWebpackPlugin {
  constructor(private readonly options: BundlerPluginOptions = {}) {}

  apply(compiler: Compiler): void {
    const modules = new SdkModules();
    // aliases apply after externals: a configuration that keeps our package external still does
    const alias = (compiler.options.resolve.alias ??= {});
    if (!Array.isArray(alias)) {
      alias["@inference/tracing$"] ??= BUNDLE_RUNTIME;
      alias[`${BUNDLE_RUNTIME_SPECIFIER}$`] ??= BUNDLE_RUNTIME;
    }
    compiler.hooks.normalModuleFactory.tap(NAME, (factory) => {
      factory.hooks.afterResolve.tap(NAME, (data) => {
        const created = data.createData;
        const file = created.resourceResolveData?.path as string | undefined;
        // the proxy's own import of the real module (the proxy is built from that very file)
        if (!file || data.contextInfo.issuer === file) return;
        const kind = proxyKind(created.type, data.dependencyType);
        if (!kind) return;
        const marked = modules.classify(data.request, file);
        if (!marked) return;
        const options = { marked, kind, start: !!this.options.start };
        const ident = `inference-tracing-proxy-${kind}`;
        created.loaders = [{ loader: LOADER, options, ident, type: undefined }, ...(created.loaders ?? [])];
        // the module's identity: the proxy and the real file it imports are two modules
        created.request = `${LOADER}??${ident}!${created.request}`;
      });
    });
  }
}

export default InferenceTracingWebpackPlugin;
