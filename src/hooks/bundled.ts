/**
 * SDK modules inlined into a bundle hand themselves over here. A bundle loads nothing from
 * node_modules, so no load hook can see its SDKs: our bundler plugins (src/bundler/) put a small
 * proxy module in front of each supported SDK module the bundle inlines, and once that module has
 * evaluated the proxy calls add() on a registry kept on globalThis. Until tracing starts, add()
 * queues; start() installs the receiver, which patches the queue and then every later add() at
 * once, through the same instrumenter (version range, enabled integrations, installResults) as the
 * load hooks.
 */
import type { Instrumenter } from "./instrumenter";
import { debug, internalError } from "../util/log";
import { noteBundledApi } from "./otel-api-copies";

/** The registry's key on globalThis (Symbol.for), shared by every copy of our code and every proxy. */
export const BUNDLED_MODULES_KEY = "@inference/tracing.bundledModules";

/**
 * Not an SDK: the bundle's own copy of the OpenTelemetry API, handed over so that our tracer
 * provider is registered through it (see bundledOtelApi() in otel-api-copies.ts).
 */
export const OTEL_API = "@opentelemetry/api";

/** What a proxy hands over: one evaluated SDK module. */
export interface BundledModule {
  /** The integration's key (registry.ts). */
  integration: string;
  /** The package, or package/file for a file inside it, as the load hooks name it. */
  moduleName: string;
  /** The package's version, read from its package.json when the bundle was built. */
  version?: string;
  format: "esm" | "cjs";
  /**
   * The module's exports: an ES module's namespace (or, where the integration replaces exports,
   * an object whose setters rebind the proxy's exports), or a CommonJS module.exports.
   */
  exports: object;
  /** CommonJS: hand later require()s these exports instead (an integration that had to replace them). */
  replace?(exports: object): void;
}

interface Registry {
  pending: BundledModule[];
  /** Returns replacement exports when the module was patched at once and had to be replaced. */
  add(m: BundledModule): object | undefined;
}

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  const key = Symbol.for(BUNDLED_MODULES_KEY);
  return (g[key] ??= { pending: [], add(m) {
    this.pending.push(m);
    return undefined;
  } });
}

/** API 1.3 and later: what our OpenTelemetry SDK works with. */
function usableOtelApi(version: string | undefined): boolean {
  const m = /^1\.(\d+)\./.exec(version ?? "");
  return !!m && Number(m[1]) >= 3;
}

function patchBundled(instrumenter: Instrumenter, m: BundledModule): object | undefined {
  if (m.integration === OTEL_API) {
    if (usableOtelApi(m.version)) noteBundledApi(m.exports);
    return undefined;
  }
  const integration = instrumenter.byKey(m.integration);
  if (!integration) {
    debug(`bundled module ${m.moduleName} names no integration this version knows ("${m.integration}"); left unpatched`);
    return undefined;
  }
  if (!instrumenter.isEnabled(integration)) return undefined;
  return instrumenter.patch(integration, m.exports, { format: m.format, moduleName: m.moduleName, version: m.version });
}

/** Patch the SDK modules bundles handed over so far, and every one handed over from now on. */
export function receiveBundledModules(instrumenter: Instrumenter): void {
  const r = registry();
  r.add = (m) => {
    try {
      return patchBundled(instrumenter, m);
    } catch (err) {
      internalError("bundled-module", err);
      return undefined;
    }
  };
  const queued = r.pending.splice(0);
  for (const m of queued) {
    const replacement = r.add(m);
    if (replacement) m.replace?.(replacement);
  }
  if (queued.length > 0) debug(`patched ${queued.length} bundled SDK module(s) that evaluated before tracing started`);
}
