/**
 * ESM coverage, with the mechanism chosen per runtime (CATALYST_ESM_MODE overrides):
 *  - "sync":   import-in-the-middle's in-thread module.registerHooks loader
 *              (Node 22.22.3+, 24.11.1+, 25.1+, 26+);
 *  - "loader": import-in-the-middle through module.register (off-thread; every module
 *              load pays a round trip, measured at +350 ms or more on an openai+anthropic app);
 *  - "eager":  no loader at all: the SDK packages the app depends on are loaded from the
 *              app's folder at preload time (require(esm)) and their classes patched; the app's
 *              later `import` gets the same module instance. Default on Node 20 and on Bun;
 *  - "off":    ESM imports are not patched (CommonJS still is).
 * Only packages named by the registry are ever hooked (an allowlist), never every module.
 */
import path = require("node:path");
import type { EsmMode, Integration } from "../integrations/types";
import type { Instrumenter } from "./instrumenter";
import { stripExt } from "./cjs-hook";
import { appEntry, appManifest, findPackage } from "./resolve";
import { appImports, scanAppImports } from "./app-imports";
import { inVersionRange } from "./version-range";
import { TRACER_NAME } from "../package-info";
import { debug, internalError, warn } from "../util/log";
import { isLoaderHooksThread, nodeRequire, pathToFileURL } from "../util/runtime";

export type { EsmMode };

