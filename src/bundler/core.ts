/**
 * What our bundler plugins share (esbuild, webpack, Rollup/Vite): which modules of a build are
 * supported SDK modules, and the proxy module put in front of each.
 *
 * The mechanism: a bundle inlines the SDKs, so no load hook fires when they evaluate. Each
 * import of a supported SDK (its entry, or a file inside it an integration patches — the same
 * modules the load hooks watch, from the registry) is resolved as usual, then redirected to a
 * proxy that imports the real module, re-exports it unchanged and hands its exports to the
 * instrumenter through a registry on globalThis (src/hooks/bundled.ts). The SDK's own code is
 * never rewritten: the same patch() as for an unbundled app runs on the same kind of exports.
 * For integrations that must replace exports (the AI SDK's functions), the ES module proxy
 * exports those names as its own reassignable bindings, as import-in-the-middle does.
 * Costs (docs/bundlers.md): a proxy holds the SDK's whole namespace, so the bundler keeps
 * exports the app does not use; a few hundred bytes per proxy; nothing at start-up but the patch.
 */
import fs = require("node:fs");
import path = require("node:path");
import { INTEGRATIONS } from "../integrations/registry";
import type { Integration } from "../integrations/types";
import { BUNDLED_MODULES_KEY, OTEL_API } from "../hooks/bundled";

export interface BundlerPluginOptions {
  /**
   * The bundle starts tracing itself when its first supported SDK module evaluates, with no
   * --import/--require preload (and no setup() call). Our runtime is then part of the bundle
   * unless @inference/tracing is marked external. Default false: the bundle is traced when it
   * runs under the preload, or once the app calls setup().
   */
  start?: boolean;
}

/** A module of the build that gets a proxy. */
export interface MarkedModule {
  integration: string;
  /** As the load hooks name it: the package, or package/file for a file inside it. */
  moduleName: string;
  version?: string;
  /** Exports the ES module proxy makes reassignable (the integration replaces them). */
  rebound: readonly string[];
}

/** The import's kind decides the proxy's module system: require() gets a CommonJS proxy. */
export type ProxyKind = "esm" | "cjs";

const OUR_PACKAGE = "@inference/tracing";
const PACKAGE_ROOT = path.resolve(__dirname, "../..");
/** Our code as a bundle carries it: the library API and startInBundle(), in one file (scripts/build.mjs). */
export const BUNDLE_RUNTIME = path.join(PACKAGE_ROOT, "dist", "bundle-runtime.js");
/** How proxies import it: the plugins resolve this to BUNDLE_RUNTIME, unless the build keeps our package external. */
export const BUNDLE_RUNTIME_SPECIFIER = `${OUR_PACKAGE}/bundle-runtime`;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const stripExt = (p: string) => p.replace(/\.(c|m)?js$/, "");

/** The supported SDK modules, from the registry. */
export class SdkModules {
  private readonly byPackage = new Map<string, Integration>();
  /** package -> files inside it an integration patches (package-relative, without extension) */
  private readonly files = new Map<string, Set<string>>();

  constructor(integrations: readonly Integration[] = INTEGRATIONS) {
    for (const i of integrations) {
      for (const p of i.packages) {
        this.byPackage.set(p, i);
        if (i.files?.length) this.files.set(p, new Set(i.files.map(stripExt)));
      }
    }
  }

  /**
   * Import paths that may lead to a supported module: a package's own name, a deep import into a
   * package with patched files, or a relative import whose last segments are such a file's.
   * (A filter, so a bundler runs our callback for few imports; classify() decides.)
   */
  filter(): RegExp {
    const names = [...this.byPackage.keys(), OTEL_API].map(escape);
    const deep = [...this.files.keys()].map((p) => `${escape(p)}/.+`);
    const basenames = [...new Set([...this.files.values()].flatMap((s) => [...s].map((f) => escape(path.posix.basename(f)))))];
    const relative = basenames.length ? [`\\.\\.?/(?:.*/)?(?:${basenames.join("|")})(?:\\.[cm]?js)?`] : [];
    return new RegExp(`^(?:${[...names, ...deep, ...relative].join("|")})$`);
  }

  /** Whether the module `request` resolved to (an absolute file) gets a proxy, and with what. */
  classify(request: string, resolved: string): MarkedModule | undefined {
    const entry = this.byPackage.get(request);
    if (entry) return this.mark(entry, request, request, packageDir(resolved, request));
    if (request === OTEL_API) {
      const dir = packageDir(resolved, request);
      return { integration: OTEL_API, moduleName: OTEL_API, version: dir ? readVersion(dir) : undefined, rebound: [] };
    }
    const pkg = packageOwning(resolved, [...this.files.keys()]);
    if (!pkg) return undefined;
    const rel = stripExt(path.relative(pkg.dir, resolved).split(path.sep).join("/"));
    if (!this.files.get(pkg.name)?.has(rel)) return undefined;
    return this.mark(this.byPackage.get(pkg.name)!, pkg.name, `${pkg.name}/${rel}`, pkg.dir);
  }

