/**
 * docs/version-matrix.json (written by `npm run test:versions`) against the registry and the
 * README: each integration's declared range is the one the matrix ran, every version that range
 * requires (its oldest, and the newest of each major in it) passed its zero-code tests and failed on
 * no runtime it ran on, each ran on Node 20, 22, 24, 26 and Bun (a run may record that the SDK's
 * engines exclude the runtime, or that no zero-code test runs on it), and the README's "versions
 * tested" cell lists exactly the versions that passed.
 * A range that no passing run covers — widened, or never run — fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { INTEGRATIONS } from "../../src/integrations/registry";
import { inVersionRange, parseVersion } from "../../src/hooks/version-range";

const ROOT = path.resolve(__dirname, "../..");
const RUNTIMES = ["node20", "node22", "node24", "node26", "bun"];
const matrix = JSON.parse(fs.readFileSync(path.join(ROOT, "docs", "version-matrix.json"), "utf8"));
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

interface Run {
  version: string;
  runtime: string;
  result: string;
}

const byVersion = (a: string, b: string) => {
  const x = parseVersion(a)!.parts;
  const y = parseVersion(b)!.parts;
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

/** The README's cell for what the matrix says: the versions that passed, then the range (pipes escaped for the table). */
function testedCell(passed: string[], range: string): string {
  return `${passed.join(", ")} (range \`${range.replace(/\|/g, "\\|")}\`)`;
}

function readmeRow(pkg: string): string[] {
  const section = readme.slice(readme.indexOf("## Integrations"));
  const row = section.split("\n").find((l) => l.startsWith("| ") && l.includes(`(\`${pkg}\`)`));
  // cells split on pipes that are not escaped
  return (row ?? "").split(/(?<!\\)\|/).map((c) => c.trim());
}

describe("the version matrix", () => {
  it("has one entry per integration", () => {
    expect(matrix.integrations.map((e: { key: string }) => e.key).sort()).toEqual(INTEGRATIONS.map((i) => i.key).sort());
  });

  for (const i of INTEGRATIONS) {
    describe(`${i.key} (${i.packages[0]})`, () => {
      const entry = matrix.integrations.find((e: { key: string }) => e.key === i.key);
      const runs: Run[] = entry?.runs ?? [];
      const passed = [...new Set(runs.filter((r) => r.result === "pass").map((r) => r.version))].sort(byVersion);

      it("was run for the range the registry declares (else: npm run test:versions -- --only " + i.key + ")", () => {
        expect(entry?.package).toBe(i.packages[0]);
        expect(entry?.range).toBe(i.versionRange);
      });

      it("every version the range requires passed, and failed on no runtime it ran on", () => {
        expect(entry?.required?.length ?? 0).toBeGreaterThan(0);
        for (const v of entry.required as string[]) {
          expect(inVersionRange(v, i.versionRange), `${v} in ${i.versionRange}`).toBe(true);
          const ok = runs.filter((r) => r.version === v && r.result === "pass").map((r) => r.runtime);
          expect(ok, `${i.packages[0]}@${v}: no passing run`).not.toEqual([]);
          const failed = runs.filter((r) => r.version === v && (r.result === "fail" || r.result === "install-failed")).map((r) => r.runtime);
          expect(failed, `${i.packages[0]}@${v} failed on these runtimes: fix it, or narrow the range`).toEqual([]);
        }
      });

      it("every version the range requires ran on every runtime (or the SDK's engines, or the tests, leave that runtime out)", () => {
        for (const v of (entry?.required ?? []) as string[]) {
          const ran = new Set(runs.filter((r) => r.version === v).map((r) => r.runtime));
          expect(RUNTIMES.filter((rt) => !ran.has(rt)), `${i.packages[0]}@${v} never ran on: npm run test:versions -- --only ${i.key} --runtimes <these>`).toEqual([]);
        }
      });

      it("the README's integration table lists the versions that passed and the range", () => {
        const cells = readmeRow(i.packages[0]!);
        expect(cells[4], `README row of ${i.packages[0]}`).toBeDefined();
        expect(cells[4]!.startsWith(testedCell(passed, i.versionRange)), `README cell "${cells[4]}" should start with "${testedCell(passed, i.versionRange)}"`).toBe(true);
      });
    });
  }
});
