// What incoming requests cost a web service, with and without a model call in them: the
// node:http fixture service run bare and traced (zero-code, spans exported to an OTLP receiver
// in this process), N sequential requests from this process, the service process's own CPU time
// (from /proc) per request. Variants are interleaved in rounds; medians of the rounds are printed.
//   node bench/request-roots.mjs [--requests 2000] [--rounds 3]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startMockOpenAI } from "../fixtures/mock-providers/openai.mjs";
import { startOtlpReceiver } from "../fixtures/otlp-receiver.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const REQUESTS = arg("--requests", 2000);
const ROUNDS = arg("--rounds", 3);
const TICK_US = 1e6 / 100; // /proc stat times are in clock ticks (100 Hz on Linux)

const mock = await startMockOpenAI();
const receiver = await startOtlpReceiver();
const service = path.join(root, "fixtures/apps/web-service/node-http.mjs");

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime
}

async function start(traced) {
  const env = { ...process.env, OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_CONSOLE: "off" };
  const child = spawn(process.execPath, [...(traced ? ["--import", "@inference/tracing/register"] : []), service], { cwd: root, env, stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise((resolve) => child.stdout.once("data", (d) => resolve(Number(String(d).trim()))));
  return { child, url: `http://127.0.0.1:${port}` };
}

async function measure(traced, pathAndQuery, n) {
  const svc = await start(traced);
  // warm-up: JIT, connection, the export pipeline's first span
  for (let i = 0; i < 50; i++) await (await fetch(`${svc.url}${pathAndQuery}`)).text();
  const before = cpuTicks(svc.child.pid);
  for (let i = 0; i < n; i++) await (await fetch(`${svc.url}${pathAndQuery}`)).text();
  const used = cpuTicks(svc.child.pid) - before;
  svc.child.stdin.end();
  await new Promise((r) => svc.child.on("close", r));
  return (used * TICK_US) / n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cases = [
  ["/health (nothing traced)", "/health", REQUESTS],
  ["/ask (two model calls)", "/ask?q=hi", Math.max(200, Math.floor(REQUESTS / 4))],
];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [label, p, n] of cases) {
    for (const traced of round % 2 ? [true, false] : [false, true]) {
      (results[`${label}|${traced}`] ??= []).push(await measure(traced, p, n));
    }
  }
}
console.log(`service CPU per request, µs (median of ${ROUNDS} interleaved rounds; Node ${process.versions.node})`);
console.log("| request | bare | traced | added |");
console.log("|---|---:|---:|---:|");
for (const [label] of cases) {
  const bare = median(results[`${label}|false`]);
  const traced = median(results[`${label}|true`]);
  console.log(`| ${label} | ${bare.toFixed(0)} | ${traced.toFixed(0)} | +${(traced - bare).toFixed(0)} (×${(traced / bare).toFixed(2)}) |`);
}
await mock.close();
await receiver.close();