  private mark(i: Integration, pkg: string, moduleName: string, dir: string | undefined): MarkedModule {
    return { integration: i.key, moduleName, version: dir ? readVersion(dir) : undefined, rebound: pkg === i.packages[0] && moduleName === pkg ? (i.reboundExports ?? []) : [] };
  }
}

/** The folder of package `name` that holds `file`: the nearest package.json above it that names it. */
function packageDir(file: string, name: string): string | undefined {
  let d = path.dirname(file);
  for (let i = 0; i < 20; i++) {
    if (readName(d) === name) return d;
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return undefined;
}

/** Which of `packages` `file` sits in (node_modules/<name>/…), and that package's folder. */
function packageOwning(file: string, packages: string[]): { name: string; dir: string } | undefined {
  for (const name of packages) {
    const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
    const at = file.lastIndexOf(marker);
    if (at !== -1) return { name, dir: file.slice(0, at + marker.length - 1) };
  }
  return undefined;
}

function readJson(dir: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch {
    return undefined;
  }
}
const readName = (dir: string) => readJson(dir)?.name;
const readVersion = (dir: string) => readJson(dir)?.version;

/** Imports of our package that get the bundle runtime when it is inlined: the library API and the proxies' import. */
export function isRuntimeImport(request: string): boolean {
  return request === OUR_PACKAGE || request === BUNDLE_RUNTIME_SPECIFIER;
}

/**
 * The names of `rebound` the real module's text mentions at all: a name it cannot export is
 * left to the SDK's own export (a proxy never adds an export the module does not have).
 */
function reboundIn(realFile: string, rebound: readonly string[]): string[] {
  if (rebound.length === 0) return [];
  let text = "";
  try {
    text = fs.readFileSync(realFile, "utf8");
  } catch {
    return [];
  }
  return rebound.filter((name) => new RegExp(`\\b${escape(name)}\\b`).test(text));
}

const REGISTRY = `globalThis[Symbol.for(${JSON.stringify(BUNDLED_MODULES_KEY)})]`;
/** The registry, created by whichever of the proxies and our runtime comes first (hooks/bundled.ts has the same shape). */
const registrySnippet = (v: string) => `var ${v} = ${REGISTRY} || (${REGISTRY} = { pending: [], add: function (m) { this.pending.push(m); } });\n`;

/**
 * The proxy for one marked module. `realFile` is imported by absolute path: the plugins leave
 * that import alone (it comes from the proxy itself), so it is the one copy the rest of the
 * bundle shares too.
 */
export function proxySource(m: MarkedModule, realFile: string, kind: ProxyKind, options: BundlerPluginOptions = {}): string {
  const real = JSON.stringify(realFile);
  const runtime = JSON.stringify(BUNDLE_RUNTIME_SPECIFIER);
  // the runtime itself imports the OpenTelemetry API: its proxy must not import the runtime back
  const start = !!options.start && m.integration !== OTEL_API;
  const about = { integration: m.integration, moduleName: m.moduleName, version: m.version };
  const fields = Object.entries(about)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  let src = "// @inference/tracing: hands this SDK module to the tracer when it has evaluated (docs/bundlers.md)\n";
  if (kind === "cjs") {
    if (start) src += `require(${runtime}).startInBundle();\n`;
    src += `var __inferenceReal = require(${real});\n`;
    src += registrySnippet("__inferenceRegistry");
    src += `var __inferenceReplaced = __inferenceRegistry.add({ ${fields}, format: "cjs", exports: __inferenceReal, replace: function (x) { module.exports = x; } });\n`;
    src += `module.exports = __inferenceReplaced || __inferenceReal;\n`;
    return src;
  }
  const rebound = reboundIn(realFile, m.rebound);
  src += `import * as __inferenceReal from ${real};\nexport * from ${real};\n`;
  if (start) src += `import { startInBundle as __inferenceStart } from ${runtime};\n`;
  // read through a function: a bundler warns about (or rejects) a static read of an export that does not exist
  src += `var __inferenceGet = function (k) { return __inferenceReal[k]; };\n`;
  src += `export default __inferenceGet("default");\n`;
  let exportsExpr = "__inferenceReal";
  if (rebound.length > 0) {
    src += `export var ${rebound.map((n) => `${n} = __inferenceGet(${JSON.stringify(n)})`).join(", ")};\n`;
    // what the integration patches: every export readable, the rebound ones reassignable (their setters rebind the proxy's exports)
    src += `var __inferenceExports = {};\n`;
    src += `Object.keys(__inferenceReal).forEach(function (k) { Object.defineProperty(__inferenceExports, k, { get: function () { return __inferenceReal[k]; }, enumerable: true, configurable: true }); });\n`;
    for (const n of rebound) {
      src += `Object.defineProperty(__inferenceExports, ${JSON.stringify(n)}, { get: function () { return ${n}; }, set: function (v) { ${n} = v; }, enumerable: true, configurable: true });\n`;
    }
    exportsExpr = "__inferenceExports";
  }
  if (start) src += `__inferenceStart();\n`;
  src += registrySnippet("__inferenceRegistry");
  src += `__inferenceRegistry.add({ ${fields}, format: "esm", exports: ${exportsExpr} });\n`;
  return src;
}
