/**
 * @inference/tracing/rollup (also Vite's build): real Rollup builds (node-resolve, commonjs, json and
 * terser plugins: ES module output, minified) of the ES module apps, whose SDKs are inlined, traced
 * exactly like the same apps unbundled under the preload — run under the preload, and with
 * `start: true` on their own. (`npm run test:deploy`)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import commonjs from "@rollup/plugin-commonjs";
import json from "@rollup/plugin-json";
import terser from "@rollup/plugin-terser";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { inferenceTracingRollupPlugin } from "@inference/tracing/rollup";
import { useServers } from "../helpers/servers";
import { APPS, OUT, REGISTER, baseline, expectInlined, expectSameRun, runApp, untraced, type BundledApp } from "./helpers";

vi.setConfig({ testTimeout: 300_000 });
const servers = useServers();
beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

async function bundle(app: BundledApp, start: boolean): Promise<string> {
  const file = path.join(OUT, `${app.name}.rollup.${start ? "start" : "plain"}.mjs`);
  const warnings: string[] = [];
  const build = await rollup({
    input: app.entries.esm,
    plugins: [inferenceTracingRollupPlugin({ start }), nodeResolve({ preferBuiltins: true, exportConditions: ["node"] }), commonjs(), json()],
    onwarn: (w) => warnings.push(`${w.code}: ${w.message}`),
  });
  await build.write({ file, format: "es", inlineDynamicImports: true, plugins: [terser()] });
  await build.close();
  // our plugin and the bundle runtime add no warning to a build
  expect(warnings.filter((m) => /inference|tracing|bundle-runtime/i.test(m))).toEqual([]);
  return file;
}

describe.each(APPS)("rollup: $name", (app) => {
  it("esm: the same spans as unbundled, under the preload and with start: true alone", async () => {
    const expected = await baseline(servers, app, "esm");
    const file = await bundle(app, true);
    expectInlined(file, app);
    const service = `${app.name}-rollup-esm`;
    const plain = await untraced(servers, file, service);
    expectSameRun(await runApp(servers, ["--import", REGISTER, file], `${service}-preload`), plain, expected, "under the preload");
    expectSameRun(await runApp(servers, [file], `${service}-start`), plain, expected, "start: true");
  });
});

describe("rollup: without start", () => {
  it("the bundle carries none of our code, is traced under the preload, and runs untraced without it", async () => {
    const app = APPS[0]!;
    const expected = await baseline(servers, app, "esm", "-2");
    const file = await bundle(app, false);
    expect(fs.readFileSync(file, "utf8")).not.toContain("startInBundle");
    const alone = await runApp(servers, [file], "rollup-plain-alone");
    expect(alone.spans).toEqual([]);
    expectSameRun(await runApp(servers, ["--import", REGISTER, file], "rollup-plain-preload"), alone.run, expected, "under the preload");
  });
});
