/**
 * Next.js: `export default withInferenceTracing(nextConfig)` in next.config, plus instrumentation.ts:
 *
 *   export async function register() {
 *     if (process.env.NEXT_RUNTIME === "nodejs") await import("@inference/tracing/register");
 *   }
 *
 * Next bundles server code (with Turbopack from Next 16 on, or webpack) and inlines the SDKs into
 * its chunks, where no load hook sees them. withInferenceTracing keeps the supported SDKs, and our
 * own package, out of the Node.js server bundles (serverExternalPackages): they are loaded from
 * node_modules when a route first needs them, after register() has installed the hooks, which
 * patch them there — also when Turbopack loads them through its hashed aliases
 * (`.next/node_modules/openai-<hash>`), which lead to the same files. Our package itself must stay
 * external: bundled, the register's file and module lookups would be the bundler's. Client
 * bundles, the Edge runtime and middleware are left as they are.
 */
import { createRequire } from "node:module";
import path = require("node:path");
import { INTEGRATIONS } from "../integrations/registry";
import { debug } from "../util/log";

/** The part of a Next.js config this touches; everything else is passed through as it is. */
export interface NextConfigLike {
  serverExternalPackages?: string[];
  experimental?: Record<string, unknown> & { serverComponentsExternalPackages?: string[] };
  [key: string]: unknown;
}

type NextConfigFunction<C> = (phase: string, context: { defaultConfig: NextConfigLike }) => C | Promise<C>;

/** Every supported SDK package, and ours. */
export const NEXT_EXTERNAL_PACKAGES: readonly string[] = ["@inference/tracing", ...new Set(INTEGRATIONS.flatMap((i) => i.packages))];

/** The major version of the Next.js the app builds with (from its folder), if found. */
function nextMajor(): number | undefined {
  try {
    const version = createRequire(path.join(process.cwd(), "package.json"))("next/package.json").version as string;
    return parseInt(version, 10);
  } catch {
    return undefined;
  }
}

const merge = (list: unknown, add: readonly string[]): string[] => [...new Set([...(Array.isArray(list) ? list : []), ...add])];

function withPackagesExternal<C extends NextConfigLike>(config: C): C {
  const major = nextMajor();
  if (major !== undefined && major < 15) {
    // Next 13.4 and 14: the option's earlier name, and instrumentation.ts behind a flag
    const experimental = { ...config.experimental, instrumentationHook: true };
    experimental.serverComponentsExternalPackages = merge(experimental.serverComponentsExternalPackages, NEXT_EXTERNAL_PACKAGES);
    return { ...config, experimental };
  }
  debug(`next.config: ${NEXT_EXTERNAL_PACKAGES.length} packages kept out of the server bundles`);
  return { ...config, serverExternalPackages: merge(config.serverExternalPackages, NEXT_EXTERNAL_PACKAGES) };
}

/** The Next.js config with the supported SDKs and @inference/tracing kept out of the server bundles. */
export function withInferenceTracing<C extends NextConfigLike>(config: C): C;
export function withInferenceTracing<C extends NextConfigLike>(config: NextConfigFunction<C>): NextConfigFunction<C>;
export function withInferenceTracing<C extends NextConfigLike>(config: C | NextConfigFunction<C> = {} as C): C | NextConfigFunction<C> {
  if (typeof config === "function") return async (phase, context) => withPackagesExternal(await config(phase, context));
  return withPackagesExternal(config);
}

export default withInferenceTracing;
