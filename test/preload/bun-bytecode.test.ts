/**
 * The Bun door loads dist/preload.bun.js, whose JavaScriptCore bytecode (dist/preload.bun.js.jsc) is
 * tied to the JavaScriptCore that built it. A Bun that cannot use it (another JavaScriptCore, a
 * damaged or missing file) must load the bundle from source, silently: never a crash, never a line
 * on stderr; and a bundle edited after the build must run its own source. (Tried by hand across Bun
 * 1.3.0, 1.4.4 and 1.4.5: 1.4.4 and 1.4.5 share the bytecode, 1.3.0 parses the source; Bun 1.1.0 does not know
 * the format at all and evaluates the file to an empty module, so register.bun.mjs then takes dist/preload.js.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUN, ROOT, run } from "../helpers/run";
import { selectedRuntimes } from "../helpers/runtimes";

const DIST = path.join(ROOT, "dist");
const BUNDLE = path.join(DIST, "preload.bun.js");
const outDir = path.join(ROOT, "test-output", `bun-bytecode-${process.pid}`);
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

/** A copy of the Bun bundle beside dist/ (so its relative requires still resolve) with `jsc` as its bytecode. */
function copyWithBytecode(name: string, jsc: Buffer | undefined, source = fs.readFileSync(BUNDLE, "utf8")): string {
  const dir = path.join(outDir, name);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "preload.bun.js");
  fs.writeFileSync(file, source);
  if (jsc) fs.writeFileSync(`${file}.jsc`, jsc);
  return file;
}

/** Require the bundle under Bun and print its exports. */
const exportsUnderBun = (file: string) => run(BUN, ["-e", `console.log(Object.keys(require(${JSON.stringify(file)})).join(","))`], { timeoutMs: 60_000 });

describe.runIf(selectedRuntimes().includes("bun"))("the Bun bundle's bytecode", () => {
  it("is built: a CommonJS bundle for Bun with its .jsc beside it, exporting what dist/preload.js exports", async () => {
    expect(fs.readFileSync(BUNDLE, "utf8").startsWith("// @bun @bytecode @bun-cjs\n")).toBe(true);
    expect(fs.statSync(`${BUNDLE}.jsc`).size).toBeGreaterThan(0);
    const r = await exportsUnderBun(BUNDLE);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe(Object.keys(require(path.join(DIST, "preload.js"))).join(","));
  });

  const jsc = () => fs.readFileSync(`${BUNDLE}.jsc`);
  const cases: [string, () => Buffer | undefined][] = [
    ["missing", () => undefined],
    // the first word is JavaScriptCore's cache version: another Bun's JavaScriptCore writes another one
    ["from another JavaScriptCore", () => Buffer.concat([Buffer.from([0xde, 0xad, 0xbe, 0xef]), jsc().subarray(4)])],
    ["truncated", () => jsc().subarray(0, Math.floor(jsc().length / 2))],
    ["overwritten in the middle", () => Buffer.concat([jsc().subarray(0, 1000), Buffer.alloc(200_000), jsc().subarray(201_000)])],
  ];
  it("runs an edited bundle's own source, never the bytecode of the original (patch-package and the like)", async () => {
    const source = fs.readFileSync(BUNDLE, "utf8");
    // the bundle ends with the closing of Bun's CommonJS wrapper
    const edited = source.replace(/\}\)\s*$/, "module.exports.edited = 42;\n})\n");
    expect(edited).not.toBe(source);
    const file = copyWithBytecode("edited", jsc(), edited);
    const r = await run(BUN, ["-e", `console.log(require(${JSON.stringify(file)}).edited)`], { timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("42");
  });

  for (const [label, make] of cases) {
    it(`falls back to the source when the bytecode is ${label}`, async () => {
      const r = await exportsUnderBun(copyWithBytecode(label.replace(/\W+/g, "-"), make()));
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe("preload");
    });
  }
});
