/**
 * The copies of @opentelemetry/api this process has loaded, so that registering our provider
 * reaches every proxy tracer handed out before it existed.
 *
 * A tracer taken from the API before any provider is registered is a ProxyTracer of that copy's
 * own ProxyTracerProvider; registering completes only the proxy of the copy it goes through. API
 * 1.10 ships an ES-module build beside its CommonJS one, so an ES-module app loads a second copy of
 * the same package: the Anthropic SDK (a tracer per client), LiveKit (one per module) and an app's
 * own `trace.getTracer()` at top level then hold proxies no registration reaches, and their spans
 * are lost. Our pipeline starts on the first span, after the app's modules have loaded, so it hands
 * each copy's proxy the provider itself.
 */
import fs = require("node:fs");
import path = require("node:path");
import type { TracerProvider } from "@opentelemetry/api";
import { debug } from "../util/log";
import { nodeRequire } from "../util/runtime";
import { scanAppImports } from "./app-imports";
import { appEntry, findPackage } from "./resolve";

const API = "@opentelemetry/api";

/** Copies bundles handed over (hooks/bundled.ts), in order. */
const bundledApis: object[] = [];

export function noteBundledApi(api: object): void {
  bundledApis.push(api);
}

/**
 * The OpenTelemetry API a bundle carries (the first one handed over), if any: the pipeline
 * registers through it, as it prefers the copy in node_modules for an unbundled app.
 */
export function bundledOtelApi(): object | undefined {
  return bundledApis[0];
}

/** Folders of packages patched as ES modules: their own copy of the API is loaded when they are. */
const esmPackageDirs = new Set<string>();

export function noteEsmPackage(dir: string): void {
  esmPackageDirs.add(dir);
}

interface ProxyProviderLike {
  _delegate?: unknown;
  setDelegate(provider: TracerProvider): void;
}

/**
 * Hand `provider` to every loaded copy's proxy provider that has none yet (the copy registration
 * went through has it already). Returns how many it completed.
 */
export function completeApiCopies(provider: TracerProvider): number {
  let completed = 0;
  for (const copy of new Set([...bundledApis, ...cjsCopies(), ...esmCopies()])) {
    const proxy = (copy as { trace?: { _proxyTracerProvider?: ProxyProviderLike } } | undefined)?.trace?._proxyTracerProvider;
    if (!proxy || typeof proxy.setDelegate !== "function" || proxy._delegate) continue;
    proxy.setDelegate(provider);
    completed++;
  }
  if (completed > 0) debug(`our tracer provider completed the proxies of ${completed} more loaded cop${completed === 1 ? "y" : "ies"} of ${API}`);
  return completed;
}

/** CommonJS copies: their entries in require.cache (1.10's dist/index.cjs, or build/src/index.js before it). */
function cjsCopies(): unknown[] {
  const cache = nodeRequire().cache;
  return Object.keys(cache)
    .filter((file) => /[\\/]@opentelemetry[\\/]api[\\/](dist[\\/]index\.cjs|build[\\/]src[\\/]index\.js)$/.test(file))
    .map((file) => cache[file]?.exports);
}

/**
 * ES-module copies, which no cache we can read lists: the copy imported by each package known to
 * be loaded as an ES module that depends on the API — the SDKs patched as ES modules, and the
 * packages the app's files import (the API itself included). require() of an ES module already
 * loaded returns that very instance. A package the app imports only later, with import(), would
 * have its copy loaded here first (~30 ms, once); it then reads the registered provider anyway.
 */
function esmCopies(): unknown[] {
  const dirs = new Set([...esmPackageDirs].filter((dir) => dependsOnApi(readManifest(dir))));
  const { file, dir: appDir } = appEntry();
  if (file) {
    for (const pkg of scanAppImports(file).esm) {
      if (pkg === API) {
        dirs.add(appDir);
        continue;
      }
      const loc = findPackage(pkg, appDir);
      if (loc && dependsOnApi(loc.json)) dirs.add(loc.dir);
    }
  }
  const entries = new Set<string>();
  for (const dir of dirs) {
    const entry = findPackage(API, dir)?.esmEntry;
    // before 1.10 the API had no ES-module build: an import gets the CommonJS copy
    if (entry?.endsWith(".mjs")) entries.add(entry);
  }
  const copies: unknown[] = [];
  for (const entry of entries) {
    try {
      copies.push(nodeRequire()(entry));
    } catch (err) {
      debug(`the ES-module copy of ${API} at ${entry} could not be reached (${(err as Error)?.message ?? err}); tracers taken from it before our first span stay no-ops`);
    }
  }
  return copies;
}

type Manifest = { dependencies?: object; peerDependencies?: object } | undefined;

function dependsOnApi(json: Manifest): boolean {
  return !!json && (API in (json.dependencies ?? {}) || API in (json.peerDependencies ?? {}));
}

function readManifest(dir: string): Manifest {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return undefined;
  }
}
