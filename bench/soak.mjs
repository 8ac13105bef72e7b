// Soak benchmark: many traced OpenAI calls (the real `openai` package, patched by the agent)
// against the local mock server, with the collector up and then down. Reports heap and RSS at
// start and end, exported / dropped span counts, spans left open, and the heap per 1,000 spans held
// in the export queue (the collector-down phase against the collector-up one).
//
//   node bench/soak.mjs [calls per phase, default 100000] [concurrency, default 16]
//
// Plain node, loopback only, bounded: each phase stops at its count or after 15 minutes.
// Calls are mixed: 60% plain, 30% streamed to the end, 10% streams abandoned after the first chunk.
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

if (process.argv[2] === "--child") await child();
else await parent();

async function parent() {
  const calls = Number(process.argv[2] ?? 100_000);
  const concurrency = Number(process.argv[3] ?? 16);
  const { startMockOpenAI } = await import(path.join(ROOT, "fixtures/mock-providers/openai.mjs"));
  const { startOtlpReceiver } = await import(path.join(ROOT, "fixtures/otlp-receiver.mjs"));
  const mock = await startMockOpenAI();
  const receiver = await startOtlpReceiver();
  // keep the receiver's memory flat: count spans, forget them
  let received = 0;
  const countTimer = setInterval(() => {
    received += receiver.spans.length;
    receiver.spans.length = 0;
    receiver.requests.length = 0;
  }, 200);
  const closed = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
  const results = [];
  for (const [phase, endpoint] of [
    ["no tracing (baseline)", "off"],
    ["collector up", receiver.url],
    ["collector down", `http://127.0.0.1:${closed}`],
  ]) {
    const before = received;
    const r = await runChild({ calls, concurrency, endpoint, baseURL: mock.baseURL });
    await new Promise((res) => setTimeout(res, 500));
    received += receiver.spans.length;
    receiver.spans.length = 0;
    results.push({ phase, ...r, receivedByCollector: received - before });
  }
  clearInterval(countTimer);
  await mock.close();
  await receiver.close();
  const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
  console.log(`soak: ${calls} calls per phase, concurrency ${concurrency}, Node ${process.version}`);
  for (const r of results) {
    console.log(`\n${r.phase}: ${r.done} calls in ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.done / (r.ms / 1000))}/s)`);
    console.log(`  heap  start ${mb(r.heapStart)}  end ${mb(r.heapEnd)}  (max seen ${mb(r.heapMax)})`);
    console.log(`  heap after GC at 10%..100%: ${r.heapSeries.map(mb).join(", ")}`);
    console.log(`  rss   start ${mb(r.rssStart)}  end ${mb(r.rssEnd)}  (max seen ${mb(r.rssMax)})`);
    console.log(`  spans started ${r.started}, ended ${r.ended}, left open ${r.started - r.ended}`);
    console.log(`  export: ${r.stats.exported} exported, queue now ${r.stats.queued}, max queued ${r.maxQueued}, dropped (queue full) ${r.stats.droppedQueueFull}, dropped (failed) ${r.stats.droppedFailed}`);
    console.log(`  collector received ${r.receivedByCollector}; child exit code ${r.code}`);
  }
  // what held spans cost: the collector-down phase ends with its queue full (spans waiting to be
  // sent), the collector-up phase with it empty; both heaps are measured after a full GC
  const [, up, down] = results;
  const held = (down.stats.queued ?? 0) + (down.stats.inFlight ?? 0);
  if (held > 0) {
    const perThousand = ((down.heapEnd - up.heapEnd) * 1000) / held;
    console.log(`\nheld spans: ${held} with the collector down, heap after GC ${mb(down.heapEnd)} against ${mb(up.heapEnd)} with it up: ${mb(perThousand)} per 1,000 held spans (${(perThousand / 1024 / 1000).toFixed(1)} KB per span)`);
  }
  console.log(`\nJSON ${JSON.stringify(results)}`);
}

function runChild({ calls, concurrency, endpoint, baseURL }) {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["--expose-gc", path.join(ROOT, "bench/soak.mjs"), "--child", String(calls), String(concurrency)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, OPENAI_BASE_URL: baseURL, SOAK_ENDPOINT: endpoint, CATALYST_SHUTDOWN_TIMEOUT_MS: "2000" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    c.stdout.on("data", (d) => (out += d));
    c.stderr.on("data", (d) => (err += d));
    const killer = setTimeout(() => c.kill("SIGKILL"), 20 * 60_000);
    c.on("close", (code) => {
      clearTimeout(killer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (!line) return reject(new Error(`soak child failed (${code}):\n${out}\n${err}`));
      const warnings = err.split("\n").filter((l) => l.includes("warning:"));
      resolve({ ...JSON.parse(line.slice(7)), code, agentWarnings: warnings.length });
    });
  });
}

async function child() {
  const calls = Number(process.argv[3]);
  const concurrency = Number(process.argv[4]);
  const require = createRequire(path.join(ROOT, "package.json"));
  const tracing = require(path.join(ROOT, "dist/index.js"));
  const { exportStats } = require(path.join(ROOT, "dist/export/export-queue.js"));
  let started = 0;
  let ended = 0;
  const counter = {
    onStart: () => void started++,
    onEnd: () => void ended++,
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const off = process.env.SOAK_ENDPOINT === "off";
  if (!off) await tracing.setup({ endpoint: process.env.SOAK_ENDPOINT, spanProcessors: [counter] });
  const OpenAI = require("openai"); // loaded after setup(): patched by the require hook
  const client = new (OpenAI.default ?? OpenAI)({ apiKey: "sk-soak", baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });

  const one = async (i) => {
    const kind = i % 10;
    const messages = [{ role: "user", content: `soak ${i}` }];
    if (kind < 6) {
      const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
      return r.choices[0].message.content.length;
    }
    const stream = await client.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
    let n = 0;
    for await (const chunk of stream) {
      n += chunk.choices[0]?.delta?.content?.length ?? 0;
      if (kind === 9) break; // abandoned mid-stream
    }
    return n;
  };
  const mem = () => process.memoryUsage();
  let heapMax = 0;
  let rssMax = 0;
  let maxQueued = 0;
  const sample = () => {
    const m = mem();
    heapMax = Math.max(heapMax, m.heapUsed);
    rssMax = Math.max(rssMax, m.rss);
    for (const s of exportStats()) maxQueued = Math.max(maxQueued, s.queued + s.inFlight);
  };
  // warm up, then measure from a collected heap
  for (let i = 0; i < 200; i++) await one(i);
  global.gc?.();
  const start = mem();
  const t0 = Date.now();
  const deadline = t0 + 15 * 60_000;
  let next = 0;
  let done = 0;
  const heapSeries = [];
  const worker = async () => {
    while (next < calls && Date.now() < deadline) {
      const i = next++;
      await one(i);
      done++;
      if (done % 1000 === 0) sample();
      if (done % Math.max(1, Math.floor(calls / 10)) === 0) {
        global.gc?.();
        heapSeries.push(process.memoryUsage().heapUsed);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = Date.now() - t0;
  if (!off) await tracing.flush();
  global.gc?.();
  sample();
  const end = mem();
  const stats = exportStats()[0] ?? {};
  console.log(
    "RESULT " +
      JSON.stringify({
        done,
        ms,
        heapStart: start.heapUsed,
        heapEnd: end.heapUsed,
        heapMax,
        rssStart: start.rss,
        rssEnd: end.rss,
        rssMax,
        started,
        ended,
        maxQueued,
        heapSeries,
        stats,
      }),
  );
}
