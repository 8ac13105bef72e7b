/**
 * esbuild: `plugins: [inferenceTracingPlugin()]`. Every import of a supported SDK module is
 * resolved by esbuild as usual and then loaded through a proxy (./core.ts) that hands the SDK's
 * exports to the tracer; `import "@inference/tracing"` gets the bundle runtime (one file, safe to
 * inline) unless the build marks our package external.
 */
import path = require("node:path");
import type { Plugin, PluginBuild } from "esbuild";
import { BUNDLE_RUNTIME, SdkModules, isRuntimeImport, proxySource, type BundlerPluginOptions, type MarkedModule, type ProxyKind } from "./core";

export type { BundlerPluginOptions } from "./core";

const NAMESPACE = "inference-tracing-proxy";
const RESOLVING = Symbol.for("@inference/tracing.esbuild.resolving");

interface ProxyData {
  marked: MarkedModule;
  kind: ProxyKind;
}

/** Whether the build leaves `name` to be loaded at run time. */
function isExternal(build: PluginBuild, name: string): boolean {
  const o = build.initialOptions;
  if (o.packages === "external") return true;
  // esbuild's rules: a package name also covers its subpaths; one "*" is a wildcard
  return (o.external ?? []).some((e) => {
    if (e === name || name.startsWith(`${e}/`)) return true;
    const star = e.indexOf("*");
    return star !== -1 && name.startsWith(e.slice(0, star)) && name.endsWith(e.slice(star + 1));
  });
}

export function inferenceTracingPlugin(options: BundlerPluginOptions = {}): Plugin {
  return {
    name: "@inference/tracing",
    setup(build) {
      const modules = new SdkModules();

      build.onResolve({ filter: /^@inference\/tracing(?:\/bundle-runtime)?$/ }, (args) => {
        if (!isRuntimeImport(args.path) || isExternal(build, args.path)) return undefined;
        return { path: BUNDLE_RUNTIME };
      });

      build.onResolve({ filter: modules.filter() }, async (args) => {
        // the proxy's own import of the real module, or our nested resolve below
        if (args.namespace === NAMESPACE || args.pluginData?.[RESOLVING]) return undefined;
        if (args.kind !== "import-statement" && args.kind !== "require-call" && args.kind !== "dynamic-import") return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          namespace: args.namespace,
          resolveDir: args.resolveDir,
          pluginData: { [RESOLVING]: true },
        });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== "file" || !resolved.path) return undefined;
        const marked = modules.classify(args.path, resolved.path);
        if (!marked) return undefined;
        const kind: ProxyKind = args.kind === "require-call" ? "cjs" : "esm";
        const data: ProxyData = { marked, kind };
        // one proxy per module and module system (an SDK both imported and required gets two)
        return { path: resolved.path, namespace: NAMESPACE, suffix: `?${kind}`, pluginData: data, sideEffects: true };
      });

      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const { marked, kind } = args.pluginData as ProxyData;
        return { contents: proxySource(marked, args.path, kind, options), resolveDir: path.dirname(args.path), loader: "js" };
      });
    },
  };
}

export default inferenceTracingPlugin;
