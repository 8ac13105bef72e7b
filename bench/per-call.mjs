#!/usr/bin/env node
// End-to-end per-call cost, measured the way a user pays it: the real `openai` package (the app,
// bench/apps/per-call.mjs) calls a local OpenAI-compatible server (fixtures/mock-providers/openai.mjs)
// over loopback HTTP in another process, and spans go over OTLP/HTTP to a collector
// (fixtures/otlp-receiver.mjs) in a third process. Each app process makes <warmup> calls, then times
// <calls> sequential calls plus the export of their spans (its tracer's own flush): the process's CPU
// time and wall time per call. Variants run as separate processes, interleaved in rounds with the
// order rotated, on every runtime asked for:
//   untraced        the bare app
//   ours            node --import @inference/tracing/register (bun --preload), zero-code
//   openinference   @arizeai/openinference-instrumentation-openai + OpenTelemetry's NodeTracerProvider,
//                   BatchSpanProcessor and OTLP/protobuf exporter (bench/apps/per-call-openinference.mjs)
//   seed            @inference/tracing 0.1.12 from npm (the `seed-tracing` alias), used as a library
//                   (bench/apps/per-call-seed.mjs)
// The app imports only `openai`; each tracer's set-up is preloaded, so no variant loads another's
// packages (our ESM mode loads early the SDKs the app's imports depend on).
// A second pass times streamed calls (~500 chunks each) for the cost per chunk. The collector counts
// the export requests (POSTs) and body bytes each process sent.
//
//   node bench/per-call.mjs [--quick] [--calls 3000] [--warmup 200] [--rounds 3] [--streams 100]
//                           [--runtimes node20,node22,node24,node26,bun] [--variants untraced,ours,openinference,seed]
//                           [--no-stream] [--json file] [--flags "--some-node-flag"] [--baseline dir] [--slice 100]
//   A variant "name:KEY=value;KEY=value" is variant `name` run with extra environment variables;
//   "ours@<dir>" is ours from another build of this package: a folder holding its dist/ and register
//   files, where our dependencies resolve (inside this repository, or with a node_modules link to it).
//   --baseline <dir> adds "ours@<dir>" as the variant "ours-before", interleaved with the current
//   build, for before/after figures from the same machine state.
//   --quick: 500 calls after 100, 2 rounds, 20 streams.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeBinary, runtimeLabel } from "./lib/runtimes.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

/** A server process: the mock OpenAI API, or the OTLP collector (one receiver per app process), driven over IPC. */
async function serve(what) {
  if (what === "mock") {
    const { startMockOpenAI } = await import(path.join(root, "fixtures/mock-providers/openai.mjs"));
    const mock = await startMockOpenAI();
    // a stream's events leave in one write, so every run's client reads them alike (see sendSse)
    mock.sseOneWrite = true;
    setInterval(() => (mock.requests.length = 0), 1000).unref();
    process.send({ url: mock.baseURL });
  } else {
    const { startOtlpReceiver } = await import(path.join(root, "fixtures/otlp-receiver.mjs"));
    const receivers = new Map();
    // requests are counted and forgotten as they come, so the collector's memory stays flat
    const drain = (c) => {
      for (const q of c.r.requests) {
        c.posts++;
        c.bytes += q.bytes;
        c.spans += q.spanCount;
      }
      c.r.clear();
    };
    setInterval(() => receivers.forEach(drain), 200).unref();
    process.on("message", async ({ id, open, take }) => {
      if (open) {
        const c = { r: await startOtlpReceiver(), posts: 0, bytes: 0, spans: 0 };
        receivers.set(open, c);
        process.send({ id, url: c.r.url });
      } else {
        const c = receivers.get(take);
        drain(c);
        receivers.delete(take);
        await c.r.close();
        process.send({ id, posts: c.posts, bytes: c.bytes, spans: c.spans });
      }
    });
    process.send({});
  }
  process.on("disconnect", () => process.exit(0));
}

function startServer(what) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve", what], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let next = 0;
  const waiting = new Map();
  const ask = (msg) =>
    new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      child.send({ id, ...msg });
    });
  return new Promise((resolve) =>
    child.once("message", (m) => {
      child.on("message", (r) => waiting.get(r.id)?.(r));
      resolve({ child, url: m.url, ask });
    }),
  );
}

