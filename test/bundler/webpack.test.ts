/**
 * @inference/tracing/webpack: real webpack 5 production builds (minified by terser; ES module apps
 * to ES module output, CommonJS apps to CommonJS output) of real apps whose SDKs are inlined, traced
 * exactly like the same apps unbundled under the preload — run under the preload, and with
 * `start: true` on their own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import webpack from "webpack";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { InferenceTracingWebpackPlugin } from "@inference/tracing/webpack";
import { ROOT } from "../helpers/run";
import { useServers } from "../helpers/servers";
import { APPS, OUT, REGISTER, baseline, expectInlined, expectSameRun, runApp, untraced, type BundledApp, type Format } from "./helpers";

vi.setConfig({ testTimeout: 300_000 });
const servers = useServers();
beforeAll(() => fs.mkdirSync(OUT, { recursive: true }));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

/**
 * A production build into a folder of its own: the entry file, plus the chunks of the SDKs' own
 * dynamic import()s (the Anthropic SDK's Node 22-only agent toolset: merged into the entry, its
 * static import of fs.glob would fail on Node 20, with or without our plugin).
 */
function bundle(app: BundledApp, format: Format, start: boolean): Promise<string> {
  const dir = path.join(OUT, `${app.name}.webpack.${start ? "start" : "plain"}.${format}`);
  const ext = format === "esm" ? "mjs" : "cjs";
  const config: webpack.Configuration = {
    mode: "production",
    target: "node20",
    entry: app.entries[format],
    context: path.dirname(app.entries[format]),
    experiments: { outputModule: format === "esm" },
    output: { path: dir, filename: `main.${ext}`, chunkFilename: `[id].${ext}`, module: format === "esm", chunkFormat: format === "esm" ? "module" : "commonjs" },
    plugins: [new InferenceTracingWebpackPlugin({ start })],
  };
  return new Promise((resolve, reject) =>
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      const info = stats!.toJson({ all: false, errors: true, warnings: true });
      if (stats!.hasErrors()) return reject(new Error(info.errors!.map((e) => e.message).join("\n")));
      // our plugin and the bundle runtime add no warning to a build
      expect(info.warnings!.map((w) => w.message).filter((m) => /inference|tracing|bundle-runtime/i.test(m))).toEqual([]);
      resolve(path.join(dir, `main.${ext}`));
    }),
  );
}

describe.each(APPS)("webpack: $name", (app) => {
  it.each(["esm", "cjs"] as const)("%s: the same spans as unbundled, under the preload and with start: true alone", async (format) => {
    const expected = await baseline(servers, app, format);
    const file = await bundle(app, format, true);
    const dir = path.dirname(file);
    expectInlined(file, app, fs.readdirSync(dir).filter((f) => /\.[cm]js$/.test(f) && f !== path.basename(file)).map((f) => path.join(dir, f)));
    const service = `${app.name}-webpack-${format}`;
    const plain = await untraced(servers, file, service);
    expectSameRun(await runApp(servers, ["--import", REGISTER, file], `${service}-preload`), plain, expected, "under the preload");
    expectSameRun(await runApp(servers, [file], `${service}-start`), plain, expected, "start: true");
  });
});

describe("webpack: without start", () => {
  it("the bundle carries none of our code, is traced under the preload, and runs untraced without it", async () => {
    const app = APPS[0]!;
    const expected = await baseline(servers, app, "cjs", "-2");
    const file = await bundle(app, "cjs", false);
    expect(fs.readFileSync(file, "utf8")).not.toContain("startInBundle");
    const alone = await runApp(servers, [file], "webpack-plain-alone");
    expect(alone.spans).toEqual([]);
    expectSameRun(await runApp(servers, ["--require", path.join(ROOT, "register.cjs"), file], "webpack-plain-preload"), alone.run, expected, "under the preload");
  });
});
