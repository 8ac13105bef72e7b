/**
 * The registry is the one truth about integrations: package.json's published subpaths and
 * optional peer dependencies, the subpath entry files and the README's integration table must
 * say what it says.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { INTEGRATIONS, MODULE_KEYS } from "../../src/integrations/registry";

const ROOT = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the integration registry", () => {
  it("has one key per integration, and each is a setup({ modules }) key", () => {
    expect(new Set(MODULE_KEYS).size).toBe(INTEGRATIONS.length);
    expect(MODULE_KEYS).toEqual(INTEGRATIONS.map((i) => i.key));
  });

  it.each(INTEGRATIONS.map((i) => [i.key, i] as const))("%s is published as a subpath with its own entry file", (_key, i) => {
    expect(fs.existsSync(path.join(ROOT, "src/subpaths", `${i.subpath}.ts`))).toBe(true);
    expect(pkg.exports[`./${i.subpath}`]).toEqual({ types: `./dist/subpaths/${i.subpath}.d.ts`, default: `./dist/subpaths/${i.subpath}.js` });
  });

  it.each(INTEGRATIONS.map((i) => [i.key, i] as const))("%s: its package is an optional peer dependency with the declared range", (_key, i) => {
    const main = i.packages[0]!;
    expect(pkg.peerDependencies[main]).toBe(i.versionRange);
    expect(pkg.peerDependenciesMeta[main]).toEqual({ optional: true });
  });

  it("publishes no subpath under dist/subpaths without a source file, and no peer dependency without an integration", () => {
    for (const [name, target] of Object.entries<any>(pkg.exports)) {
      const file = typeof target === "object" ? target.default : target;
      const m = /^\.\/dist\/subpaths\/(.+)\.js$/.exec(file ?? "");
      if (m) expect(fs.existsSync(path.join(ROOT, "src/subpaths", `${m[1]}.ts`)), name).toBe(true);
    }
    const mains = new Set(INTEGRATIONS.map((i) => i.packages[0]));
    for (const peer of Object.keys(pkg.peerDependencies)) expect(mains.has(peer), peer).toBe(true);
    expect(Object.keys(pkg.peerDependenciesMeta).sort()).toEqual(Object.keys(pkg.peerDependencies).sort());
  });

  it("the README's integration table has one row per integration, in registry order, each with its docs page", () => {
    const section = readme.slice(readme.indexOf("## Integrations"));
    const rows = section
      .split("\n")
      .filter((l) => l.startsWith("| ") && !l.startsWith("| SDK") && !l.startsWith("|---"))
      .slice(0, INTEGRATIONS.length + 1);
    const named = rows.map((r) => /^\| (.+?) \(`([^`]+)`\)/.exec(r)).filter((m): m is RegExpExecArray => !!m);
    expect(named.map((m) => [m[1], m[2]])).toEqual(INTEGRATIONS.map((i) => [i.displayName, i.packages[0]]));
    for (const i of INTEGRATIONS) {
      const row = rows.find((r) => r.includes(`(\`${i.packages[0]}\`)`))!;
      expect(row).toContain(`(docs/integrations/${i.subpath}.md)`);
      expect(fs.existsSync(path.join(ROOT, "docs/integrations", `${i.subpath}.md`))).toBe(true);
    }
  });

  it("every file an integration patches in ESM eagerly is one of the files its hooks watch", () => {
    for (const i of INTEGRATIONS) {
      const watched = new Set((i.files ?? []).map((f) => f.replace(/\.(c|m)?js$/, "")));
      for (const f of i.esmFiles ?? []) expect(watched.has(f.replace(/\.(c|m)?js$/, "")), `${i.key}: ${f}`).toBe(true);
    }
  });
});
