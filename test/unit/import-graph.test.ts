/**
 * The import graph of src/ has no circle (type-only imports included): load time, call time and
 * export time stay in their own rooms, and data flows one way. Also: export/ knows no integration
 * and no transform, and the registry imports declarations only (never a published subpath).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(__dirname, "../../src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|\brequire\(\s*["'](\.[^"']+)["']\s*\)|\bimport\(\s*["'](\.[^"']+)["']\s*\)/g;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return undefined;
}

function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
    const deps: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec?.startsWith(".")) continue;
      const target = resolveLocal(file, spec);
      if (target) deps.push(target);
    }
    g.set(file, deps);
  }
  return g;
}

/** Strongly connected components with more than one file (Tarjan), or a file importing itself. */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.map((f) => path.relative(SRC, f)).sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const rel = (f: string) => path.relative(SRC, f).split(path.sep).join("/");

describe("the import graph of src/", () => {
  const g = graph();

  it("has no circle", () => {
    expect(cycles(g)).toEqual([]);
  });

  it("export/ imports neither the registry, nor an integration, nor a transform", () => {
    for (const [file, deps] of g) {
      if (!rel(file).startsWith("export/")) continue;
      for (const d of deps) expect(rel(d), `${rel(file)} imports ${rel(d)}`).not.toMatch(/^(integrations|transforms)\//);
    }
  });

  it("integrations never import setup, config, state, the hooks or a published subpath", () => {
    for (const [file, deps] of g) {
      if (!rel(file).startsWith("integrations/")) continue;
      for (const d of deps) expect(rel(d), `${rel(file)} imports ${rel(d)}`).not.toMatch(/^(setup|config|state|preload|instrument|index)\.ts$|^(hooks|subpaths)\//);
    }
  });
});
