/**
 * A cheap static look at the app's own source files (never node_modules): which packages
 * does it import as ES modules (static `import`, `export … from`, dynamic `import()`) and which
 * does it `require()`? The loader-free ESM mode loads early only the SDKs the app really
 * imports, so an app that has an SDK installed but never imports it pays nothing.
 *
 * Regex-based on purpose: a false positive (an import in a comment) only loads a package the
 * app would not have loaded; the scan stays a few milliseconds for a typical app.
 */
import fs = require("node:fs");
import path = require("node:path");
import { appEntry, appManifest } from "./resolve";

const MAX_FILES = 400;
const MAX_BYTES = 2_000_000;
const EXTENSIONS = ["", ".mjs", ".js", ".ts", ".mts", ".tsx", ".jsx", ".cjs", ".cts", "/index.mjs", "/index.js", "/index.ts"];

const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"'\n]+)["']/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"'\n]+)["']\s*\)/g;
const REQUIRE = /\brequire\s*\(\s*["']([^"'\n]+)["']\s*\)/g;

export interface AppImports {
  /** Bare package names the app imports as ES modules (static or dynamic import). */
  esm: Set<string>;
  /** Bare package names the app require()s. */
  cjs: Set<string>;
  files: number;
  /** Where the names came from, for the debug log. */
  from: string;
}

/** "openai/resources/x" -> "openai"; "@scope/pkg/sub" -> "@scope/pkg"; relative and node: -> undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:") || specifier.includes(":")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function resolveLocal(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    try {
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next */
    }
  }
  // TypeScript sources imported with a .js extension
  if (/\.m?js$/.test(base)) {
    for (const ext of [".ts", ".mts", ".tsx"]) {
      const candidate = base.replace(/\.m?js$/, ext);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

const cache = new Map<string, AppImports>();

/** The app's imports, scanned once per entry file. */
export function scanAppImports(entry: string): AppImports {
  const key = path.resolve(entry);
  let found = cache.get(key);
  if (!found) cache.set(key, (found = scan(key)));
  return found;
}

function scan(entry: string): AppImports {
  const result: AppImports = { esm: new Set(), cjs: new Set(), files: 0, from: "" };
  const queue = [path.resolve(entry)];
  const seen = new Set<string>();
  let bytes = 0;
  while (queue.length > 0 && seen.size < MAX_FILES && bytes < MAX_BYTES) {
    const file = queue.shift()!;
    if (seen.has(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    seen.add(file);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    bytes += text.length;
    const visit = (re: RegExp, into: Set<string>) => {
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const spec = m[1]!;
        const pkg = packageOf(spec);
        if (pkg) into.add(pkg);
        else if (spec.startsWith(".")) {
          const local = resolveLocal(file, spec);
          if (local) queue.push(local);
        }
      }
    };
    visit(STATIC_IMPORT, result.esm);
    visit(DYNAMIC_IMPORT, result.esm);
    visit(REQUIRE, result.cjs);
  }
  result.files = seen.size;
  result.from = `${seen.size} app file(s)`;
  return result;
}

/**
 * What the app imports: the files its entry leads to, scanned; when no file of the app is known (a
 * launcher in node_modules started it, see appEntry()), every package its package.json names,
 * counted as imported both ways (the launcher loads the app's code later, in either module system).
 */
export function appImports(): AppImports | undefined {
  const { file } = appEntry();
  if (file) return scanAppImports(file);
  const manifest = appManifest();
  if (!manifest) return undefined;
  return { esm: new Set(manifest.deps), cjs: new Set(manifest.deps), files: 0, from: `the packages ${path.join(manifest.dir, "package.json")} names` };
}
