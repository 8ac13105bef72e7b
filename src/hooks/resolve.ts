/**
 * Finding packages the way the app would: from the app's own folder, with the ESM
 * entry picked from package.json "exports". Used by the loader-free (eager) ESM mode.
 */
import * as fs from "node:fs";
import * as path from "node:path";

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

export interface AppManifest {
  dir: string;
  deps: Set<string>;
}

let manifest: AppManifest | null | undefined;

/** The nearest package.json above the app's entry script: its dependency names and module type. Read once. */
export function appManifest(): AppManifest | undefined {
  if (manifest === undefined) manifest = readAppManifest() ?? null;
  return manifest ?? undefined;
}

function readAppManifest(): AppManifest | undefined {
  const script = process.argv[1];
  let d = script ? path.dirname(path.resolve(script)) : process.cwd();
  for (let i = 0; i < 40; i++) {
    const file = path.join(d, "package.json");
    if (fs.existsSync(file)) {
      try {
        const json = JSON.parse(fs.readFileSync(file, "utf8"));
        const deps = new Set<string>([
          ...Object.keys(json.dependencies ?? {}),
          ...Object.keys(json.devDependencies ?? {}),
          ...Object.keys(json.optionalDependencies ?? {}),
          ...Object.keys(json.peerDependencies ?? {}),
        ]);
        return { dir: d, deps };
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