/** Files that break when import-in-the-middle proxies them (known from other agents). */
export const ESM_EXCLUDE = [/\/node_modules\/openai\/_shims\//, /\/node_modules\/@anthropic-ai\/sdk\/_shims\//, /\/node_modules\/langsmith\//];

/**
 * Whether import-in-the-middle's synchronous loader works on this Node: module.registerHooks
 * accepts the nullish CommonJS source it returns from 22.22.3, 24.11.1, 25.1.0 and 26.0.0 on
 * (nodejs/node#59929). A plain version check, kept here so deciding costs no module load.
 */
function syncHooksSupported(): boolean {
  if (process.versions.bun) return false;
  const [major, minor, patch] = process.versions.node.split(".").map((n) => parseInt(n, 10)) as [number, number, number];
  if (major >= 26) return true;
  if (major === 25) return minor >= 1;
  if (major === 24) return minor > 11 || (minor === 11 && patch >= 1);
  if (major === 22) return minor > 22 || (minor === 22 && patch >= 3);
  return false;
}

/** Was our loader.mjs given to Node with --experimental-loader / --loader? */
function loaderOnCommandLine(): boolean {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  return args.some((a, i) => {
    const value = /^--(experimental-)?loader=/.test(a) ? a.split("=")[1] : /^--(experimental-)?loader$/.test(a) ? args[i + 1] : undefined;
    return !!value && /@inference[\\/]tracing[\\/]loader/.test(value);
  });
}

/**
 * The mechanism for this process. `requested` is the CATALYST_ESM_MODE setting (config.ts has
 * already checked it is one of the names). The automatic choice, measured (bench/startup.mjs):
 * "eager" everywhere by default — it adds almost nothing to start-up, where import-in-the-middle's
 * loaders cost 60–100 ms on an empty script (sync hooks, Node 22/24) and hundreds of ms on an
 * SDK-heavy app (module.register, Node 20). Only when the app imports an SDK whose ESM exports must
 * be rebound to be traced (the AI SDK's functions, the Claude Agent SDK's query) is
 * import-in-the-middle used: its sync hooks where the runtime has them, else its module.register loader.
 */
export function chooseEsmMode(requested: EsmMode | "auto", integrations: readonly Integration[] = [], entry = appEntry().file): EsmMode {
  if (requested !== "auto") {
    if (process.versions.bun && (requested === "sync" || requested === "loader")) {
      warn(`CATALYST_ESM_MODE=${requested} is not available under Bun (no loader hooks); using "eager".`);
      return "eager";
    }
    if (requested === "sync" && !syncHooksSupported()) {
      warn(`CATALYST_ESM_MODE=sync needs Node 22.22.3+, 24.11.1+ or 25.1+; using "loader".`);
      return "loader";
    }
    return requested;
  }
  if (process.versions.bun) return "eager";
  // our loader given on the command line (--experimental-loader / --loader): it is already running
  if (loaderOnCommandLine()) return "loader";
  if (rebindingPackageImported(integrations, entry)) {
    if (syncHooksSupported()) return "sync";
    // Node 20: the off-thread loader is slow, but only apps that need it pay for it
    if (typeof (require("node:module") as { register?: unknown }).register === "function") return "loader";
  }
  return "eager";
}

/**
 * The first package the app imports as an ES module whose exports must be rebound to be traced.
 * The app: `entry` and the files it leads to; with no entry file (a launcher in node_modules
 * started the process, see appEntry()), the packages its package.json names.
 */
export function rebindingPackageImported(integrations: readonly Integration[], entry: string | undefined): string | undefined {
  const rebinding = integrations.filter((i) => i.esmNeedsRebinding);
  if (rebinding.length === 0) return undefined;
  const imports = entry ? scanAppImports(entry).esm : appImports()?.esm;
  if (!imports) return undefined;
  const fromDir = entry ? path.dirname(path.resolve(entry)) : appEntry().dir;
  for (const i of rebinding) for (const p of i.packages) if (imports.has(p) && needsRebinding(i, p, fromDir)) return p;
  return undefined;
}

/** Whether this package, as the app's folder resolves it, needs its ESM exports rebound (see esmNeedsRebinding). */
function needsRebinding(i: Integration, pkg: string, fromDir: string): boolean {
  if (typeof i.esmNeedsRebinding !== "string" || pkg !== i.packages[0]) return !!i.esmNeedsRebinding;
  const version = findPackage(pkg, fromDir)?.version;
  return !version || inVersionRange(version, i.esmNeedsRebinding);
}

export function esmIncludeList(integrations: readonly Integration[]): (string | RegExp)[] {
  const list: (string | RegExp)[] = [];
  for (const i of integrations) {
    for (const p of i.packages) {
      list.push(p);
      for (const f of i.files ?? []) {
        const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        list.push(new RegExp(`/node_modules/${esc(p)}/${esc(stripExt(f))}\\.(m|c)?js$`));
      }
    }
  }
  return list;
}

let installed = false;

/**
 * How the eager mode loads an SDK's ES module entry before the app does: `require()` (Node: a
 * synchronous require of an ES module is faster there than the app's own asynchronous import),
 * or a list of `import()`s the door awaits (Bun: its require of an ES module costs ~40% more
 * than its import, and a Bun preload may await).
 */
export type EagerLoad = "require" | "import";

/** Install ESM coverage once. `loaderUrl` is our loader.mjs (for the "loader" mode). */
export function installEsmHook(instrumenter: Instrumenter, mode: EsmMode, loaderUrl: string, eagerLoad: EagerLoad = "require"): { mode: EsmMode; ready?: Promise<void> } {
  if (installed) return { mode: instrumenter.esmMode };
  installed = true;
  instrumenter.esmMode = mode;
  const wanted = instrumenter.enabled();
  if (wanted.length === 0 || mode === "off") return { mode };
  try {
    if (mode === "eager") return { mode, ready: eagerPatch(instrumenter, wanted, eagerLoad) };
    // Node re-runs --require preloads inside the hooks thread: never register from there
    if (isLoaderHooksThread()) return { mode };
    const include = esmIncludeList(wanted);
    if (mode === "sync") {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { register } = require("import-in-the-middle/register-hooks.mjs");
      register({ include, exclude: ESM_EXCLUDE });
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require("node:module") as typeof import("node:module");
      if (loaderOnCommandLine()) {
        // --experimental-loader @inference/tracing/loader: registered by Node, with our allowlist
      } else if (typeof mod.register !== "function") {
        warn("ESM imports are not instrumented on this Node version (module.register is missing): use --experimental-loader @inference/tracing/loader");
        return { mode };
      } else mod.register(loaderUrl, { parentURL: pathToFileURL(__filename).href, data: { include, exclude: ESM_EXCLUDE } });
    }
    installIitmHook(instrumenter, wanted);
  } catch (err) {
    warn(`could not install the ESM hook (${mode}): ${(err as Error).message}; ESM imports will not be traced.`);
    internalError("esm-hook", err);
  }
  return { mode };
}

function installIitmHook(instrumenter: Instrumenter, wanted: readonly Integration[]): void {
  const names = [...new Set(wanted.flatMap((i) => i.packages))];
  const files = new Map<string, string>();
  for (const i of wanted) for (const f of i.files ?? []) for (const p of i.packages) files.set(stripExt(`${p}/${f}`), p);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Hook } = require("import-in-the-middle") as typeof import("import-in-the-middle");
  new Hook(names, { internals: files.size > 0 }, (exports: any, name: string, baseDir: string | void) => {
    try {
      const normalized = name.split(path.sep).join("/");
      const pkg = files.get(stripExt(normalized)) ?? (names.includes(normalized) ? normalized : undefined);
      if (!pkg) return;
      const integration = instrumenter.byPackage(pkg);
      if (integration) instrumenter.patch(integration, exports, { format: "esm", moduleName: normalized, baseDir: baseDir || undefined });
    } catch (err) {
      internalError("esm-hook", err);
    }
  });
}