/** One app process driven over stdin/stdout: start() resolves when it is warm, slice(n) runs n calls. */
class App {
  constructor(bin, flags, env, name) {
    this.name = name;
    this.stderr = "";
    this.lines = [];
    this.waiters = [];
    this.child = spawn(bin, [...flags, path.join(here, "apps/per-call.mjs")], { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] });
    let buf = "";
    this.child.stdout.on("data", (d) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w.resolve(line);
        else this.lines.push(line);
      }
    });
    this.child.stderr.on("data", (d) => (this.stderr = (this.stderr + d).slice(-2000)));
    this.child.on("close", (code) => {
      const err = new Error(`${name} exited (${code}): ${this.stderr.trim().split("\n").slice(-3).join(" | ")}`);
      for (const w of this.waiters.splice(0)) w.reject(err);
      this.closed = err;
    });
  }
  line() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }
  async expect(word) {
    const l = await this.line();
    if (l !== word) throw new Error(`${this.name}: expected "${word}", got "${l.slice(0, 200)}"`);
  }
  async slice(n) {
    this.child.stdin.write(`run ${n}\n`);
    await this.expect("done");
  }
  /** The app's report; then it is left to exit by itself, as an app would, so its exporter finishes what is in flight. */
  async end() {
    this.child.stdin.write("end\n");
    const report = JSON.parse(await this.line());
    this.child.stdin.end();
    const atExit = await Promise.race([this.line(), new Promise((resolve) => setTimeout(resolve, 10_000, ""))]).catch(() => "");
    // CPU time counted to the process's exit when that is later than the flush (an exporter still sending)
    if (atExit.startsWith("exit ")) report.cpuUs = Math.max(report.cpuUs, Number(atExit.slice(5)));
    return report;
  }
  kill() {
    if (!this.closed) this.child.kill();
  }
}

async function main() {
  const quick = args.includes("--quick");
  const CALLS = Number(opt("calls", quick ? 500 : 3000));
  const WARMUP = Number(opt("warmup", quick ? 100 : 200));
  const ROUNDS = Number(opt("rounds", quick ? 2 : 3));
  const STREAMS = args.includes("--no-stream") ? 0 : Number(opt("streams", quick ? 20 : 100));
  const SLICE = Number(opt("slice", 100));
  const RUNTIMES = opt("runtimes", "node20,node22,node24,node26,bun").split(",");
  const VARIANTS = opt("variants", "untraced,ours,openinference,seed").split(",");
  const EXTRA_FLAGS = (opt("flags", "") || "").split(" ").filter(Boolean);
  const JSON_OUT = opt("json", undefined);
  const BASELINE = opt("baseline", undefined);
  if (BASELINE && !VARIANTS.includes("ours-before")) VARIANTS.splice(VARIANTS.indexOf("ours") + 1, 0, "ours-before");
  /** The folder of a variant's build of ours: "ours-before" is the baseline's, "ours@<dir>" names its own. */
  const buildOf = (kind) => (kind === "ours-before" ? BASELINE : kind.startsWith("ours@") ? kind.slice(5) : undefined);

  const mock = await startServer("mock");
  const collector = await startServer("collector");
  const cleanEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR ?? "/tmp" };

  /** One round of one mode: every variant's process started and warmed, then `total` calls each in alternating slices. */
  async function round(bin, isBun, variants, mode, total, warmup, slice, roundNo) {
    const apps = new Map();
    try {
      for (const v of variants) {
        // "name:KEY=value;KEY=value" runs variant `name` with extra environment (e.g. ours:CATALYST_BATCHING=simple)
        const [kind, extraEnv = ""] = v.split(/:(.*)/s);
        const flags = [...EXTRA_FLAGS];
        const preload = isBun ? "--preload" : "--import";
        if (kind === "ours") flags.push(preload, "@inference/tracing/register");
        if (buildOf(kind)) flags.push(preload, path.resolve(buildOf(kind), isBun ? "register.bun.mjs" : "register.mjs"));
        if (kind === "openinference" || kind === "seed") flags.push(preload, path.join(here, `apps/per-call-${kind}.mjs`));
        const { url } = await collector.ask({ open: v });
        const env = {
          ...cleanEnv,
          BENCH_SLICED: "1",
          BENCH_VARIANT: buildOf(kind) ? "ours" : kind,
          BENCH_MODE: mode,
          BENCH_WARMUP: String(warmup),
          BENCH_BASE_URL: mock.url,
          BENCH_COLLECTOR: url,
          CATALYST_OTLP_ENDPOINT: url,
          ...Object.fromEntries(extraEnv.split(";").filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2))),
        };
        apps.set(v, new App(bin, flags, env, v));
      }
      // started together, warmed one after the other (each warm-up then runs on an otherwise quiet app side)
      const results = {};
      const failed = {};
      for (const [v, app] of apps) {
        try {
          await app.expect("ready");
        } catch (e) {
          failed[v] = e.message;
          apps.delete(v);
        }
      }
      const names = [...apps.keys()];
      for (let done = 0, k = 0; done < total; done += slice, k++) {
        const n = Math.min(slice, total - done);
        // rotate the order every slice: no variant always follows the same one
        for (let i = 0; i < names.length; i++) {
          const v = names[(i + k + roundNo) % names.length];
          if (failed[v]) continue;
          await apps.get(v).slice(n).catch((e) => (failed[v] = e.message));
        }
      }
      for (const v of names) {
        if (failed[v]) continue;
        try {
          results[v] = await apps.get(v).end();
        } catch (e) {
          failed[v] = e.message;
        }
      }
      // spans exported at the very end may still be in the collector's sockets
      await new Promise((r) => setTimeout(r, 200));
      for (const v of variants) {
        const sent = await collector.ask({ take: v });
        if (!results[v]) continue;
        Object.assign(results[v], { posts: sent.posts, bytes: sent.bytes, spans: sent.spans });
        if (sent.spans !== results[v].spansExpected) console.error(`${v}: the collector received ${sent.spans} spans of ${results[v].spansExpected}`);
      }
      return { results, failed };
    } finally {
      for (const app of apps.values()) app.kill();
    }
  }

  const results = [];
  for (const rt of RUNTIMES) {
    let bin;
    try {
      bin = runtimeBinary(rt);
    } catch (e) {
      console.error(`skipping ${rt}: ${e.message}`);
      continue;
    }
    const label = runtimeLabel(bin);
    const isBun = rt === "bun";
    const failed = {};
    const rows = Object.fromEntries(VARIANTS.map((v) => [v, { call: [], stream: [] }]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of STREAMS > 0 ? ["call", "stream"] : ["call"]) {
        const variants = VARIANTS.filter((v) => !failed[v]);
        const out =
          mode === "call"
            ? await round(bin, isBun, variants, mode, CALLS, WARMUP, SLICE, r)
            : await round(bin, isBun, variants, mode, STREAMS, Math.max(3, Math.round(STREAMS / 10)), Math.max(1, Math.round(SLICE / 20)), r);
        for (const [v, e] of Object.entries(out.failed)) {
          failed[v] = e;
          console.error(`${label} ${v} ${mode}: ${e}`);
        }
        for (const [v, res] of Object.entries(out.results)) {
          rows[v][mode].push({ ...res, round: r });
          process.stderr.write(`${label} round ${r + 1} ${mode} ${v}: ${(res.cpuUs / (mode === "call" ? res.calls : res.chunks)).toFixed(mode === "call" ? 0 : 2)} µs CPU\n`);
        }
      }
    }
    results.push({ runtime: rt, label, rows, failed });
    print(results.at(-1), { CALLS, WARMUP, ROUNDS, STREAMS, SLICE });
  }
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(results, null, 1));
  mock.child.disconnect();
  collector.child.disconnect();
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const signed = (x, d = 0) => (Number.isFinite(x) ? (x >= 0 ? "+" : "") + x.toFixed(d) : "—");

