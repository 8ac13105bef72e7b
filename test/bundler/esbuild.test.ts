/**
 * @inference/tracing/esbuild: real esbuild builds (minified; ES module apps to ES module output,
 * CommonJS apps to CommonJS output) of real apps whose SDKs are inlined, traced exactly like the
 * same apps unbundled under the preload — run under the preload, and with `start: true` on their own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { inferenceTracingPlugin, type BundlerPluginOptions } from "@inference/tracing/esbuild";
import { useServers } from "../helpers/servers";
import { APPS, OUT, REGISTER, baseline, expectInlined, expectSameRun, runApp, untraced, type BundledApp, type Format } from "./helpers";

vi.setConfig({ testTimeout: 240_000 });
const servers = useServers();
beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

// ES module output needs a require for the CommonJS packages some SDKs bring (the AI SDK's gateway):
// the banner esbuild's documentation gives for that, which apps bundling those SDKs have already
const REQUIRE_BANNER = `import { createRequire as __appCreateRequire } from "node:module"; const require = __appCreateRequire(import.meta.url);`;

async function bundle(app: BundledApp, format: Format, options: BundlerPluginOptions): Promise<string> {
  const outfile = path.join(OUT, `${app.name}.esbuild.${options.start ? "start" : "plain"}.${format === "esm" ? "mjs" : "cjs"}`);
  await build({
    entryPoints: [app.entries[format]],
    outfile,
    bundle: true,
    platform: "node",
    format,
    target: "node20",
    minify: true,
    banner: format === "esm" ? { js: REQUIRE_BANNER } : undefined,
    plugins: [inferenceTracingPlugin(options)],
    logLevel: "error",
  });
  return outfile;
}

// every app in both module formats under `npm run test:deploy`; one app per format in `npm test`
const ALL = APPS.flatMap((app) => (["esm", "cjs"] as const).map((format) => ({ name: app.name, format, app })));
const CASES = process.env.CATALYST_TEST_DEPLOY === "1" ? ALL : ALL.filter((c) => `${c.name}-${c.format}` === "openai-esm" || `${c.name}-${c.format}` === "anthropic-cjs");

describe("esbuild", () => {
  it.each(CASES)("$name, $format: the same spans as unbundled, under the preload and with start: true alone", async ({ app, format }) => {
    const expected = await baseline(servers, app, format);
    const file = await bundle(app, format, { start: true });
    expectInlined(file, app);
    const service = `${app.name}-esbuild-${format}`;
    const plain = await untraced(servers, file, service);
    expectSameRun(await runApp(servers, ["--import", REGISTER, file], `${service}-preload`), plain, expected, "under the preload");
    expectSameRun(await runApp(servers, [file], `${service}-start`), plain, expected, "start: true");
  });
});

describe("esbuild: without start", () => {
  it("the bundle carries none of our code, is traced under the preload, and runs untraced without it", async () => {
    const app = APPS[0]!;
    const expected = await baseline(servers, app, "esm", "-2");
    const file = await bundle(app, "esm", {});
    expect(fs.readFileSync(file, "utf8")).not.toContain("startInBundle");
    const alone = await runApp(servers, [file], "esbuild-plain-alone");
    expect(alone.spans).toEqual([]);
    expectSameRun(await runApp(servers, ["--import", REGISTER, file], "esbuild-plain-preload"), alone.run, expected, "under the preload");
  });
});
