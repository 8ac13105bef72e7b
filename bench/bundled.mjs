// What our esbuild plugin costs a bundle: size, and start-up of the bundled app (bench/apps/clients.mjs:
// imports openai and @anthropic-ai/sdk, makes one client of each), minified ES module output.
//   bare                 no plugin
//   plugin               inferenceTracingPlugin(): the SDK proxies, run without any preload (untraced)
//   plugin + preload     the same bundle under --import @inference/tracing/register
//   plugin start: true   inferenceTracingPlugin({ start: true }): our runtime inlined, tracing starts itself
// Usage: node bench/bundled.mjs [--runs 21]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { inferenceTracingPlugin } from "@inference/tracing/esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const args = process.argv.slice(2);
const RUNS = Number(args.includes("--runs") ? args[args.indexOf("--runs") + 1] : 21);
const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-bundled-"));

async function bundle(name, plugins) {
  const outfile = path.join(out, `${name}.mjs`);
  await build({ entryPoints: [path.join(here, "apps/clients.mjs")], outfile, bundle: true, platform: "node", format: "esm", minify: true, plugins, logLevel: "error" });
  return outfile;
}
const bare = await bundle("bare", []);
const plugin = await bundle("plugin", [inferenceTracingPlugin()]);
const start = await bundle("start", [inferenceTracingPlugin({ start: true })]);
const env = { ...process.env, CATALYST_OTLP_ENDPOINT: "http://127.0.0.1:9" };
delete env.NODE_OPTIONS;
const VARIANTS = [
  ["bare", bare, []],
  ["plugin", plugin, []],
  ["plugin + preload", plugin, ["--import", path.join(root, "register.mjs")]],
  ["plugin start: true", start, []],
];

function timeOnce(file, flags) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...flags, file], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const samples = VARIANTS.map(() => []);
for (const [, file, flags] of VARIANTS) timeOnce(file, flags);
for (let n = 0; n < RUNS; n++) {
  for (let k = 0; k < VARIANTS.length; k++) {
    const i = (k + n) % VARIANTS.length;
    samples[i].push(timeOnce(VARIANTS[i][1], VARIANTS[i][2]));
  }
}
console.log(`\nBundled app (openai + anthropic clients), esbuild, minified ESM, Node ${process.versions.node}, median of ${RUNS} starts\n`);
console.log("| variant | bundle KiB | size vs bare | start-up ms | vs bare | added ms |");
console.log("|---|---:|---:|---:|---:|---:|");
const base = median(samples[0]);
const baseSize = fs.statSync(bare).size;
for (const [i, [name, file]] of VARIANTS.entries()) {
  const m = median(samples[i]);
  const size = fs.statSync(file).size;
  const added = i ? (m - base >= 0 ? "+" : "") + (m - base).toFixed(0) : "—";
  console.log(`| ${name} | ${(size / 1024).toFixed(0)} | ×${(size / baseSize).toFixed(2)} | ${m.toFixed(0)} | ×${(m / base).toFixed(2)} | ${added} |`);
}
fs.rmSync(out, { recursive: true, force: true });