function print({ label, rows, failed }, { CALLS, WARMUP, ROUNDS, STREAMS, SLICE }) {
  const base = rows.untraced ?? { call: [], stream: [] };
  const perCall = (r) => r.cpuUs / r.calls;
  const wallPerCall = (r) => r.wallUs / r.calls;
  const perChunk = (r) => r.cpuUs / r.chunks;
  /** The median of a variant's figure, and of its difference from the bare app's in the same round. */
  const figures = (rs, baseRs, f) => {
    const added = rs.map((r) => {
      const b = baseRs.find((x) => x.round === r.round);
      return b ? f(r) - f(b) : NaN;
    });
    return { value: median(rs.map(f)), added: median(added), range: added.filter(Number.isFinite) };
  };
  console.log(
    `\n${label}: ${CALLS} calls after ${WARMUP} per process, the variants' processes taking turns ${SLICE} calls at a time; ` +
      `${ROUNDS} rounds; export included (each tracer's flush ends the window). Medians; "added" is the median of each round's difference from the bare app`,
  );
  console.log("| variant | CPU µs/call | added | (rounds) | ratio | wall µs/call | added | POSTs | spans | bytes/span | CPU µs/chunk (streamed) | added |");
  console.log("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [v, { call, stream }] of Object.entries(rows)) {
    if (failed[v] && call.length === 0) {
      console.log(`| ${v} | failed: ${failed[v].slice(0, 120)} |`);
      continue;
    }
    const cpu = figures(call, base.call, perCall);
    const wall = figures(call, base.call, wallPerCall);
    const chunk = STREAMS > 0 ? figures(stream, base.stream, perChunk) : { value: NaN, added: NaN, range: [] };
    const posts = median(call.map((r) => r.posts));
    const spans = median(call.map((r) => r.spans));
    const bps = median(call.map((r) => (r.spans ? r.bytes / r.spans : NaN)));
    const isBase = v === "untraced";
    const dash = (x) => (isBase ? "—" : x);
    console.log(
      `| ${v} | ${cpu.value.toFixed(0)} | ${dash(signed(cpu.added))} | ${dash(cpu.range.map((x) => signed(x)).join(" "))} | ${dash(`×${(1 + cpu.added / median(base.call.map(perCall))).toFixed(2)}`)} | ` +
        `${wall.value.toFixed(0)} | ${dash(signed(wall.added))} | ${dash(posts)} | ${dash(spans)} | ${dash(Number.isFinite(bps) ? bps.toFixed(0) : "—")} | ` +
        `${Number.isFinite(chunk.value) ? chunk.value.toFixed(2) : "—"} | ${dash(signed(chunk.added, 2))} |`,
    );
  }
}

if (args[0] === "--serve") await serve(args[1]);
else await main();
