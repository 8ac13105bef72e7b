/**
 * Finding packages the way the app would: from the app's own folder, with the ESM
 * entry picked from package.json "exports". Used by the loader-free (eager) ESM mode.
 */
import fs = require("node:fs");
import path = require("node:path");

export interface PackageLocation {
  dir: string;
  version?: string;
  esmEntry?: string;
  json: any;
}

export function findPackage(name: string, fromDir: string): PackageLocation | undefined {
  let d = path.resolve(fromDir);
  for (let i = 0; i < 40; i++) {
    const dir = path.join(d, "node_modules", name);
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      try {
        const json = JSON.parse(fs.readFileSync(file, "utf8"));
        return { dir: fs.realpathSync(dir), version: json.version, esmEntry: esmEntryOf(dir, json), json };
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return undefined;
}

const IMPORT_CONDITIONS = () => (process.versions.bun ? ["bun", "import", "module", "node", "default"] : ["import", "module", "node", "default"]);

function pickCondition(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = pickCondition(t);
      if (r) return r;
    }
    return undefined;
  }
  if (target && typeof target === "object") {
    // as Node does: the package's first listed condition that applies wins, whatever our order
    // (@google/genai lists "node" before "import", and the app gets the "node" build)
    const conditions = IMPORT_CONDITIONS();
    for (const [c, sub] of Object.entries(target as Record<string, unknown>)) {
      if (!conditions.includes(c)) continue;
      const r = pickCondition(sub);
      if (r && !r.endsWith(".d.ts") && !r.endsWith(".d.mts")) return r;
    }
  }
  return undefined;
}

function esmEntryOf(dir: string, json: any): string | undefined {
  let rel: string | undefined;
  const exp = json.exports;
  if (exp !== undefined) {
    const root = typeof exp === "string" || Array.isArray(exp) ? exp : "." in exp ? exp["."] : exp;
    rel = pickCondition(root);
  }
  // without "exports", Node (and Bun) import "main": the "module" field is for bundlers only (the
  // AWS SDK's clients point it at ES modules that an app's import never loads)
  rel ??= json.main ?? "index.js";
  return path.join(dir, rel!);
}

/**
 * Where the app's own code starts. Usually process.argv[1]; two kinds of process start elsewhere:
 *  - AWS Lambda (LAMBDA_TASK_ROOT and _HANDLER set): argv[1] is the runtime's own script, which
 *    loads the handler later with a dynamic import(): the app starts at the handler's file,
 *    found as the runtime finds it (`dir/file.handler` → dir/file, then .js, .mjs, .cjs);
 *  - a launcher installed in node_modules (`next start`, a process manager): no file of the app is
 *    known, and the app is the package in the working directory.
 */
export interface AppEntry {
  /** The app's first file, when known. */
  file?: string;
  /** The folder to find the app's package.json and packages from. */
  dir: string;
}

let entry: { argv1: string | undefined; found: AppEntry } | undefined;

/** Found once per entry script (a process that rewrites argv[1], as a test runner may, is looked at again). */
export function appEntry(): AppEntry {
  if (!entry || entry.argv1 !== process.argv[1]) entry = { argv1: process.argv[1], found: findAppEntry() };
  return entry.found;
}

const LAMBDA_HANDLER_EXTENSIONS = ["", ".js", ".mjs", ".cjs"];

function lambdaHandlerFile(env: NodeJS.ProcessEnv): string | undefined {
  const root = env.LAMBDA_TASK_ROOT;
  const handler = env._HANDLER;
  if (!root || !handler) return undefined;
  const base = path.basename(handler);
  const dot = base.indexOf(".");
  if (dot <= 0) return undefined;
  const file = path.resolve(root, handler.slice(0, handler.length - base.length), base.slice(0, dot));
  return LAMBDA_HANDLER_EXTENSIONS.map((ext) => file + ext).find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
}

function findAppEntry(): AppEntry {
  const lambda = lambdaHandlerFile(process.env);
  if (lambda) return { file: lambda, dir: path.dirname(lambda) };
  const script = process.argv[1] ? path.resolve(process.argv[1]) : undefined;
  if (!script || script.includes(`${path.sep}node_modules${path.sep}`)) return { dir: process.cwd() };
  return { file: script, dir: path.dirname(script) };
}

export interface AppManifest {
  dir: string;
  deps: Set<string>;
}

let manifest: AppManifest | null | undefined;

/** The nearest package.json above the app's entry (see appEntry()): its dependency names. Read once. */
export function appManifest(): AppManifest | undefined {
  if (manifest === undefined) manifest = readAppManifest() ?? null;
  return manifest ?? undefined;
}

/** The nearest package.json at or above `from`, parsed, with its folder. */
export function nearestPackageJson(from: string): { dir: string; json: any } | undefined {
  let d = from;
  for (let i = 0; i < 40; i++) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      try {
        return { dir: d, json: JSON.parse(fs.readFileSync(file, "utf8")) };
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return undefined;
}

function readAppManifest(): AppManifest | undefined {
  const found = nearestPackageJson(appEntry().dir);
  if (!found) return undefined;
  const { json } = found;
  const deps = new Set<string>([
    ...Object.keys(json.dependencies ?? {}),
    ...Object.keys(json.devDependencies ?? {}),
    ...Object.keys(json.optionalDependencies ?? {}),
    ...Object.keys(json.peerDependencies ?? {}),
  ]);
  return { dir: found.dir, deps };
}
