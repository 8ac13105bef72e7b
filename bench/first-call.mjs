#!/usr/bin/env node
// The app's first LLM call, traced and not: under the preload, the first span loads the
// OpenTelemetry SDK and builds the export pipeline, so the first call is where that shows.
// Each run is a fresh `node` process (CommonJS app, --require door), against the local mock.
//   node bench/first-call.mjs [--runs 15] [--variants bare,ours]
//   A variant "ours:KEY=value;KEY=value" is ours with extra environment variables, e.g.
//   --variants bare,ours,ours:CATALYST_METRICS=off (metrics load with the pipeline, at the first span).
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const opt = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(opt("runs", 15));

const servers = spawn(
  process.execPath,
  ["--input-type=module", "-e", `const { startMockOpenAI } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/openai.mjs"))});
   const { startOtlpReceiver } = await import(${JSON.stringify(path.join(root, "fixtures/otlp-receiver.mjs"))});
   const r = await startOtlpReceiver(); const m = await startMockOpenAI();
   setInterval(() => r.clear(), 1000);
   console.log(JSON.stringify({ receiver: r.url, mock: m.baseURL }));`],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const urls = await new Promise((resolve) => servers.stdout.once("data", (d) => resolve(JSON.parse(String(d)))));
const env = { ...process.env, MOCK_BASE_URL: urls.mock, CATALYST_OTLP_ENDPOINT: urls.receiver, CATALYST_CONSOLE: "off" };
delete env.NODE_OPTIONS;
const app = path.join(here, "apps/first-call.cjs");
/** [label, flags, extra environment] */
const variants = opt("variants", "bare,ours")
  .split(",")
  .map((v) => {
    const [kind, extra = ""] = v.split(/:(.*)/s);
    const extraEnv = Object.fromEntries(extra.split(";").filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
    if (kind === "bare") return ["bare", [], extraEnv];
    if (kind === "ours") return [extra ? `@inference/tracing, ${extra}` : "@inference/tracing", ["--require", "@inference/tracing/register"], extraEnv];
    throw new Error(`unknown variant ${v} (bare, ours, ours:KEY=value;…)`);
  });
const samples = variants.map(() => []);
const once = ([, flags, extraEnv]) => {
  const r = spawnSync(process.execPath, [...flags, app], { env: { ...env, ...extraEnv }, cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop());
};
for (const v of variants) once(v); // warm the page cache and our code cache
for (let n = 0; n < RUNS; n++) for (let k = 0; k < variants.length; k++) samples[(k + n) % variants.length].push(once(variants[(k + n) % variants.length]));
servers.kill();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\nFirst LLM call of a CommonJS app (chat completion against the local mock), median of ${RUNS} processes, wall ms\n`);
console.log("| variant | first call | added | next calls (mean of 10) | added |");
console.log("|---|---:|---:|---:|---:|");
const base = { first: median(samples[0].map((s) => s.first)), next: median(samples[0].map((s) => s.next)) };
for (const [k, [name]] of variants.entries()) {
  const first = median(samples[k].map((s) => s.first));
  const next = median(samples[k].map((s) => s.next));
  const add = (x, b) => (k === 0 ? "—" : `${x - b >= 0 ? "+" : ""}${(x - b).toFixed(1)}`);
  console.log(`| ${name} | ${first.toFixed(1)} | ${add(first, base.first)} | ${next.toFixed(2)} | ${add(next, base.next)} |`);
}
