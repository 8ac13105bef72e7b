/**
 * Rollup, and Vite (whose builds run Rollup plugins): `plugins: [inferenceTracingRollupPlugin()]`,
 * before the resolver plugins. ES module imports of a supported SDK module are resolved by the
 * other plugins as usual, then loaded through the proxy (./core.ts); `import "@inference/tracing"`
 * gets the bundle runtime unless the build makes our package external. require() calls that
 * @rollup/plugin-commonjs turns into imports are left as they are.
 */
import type { Plugin } from "rollup";
import { BUNDLE_RUNTIME, SdkModules, isRuntimeImport, proxySource, type BundlerPluginOptions, type MarkedModule } from "./core";

export type { BundlerPluginOptions } from "./core";

/** Rollup's mark for a module no other plugin should touch, and our proxies' namespace. */
const PREFIX = "\0inference-tracing-proxy:";

export function inferenceTracingRollupPlugin(options: BundlerPluginOptions = {}): Plugin {
  const modules = new SdkModules();
  const filter = modules.filter();
  const marked = new Map<string, MarkedModule>();
  let isExternal: (id: string) => boolean = () => false;
  return {
    name: "@inference/tracing",
    options(input) {
      const external = input.external;
      if (typeof external === "function") isExternal = (id) => !!external(id, undefined, false);
      else if (external !== undefined) {
        const list = Array.isArray(external) ? external : [external];
        isExternal = (id) => list.some((e) => (typeof e === "string" ? e === id || id.startsWith(`${e}/`) : e.test(id)));
      }
      return null;
    },
    async resolveId(source, importer, resolveOptions) {
      if (isRuntimeImport(source)) return isExternal(source) ? null : BUNDLE_RUNTIME;
      if (importer?.startsWith(PREFIX) || !filter.test(source)) return null;
      if ((resolveOptions.custom?.["node-resolve"] as { isRequire?: boolean } | undefined)?.isRequire) return null;
      const resolved = await this.resolve(source, importer, { ...resolveOptions, skipSelf: true });
      if (!resolved || resolved.external) return resolved;
      const m = modules.classify(source, resolved.id);
      if (!m) return resolved;
      marked.set(resolved.id, m);
      return { id: `${PREFIX}${resolved.id}`, moduleSideEffects: true };
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const real = id.slice(PREFIX.length);
      return proxySource(marked.get(real)!, real, "esm", options);
    },
  };
}

export default inferenceTracingRollupPlugin;