/**
 * Loader-free ESM: load the ESM build of each SDK the app's own files import, from the
 * app's folder, and patch its classes before the app's imports run (the app's later
 * `import` gets the same module instance). A package the app imports that itself depends on
 * a supported SDK (a framework carrying openai, say) gets that SDK loaded from its folder too.
 * Packages the app only require()s are left to the CommonJS hook.
 */
/** A real import() (the bundler would turn a literal one into require() in this CommonJS build). */
let importer: ((url: string) => Promise<unknown>) | undefined;
const dynamicImport = (url: string) => (importer ??= new Function("url", "return import(url)") as (url: string) => Promise<unknown>)(url);

export function eagerPatch(instrumenter: Instrumenter, wanted: readonly Integration[], how: EagerLoad = "require"): Promise<void> | undefined {
  const started = Date.now();
  const imports = appImports();
  if (!imports) return undefined;
  const appDir = appManifest()?.dir ?? appEntry().dir;
  const byPackage = new Map<string, Integration>();
  for (const i of wanted) for (const p of i.packages) byPackage.set(p, i);
  const done = new Set<string>();
  const pendingImports: Promise<void>[] = [];
  const load = (pkg: string, fromDir: string) => {
    const i = byPackage.get(pkg);
    if (!i) return;
    const loc = findPackage(pkg, fromDir);
    if (!loc?.esmEntry || done.has(loc.esmEntry)) return;
    done.add(loc.esmEntry);
    // the package's entry, then the files the integration patches inside it (an entry need not lead to them)
    const files: [string, string][] = [[loc.esmEntry, pkg]];
    if (pkg === i.packages[0]) for (const f of i.esmFiles ?? []) files.push([path.join(loc.dir, f), `${pkg}/${stripExt(f)}`]);
    for (const [file, moduleName] of files) {
      const patch = (ns: unknown): void => void instrumenter.patch(i, ns, { format: "esm", moduleName, baseDir: loc.dir, version: loc.version });
      const failed = (err: unknown) => debug(`eager ESM load of ${moduleName} from ${loc.dir} failed: ${(err as Error)?.message ?? err}`);
      if (how === "import") {
        pendingImports.push(dynamicImport(pathToFileURL(file).href).then(patch, failed));
        continue;
      }
      try {
        patch(nodeRequire()(file));
      } catch (err) {
        failed(err);
      }
    }
  };
  const byKey = new Map(wanted.map((i) => [i.key, i]));
  for (const pkg of imports.esm) {
    // our own package names every supported SDK as an optional peer: importing it uses none of them
    if (pkg === TRACER_NAME) continue;
    const supported = byPackage.get(pkg);
    if (supported) {
      load(pkg, appDir);
      // the integrations it is traced through (LangGraph through LangChain), as this package resolves them
      const from = findPackage(pkg, appDir)?.dir;
      for (const key of supported.uses ?? []) {
        const used = byKey.get(key);
        if (used && from) load(used.packages[0]!, from);
      }
      continue;
    }
    // a package the app imports that depends on a supported SDK (a framework carrying openai)
    const loc = findPackage(pkg, appDir);
    const deps = { ...(loc?.json?.dependencies ?? {}), ...(loc?.json?.peerDependencies ?? {}) };
    for (const dep of Object.keys(deps)) if (byPackage.has(dep)) load(dep, loc!.dir);
  }
  const report = () => debug(`ESM mode eager: read ${imports.from} and loaded ${done.size} supported SDK(s) in ${Date.now() - started} ms (${how})`);
  if (pendingImports.length === 0) {
    report();
    return undefined;
  }
  return Promise.all(pendingImports).then(report);
}
