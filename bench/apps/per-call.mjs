// The app of the end-to-end per-call benchmark (bench/per-call.mjs): the real `openai` package
// calling a local OpenAI-compatible server over loopback HTTP. It imports nothing but `openai`: each
// tracer is set up the way its users set it up, before the app runs (bench/per-call.mjs picks one):
//   untraced       nothing
//   ours           --import @inference/tracing/register (bun --preload), CATALYST_OTLP_ENDPOINT
//   openinference  --import ./per-call-openinference.mjs
//   seed           --import ./per-call-seed.mjs
// The set-up leaves its flush (send everything recorded) on globalThis under Symbol.for("bench.flush").
// BENCH_MODE "call" times sequential chat completions after BENCH_WARMUP of them; "stream" times
// streamed ones (~BENCH_CHARS/8 chunks each): BENCH_CALLS in one go, or with BENCH_SLICED in slices
// commanded over stdin (see below). The window runs from the first timed call until the tracer has
// exported everything it recorded (its own flush), so the export is part of the cost. One line of
// JSON on stdout reports the window's CPU µs, and the wall µs spent in the calls.
// BENCH_CPU_PROFILE=<file> writes a CPU profile of the window alone (start-up left out),
// BENCH_HEAP_PROFILE=<file> a sampling profile of what the window allocated (node:inspector; Node only).
import OpenAI from "openai";

const env = process.env;
const variant = env.BENCH_VARIANT ?? "untraced";
const mode = env.BENCH_MODE ?? "call";
const calls = Number(env.BENCH_CALLS ?? 3000);
const warmup = Number(env.BENCH_WARMUP ?? 200);

let flush = globalThis[Symbol.for("bench.flush")] ?? (async () => {});
if (variant === "ours") {
  // the zero-code preload keeps its one instance on globalThis; its handle's forceFlush sends what is queued
  const state = globalThis[Symbol.for("@inference/tracing.state")];
  if (!state?.handle) throw new Error("variant 'ours' needs --import @inference/tracing/register");
  flush = () => state.handle.forceFlush();
} else if (variant !== "untraced" && !globalThis[Symbol.for("bench.flush")]) {
  throw new Error(`variant '${variant}' needs its set-up module preloaded`);
}

const client = new OpenAI({ apiKey: "sk-bench", baseURL: env.BENCH_BASE_URL, maxRetries: 0 });
const body = { model: "gpt-4o-mini", temperature: 0.2, messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello, how are you today?" }] };
// a streamed call reads like a user's: a fixed system prompt, then ~BENCH_CHARS characters of prose that
// differ from call to call (the same sequence in every variant), answered by their echo. A repeated "x",
// as before, cost a tokenizer almost nothing and hid what counting tokens costs (token estimates)
const WORDS = (
  "the a of to and in is it for on with as at by from this that be are was model answer question tool call price order " +
  "city weather river forecast train ticket hotel museum opening hours tuesday monday euros booking flight delay refund " +
  "customer account invoice shipping address package return policy discount summer winter morning evening kitchen recipe"
).split(" ");
let seed = 1;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
function prose(chars) {
  let s = "";
  while (s.length < chars) s += WORDS[Math.floor(random() * WORDS.length)] + (random() < 0.08 ? ". " : random() < 0.05 ? ", " : " ");
  return s.slice(0, chars);
}
const SYSTEM = "You are a helpful assistant for a travel agency. Answer briefly, quote prices in euros, and never guess opening hours. ".repeat(5);
const streamBody = () => ({
  model: "gpt-4o-mini",
  stream: true,
  messages: [
    { role: "system", content: SYSTEM },
    { role: "user", content: prose(Number(env.BENCH_CHARS ?? 4000)) },
  ],
});

let chunks = 0;
async function one() {
  if (mode === "call") {
    const r = await client.chat.completions.create(body);
    if (!r.choices[0].message.content) throw new Error("empty answer");
    return;
  }
  const s = await client.chat.completions.create(streamBody());
  for await (const _ of s) chunks++;
}

for (let i = 0; i < warmup; i++) await one();
await flush();
chunks = 0;

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
// the main thread's share (Node 22.19+), the rest being GC helpers, compilers and the thread pool
const mainThreadCpu = () => {
  const u = process.threadCpuUsage?.();
  return u ? u.user + u.system : NaN;
};
let profiler;
let c0;
let m0;
let callsDone = 0;
let wallUs = 0;
async function run(n) {
  if (c0 === undefined) {
    profiler = env.BENCH_CPU_PROFILE || env.BENCH_HEAP_PROFILE ? await startProfiler() : undefined;
    c0 = cpu();
    m0 = mainThreadCpu();
  }
  const w0 = performance.now();
  for (let i = 0; i < n; i++) await one();
  wallUs += (performance.now() - w0) * 1000;
  callsDone += n;
}
async function end() {
  await flush();
  const cpuUs = cpu() - c0;
  const mainThreadCpuUs = mainThreadCpu() - m0;
  await profiler?.stop();
  process.stdout.write(`${JSON.stringify({ variant, mode, calls: callsDone, chunks, cpuUs, mainThreadCpuUs, wallUs, spansExpected: variant === "untraced" ? 0 : warmup + callsDone })}\n`);
}

if (env.BENCH_SLICED) {
  // driven by bench/per-call.mjs over stdin, in slices alternating with the other variants' processes:
  // "run <n>" makes n calls and answers "done"; "end" flushes and reports. CPU time counts from the
  // first slice to the end of the flush, so the export work done between slices is included.
  const { createInterface } = await import("node:readline");
  process.stdout.write("ready\n");
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, n] = line.trim().split(" ");
    if (cmd === "run") {
      await run(Number(n));
      process.stdout.write("done\n");
    } else if (cmd === "end") {
      await end();
      break;
    }
  }
  // the process ends by itself once its exporter has nothing left in flight (and stdin is closed); an
  // exporter whose flush resolved before its request finished pays for it here, so the CPU time at
  // exit is reported too
  const { writeSync } = await import("node:fs");
  process.on("exit", () => writeSync(1, `exit ${cpu() - c0}\n`));
} else {
  await run(calls);
  await end();
}

async function startProfiler() {
  const { Session } = await import("node:inspector");
  const fs = await import("node:fs");
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  if (env.BENCH_CPU_PROFILE) {
    await post("Profiler.enable");
    await post("Profiler.setSamplingInterval", { interval: Number(env.BENCH_PROFILE_INTERVAL ?? 100) });
    await post("Profiler.start");
  }
  if (env.BENCH_HEAP_PROFILE) {
    await post("HeapProfiler.enable");
    // every allocation sampled at 4 KB on average, including objects collected before the end
    await post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  return {
    async stop() {
      if (env.BENCH_CPU_PROFILE) fs.writeFileSync(env.BENCH_CPU_PROFILE, JSON.stringify((await post("Profiler.stop")).profile));
      if (env.BENCH_HEAP_PROFILE) fs.writeFileSync(env.BENCH_HEAP_PROFILE, JSON.stringify((await post("HeapProfiler.stopSampling")).profile));
      session.disconnect();
    },
  };
}
