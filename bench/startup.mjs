// Start-up cost of the zero-code preload, against bare runs of the same app on the same
// runtime, and against OpenTelemetry's auto-instrumentations register for comparison.
// Wall time and the child's own CPU time (reported by bench/apps/cpu-report.cjs, preloaded first in
// every variant, bare included): CPU time is what we add even when other processes hold the cores.
// Usage: node bench/startup.mjs [--runs 15] [--runtimes node20,node22,node24,node26,bun] [--variants bare,ours,otel] [--baseline dir] [--apps a,b,c]
//   --apps picks the apps below by letter (a: empty script, b: ESM, c: CommonJS), for more runs of one.
//   A variant "ours:KEY=value;KEY=value" is ours with extra environment variables, e.g.
//   --variants bare,ours,ours:CATALYST_METRICS=off compares metrics on (the default with an endpoint) and off.
//   "ours@<dir>" is ours from another build of this package: a folder holding its dist/ and register
//   files, where our dependencies resolve. --baseline <dir> adds "ours@<dir>" after "ours", for
//   before/after figures from the same machine state.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeBinary } from "./lib/runtimes.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(opt("runs", 15));
const RUNTIMES = opt("runtimes", "node20,node22,node24,node26,bun").split(",");
const VARIANTS = opt("variants", "bare,ours,otel").split(",");
const BASELINE = opt("baseline", undefined);
if (BASELINE) VARIANTS.splice(VARIANTS.indexOf("ours") + 1, 0, `ours@${BASELINE}`);

const ALL_APPS = [
  ["(a) empty script", "trivial.mjs"],
  ["(b) ESM openai+anthropic", "clients.mjs"],
  ["(c) CJS openai+anthropic", "clients.cjs"],
];
const letterOf = ([label]) => label[1];
const PICKED = opt("apps", ALL_APPS.map(letterOf).join(",")).split(",");
const unknownApps = PICKED.filter((a) => !ALL_APPS.some((app) => letterOf(app) === a));
if (unknownApps.length) throw new Error(`--apps: no app ${unknownApps.join(", ")} (the apps are ${ALL_APPS.map(letterOf).join(", ")})`);
const APPS = ALL_APPS.filter((app) => PICKED.includes(letterOf(app)));
const env = {
  ...process.env,
  CATALYST_OTLP_ENDPOINT: "http://127.0.0.1:9",
  OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
  OTEL_TRACES_EXPORTER: "otlp",
  OTEL_METRICS_EXPORTER: "none",
  OTEL_LOGS_EXPORTER: "none",
  OTEL_NODE_RESOURCE_DETECTORS: "env,host,os,process",
};
delete env.NODE_OPTIONS;

/** [label, flags, extra environment] of each variant asked for (the OpenTelemetry register has no Bun door). */
function variants(rt) {
  return VARIANTS.filter((v) => !(rt === "bun" && v === "otel")).map((v) => {
    const [kind, extra = ""] = v.split(/:(.*)/s);
    const extraEnv = Object.fromEntries(extra.split(";").filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
    if (kind === "bare") return ["bare", [], extraEnv];
    if (kind === "ours") return [extra ? `@inference/tracing, ${extra}` : "@inference/tracing", [rt === "bun" ? "--preload" : "--import", "@inference/tracing/register"], extraEnv];
    if (kind.startsWith("ours@")) {
      const dir = path.resolve(kind.slice(5));
      return [`@inference/tracing (${path.basename(dir)})`, [rt === "bun" ? "--preload" : "--import", path.join(dir, rt === "bun" ? "register.bun.mjs" : "register.mjs")], extraEnv];
    }
    if (kind === "otel") return ["otel auto-instr.", ["--import", "@opentelemetry/auto-instrumentations-node/register"], extraEnv];
    throw new Error(`unknown variant ${v} (bare, ours, ours:KEY=value;…, ours@<dir>, otel)`);
  });
}

const CPU_REPORT = path.join(here, "apps", "cpu-report.cjs");
function timeOnce(bin, [, flags, extraEnv], app, rt) {
  const report = [rt === "bun" ? "--preload" : "--require", CPU_REPORT];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(bin, [...report, ...flags, path.join(here, "apps", app)], { env: { ...env, ...extraEnv }, cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${bin} ${flags.join(" ")} ${app} failed: ${r.stderr}`);
  const cpuMs = Number(String(r.output[3] ?? "").trim()) / 1000;
  return { ms, cpuMs };
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const rows = [];
for (const rt of RUNTIMES) {
  let bin;
  try {
    bin = runtimeBinary(rt);
  } catch (e) {
    console.error(`skipping ${rt}: ${e.message}`);
    continue;
  }
  for (const [label, app] of APPS) {
    const vs = variants(rt);
    const samples = vs.map(() => []);
    const cpu = vs.map(() => []);
    for (const v of vs) timeOnce(bin, v, app, rt); // warm caches
    // interleave variants so machine noise hits them alike, rotating the order: the run that follows
    // the heavy OpenTelemetry variant starts on a busier machine, and that must not always be bare
    for (let n = 0; n < RUNS; n++) {
      for (let k = 0; k < vs.length; k++) {
        const i = (k + n) % vs.length;
        const t = timeOnce(bin, vs[i], app, rt);
        samples[i].push(t.ms);
        cpu[i].push(t.cpuMs);
      }
    }
    const bare = median(samples[0]);
    const bareMin = Math.min(...samples[0]);
    const bareCpu = median(cpu[0]);
    for (const [i, [name]] of vs.entries()) {
      const m = median(samples[i]);
      const min = Math.min(...samples[i]);
      const c = median(cpu[i]);
      rows.push({ runtime: rt, app: label, variant: name, median: m, added: m - bare, ratio: m / bare, min, addedMin: min - bareMin, ratioMin: min / bareMin, cpu: c, addedCpu: c - bareCpu, ratioCpu: c / bareCpu });
    }
  }
}

console.log(`\nStart-up, median and fastest of ${RUNS} runs (wall ms), and median CPU ms of the process; added and ratio against bare on the same runtime`);
console.log("(on a shared machine the fastest run is the least disturbed one: noise only ever adds time; CPU time does not count waiting for a core)\n");
console.log("| runtime | app | variant | median ms | added ms | ratio | fastest ms | added ms | ratio | CPU ms | added | ratio |");
console.log("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
const signed = (x) => (x >= 0 ? "+" : "") + x.toFixed(0);
for (const r of rows) {
  const bare = r.variant === "bare";
  console.log(
    `| ${r.runtime} | ${r.app} | ${r.variant} | ${r.median.toFixed(0)} | ${bare ? "—" : signed(r.added)} | ${r.ratio.toFixed(2)} | ${r.min.toFixed(0)} | ${bare ? "—" : signed(r.addedMin)} | ${r.ratioMin.toFixed(2)} | ${r.cpu.toFixed(0)} | ${bare ? "—" : signed(r.addedCpu)} | ${r.ratioCpu.toFixed(2)} |`,
  );
}
