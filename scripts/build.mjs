// Build: tsc emits dist/ (JavaScript and type declarations); then the preload entry is
// re-bundled into one file with esbuild, so `--import @inference/tracing/register` loads one
// module instead of about a hundred (our code, @opentelemetry/api, the semantic conventions). Everything the preload needs only later (the OpenTelemetry SDK, the
// exporter, import-in-the-middle) stays an external, lazily required package; the OpenTelemetry SDK
// is a second bundle of its own (dist/otel-sdk.bundle.js).
//
// `--if-changed` (what `npm run demo` uses) builds only when a source changed since the last
// complete build (scripts/build-inputs.mjs).
import { spawnSync } from "node:child_process";
import { builtinModules } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { changedSinceBuild, stampFile } from "./build-inputs.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (process.argv.includes("--if-changed")) {
  const changed = changedSinceBuild(root);
  if (!changed) {
    console.error("build is up to date (no source changed since the last build)");
    process.exit(0);
  }
  console.error(`building: ${changed} changed since the last build`);
}
// from scratch: a file removed from src/ must not live on in dist/ (and a build that stops half-way
// leaves no stamp, so the next --if-changed builds again)
fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// The web view's script: src/local/web/app.ts and the trace model it shares with the console and
// the CLI, as one plain script for the browser (tsc's CommonJS copy of it is replaced).
await build({
  entryPoints: [path.join(root, "src/local/web/app.ts")],
  outfile: path.join(root, "dist/local/web/app.js"),
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2020",
  logLevel: "warning",
});
// the browser script's modules live on inside app.js only: tsc's CommonJS copies of them are not shipped
const webDir = path.join(root, "dist/local/web");
for (const f of fs.readdirSync(webDir)) if (!/^(app\.js|page\.(js|d\.ts))$/.test(f)) fs.rmSync(path.join(webDir, f));

const inlined = ["@opentelemetry/api", "@arizeai/openinference-semantic-conventions", "@opentelemetry/context-async-hooks"];
const isInlined = (spec) => inlined.some((p) => spec === p || spec.startsWith(`${p}/`));
/** Every package import stays external (loaded from node_modules when first needed) except the inlined ones. */
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (isInlined(args.path) ? undefined : { path: args.path, external: true }));
    // the OpenTelemetry SDK is its own bundle (below), loaded on the first span; this is the fallback path to it
    b.onResolve({ filter: /^\.\/export\/otel-sdk$/ }, () => ({ path: "./export/otel-sdk.js", external: true }));
  },
};

await build({
  entryPoints: [path.join(root, "src/preload.ts")],
  outfile: path.join(root, "dist/preload.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: true,
  minify: process.env.CATALYST_BUILD_DEBUG !== "1",
  keepNames: true,
  plugins: [externalPackages],
  logLevel: "warning",
  // dynamic requires of package files (eager ESM mode) are meant to stay dynamic
  logOverride: { "unsupported-require-call": "silent" },
});

// Bun's copy of the preload bundle, with JavaScriptCore bytecode beside it (dist/preload.bun.js.jsc):
// parsing and compiling the bundle is most of what the preload costs under Bun (require: ~34 ms
// without the bytecode, ~14 ms with it). Built from the bundle above, so both doors run the same code.
// A Bun whose JavaScriptCore differs from the one that built the bytecode (or a damaged .jsc) silently
// parses the source instead, as it would without the file (test/preload/bun-bytecode.test.ts).
const bun = path.join(root, "node_modules/.bin/bun");
const bunBuild = spawnSync(
  bun,
  ["build", "dist/preload.js", "--target=bun", "--format=cjs", "--bytecode", "--minify-whitespace", "--packages=external",
    // whitespace only: the input is esbuild's minified output, whose names and syntax stay as they are;
    // the OpenTelemetry SDK fallback stays a file of its own, as in the bundle above
    "--external", "./export/*", "--outdir", "dist", "--entry-naming", "[name].bun.[ext]"],
  { cwd: root, encoding: "utf8" },
);
if (bunBuild.status !== 0) {
  console.error(`bun build of dist/preload.bun.js failed:\n${bunBuild.error?.message ?? ""}${bunBuild.stderr ?? ""}`);
  process.exit(1);
}

// The OpenTelemetry SDK the export pipeline needs (src/export/otel-sdk.ts), tree-shaken into one file
// that the first span loads with the code cache, instead of ~100 files from node_modules.
await build({
  entryPoints: [path.join(root, "src/export/otel-sdk.ts")],
  outfile: path.join(root, "dist/otel-sdk.bundle.js"),
  bundle: true,
  platform: "node",
  // the packages' ES module builds, so only what the pipeline uses is kept
  mainFields: ["module", "main"],
  // the API stays the app's shared copy: registering the provider through it also hands it to the
  // proxies other libraries took earlier (the Anthropic SDK asks for its tracer when a client is made)
  external: ["@opentelemetry/api"],
  format: "cjs",
  target: "node20",
  sourcemap: true,
  minify: process.env.CATALYST_BUILD_DEBUG !== "1",
  keepNames: true,
  logLevel: "warning",
});

// The bundle runtime (src/bundler/runtime.ts): our code as an app's bundle carries it when it is built
// with our esbuild/webpack/Rollup plugins (the library API, and the start of tracing with `start: true`).
// One self-contained CommonJS file that any bundler can inline, for either output format:
//  - Node's builtins are taken with process.getBuiltinModule where the runtime has it (Node 20.16+,
//    22.3+, Bun), which an ES module bundle needs (it has no require); a literal require() otherwise,
//    which webpack and CommonJS bundles map to Node's own;
//  - src/otel-sdk-loader.ts is replaced by src/bundler/otel-sdk-inline.ts: the SDK is inlined, with
//    no code cache file to load and no require() of a path (webpack would rewrite it);
//  - @opentelemetry/api stays a package import, so the app's bundle has one copy of it, shared with
//    the SDKs that take tracers from it;
//  - the packages' ES module builds, so only what is used is kept.
const builtinNames = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const bundleRuntimePlugin = {
  name: "bundle-runtime",
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      if (!builtinNames.has(args.path)) return undefined;
      // the fallback inside the builtin stand-in: a plain require of the builtin
      if (args.namespace === "builtin") return { path: args.path, external: true };
      return { path: args.path.replace(/^node:/, ""), namespace: "builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({
      contents: `module.exports = (typeof process.getBuiltinModule === "function" && process.getBuiltinModule(${JSON.stringify(`node:${args.path}`)})) || require(${JSON.stringify(`node:${args.path}`)});`,
      loader: "js",
    }));
    b.onResolve({ filter: /otel-sdk-loader$/ }, () => ({ path: path.join(root, "src/bundler/otel-sdk-inline.ts") }));
  },
};
await build({
  entryPoints: [path.join(root, "src/bundler/runtime.ts")],
  outfile: path.join(root, "dist/bundle-runtime.js"),
  bundle: true,
  platform: "node",
  mainFields: ["module", "main"],
  external: ["@opentelemetry/api"],
  format: "cjs",
  target: "node20",
  sourcemap: true,
  minify: process.env.CATALYST_BUILD_DEBUG !== "1",
  keepNames: true,
  plugins: [bundleRuntimePlugin],
  logLevel: "warning",
});

fs.writeFileSync(stampFile(root), `${new Date().toISOString()}\n`);
