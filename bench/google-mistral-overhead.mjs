#!/usr/bin/env node
// Per-call and per-chunk overhead of tracing @google/genai and @mistralai/mistralai, measured as in
// bench/llm-overhead.mjs: CPU time of the app process, the mock servers' answers recorded once and
// replayed through fetch (no socket noise), interleaved rounds, the fastest round of each variant.
// Mistral 2.x is an ES module (no second copy can be loaded in one process), so each variant runs
// in a process of its own, driven round by round from here:
//   untraced        the SDKs as they are
//   ours            setup() with the full pipeline, batched OTLP export to a local receiver
//   ours-no-export  our patches with spans recorded by a provider that has no processors
//
//   npm run build && node bench/google-mistral-overhead.mjs [--rounds 60] [--calls 25] [--streams 2] [--chars 2000]
import { fork, spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

if (process.argv[2] === "--variant") await worker(process.argv[3], JSON.parse(process.argv[4]));
else await main();

async function worker(variant, urls) {
  // Node 20 and 22 slow every promise once any AsyncLocalStorage is in use (as a tracer's context
  // manager is); every variant pays that here, so the added figures are what tracing itself adds
  new (await import("node:async_hooks")).AsyncLocalStorage().enterWith({});
  process.env.CATALYST_OTLP_ENDPOINT = urls.receiver;
  process.env.CATALYST_CONSOLE = "off";
  // replay: each distinct request is sent once, its answer kept and handed out again
  const realFetch = globalThis.fetch;
  const recorded = new Map();
  globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    const key = `${req.url} ${await req.clone().text()}`;
    if (!recorded.has(key)) {
      const res = await realFetch(req);
      recorded.set(key, { status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) });
    }
    const r = recorded.get(key);
    return new Response(r.body, { status: r.status, headers: r.headers });
  };
  const genai = await import("@google/genai");
  const mistral = await import("@mistralai/mistralai");
  let flush = async () => {};
  if (variant === "ours") {
    const tracing = await import(path.join(root, "dist/index.js"));
    const handle = await tracing.setup({ modules: { googleGenai: genai, mistral } });
    flush = () => handle.forceFlush();
  } else if (variant === "ours-no-export") {
    const { BasicTracerProvider } = await import("@opentelemetry/sdk-trace-base");
    const tracerProvider = new BasicTracerProvider();
    (await import(path.join(root, "dist/subpaths/google-genai.js"))).installGoogleGenAIInstrumentation({ module: genai, tracerProvider });
    (await import(path.join(root, "dist/subpaths/mistral.js"))).installMistralInstrumentation({ module: mistral, tracerProvider });
  }
  const patched = !!genai.Models.prototype.generateContentInternal[Symbol.for("@inference/tracing.patched")];
  if (patched !== (variant !== "untraced")) throw new Error(`${variant}: patched=${patched}`);

  const ai = new genai.GoogleGenAI({ apiKey: "bench", httpOptions: { baseUrl: urls.google } });
  const ms = new mistral.Mistral({ apiKey: "bench", serverURL: urls.mistral });
  const long = "x".repeat(urls.chars);
  const calls = {
    google: () => ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello, how are you today?", config: { systemInstruction: "be brief", temperature: 0.2 } }),
    mistral: () => ms.chat.complete({ model: "mistral-small-latest", temperature: 0.2, messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello, how are you today?" }] }),
  };
  const streams = {
    google: async () => {
      let n = 0;
      for await (const _ of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: long })) n++;
      return n;
    },
    mistral: async () => {
      let n = 0;
      for await (const _ of await ms.chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: long }] })) n++;
      return n;
    },
  };
  process.on("message", async ({ sdk, kind, n }) => {
    const t0 = cpu();
    let units = n;
    if (kind === "call") for (let i = 0; i < n; i++) await calls[sdk]();
    else {
      units = 0;
      for (let i = 0; i < n; i++) units += await streams[sdk]();
    }
    const t1 = cpu();
    await flush();
    globalThis.gc?.({ type: "minor" });
    process.send({ path: (t1 - t0) / units, total: (cpu() - t0) / units });
  });
  process.on("disconnect", () => process.exit(0));
  process.send({ ready: true });
}

async function main() {
  const ROUNDS = arg("rounds", 60);
  const CALLS = arg("calls", 25);
  const STREAMS = arg("streams", 2);
  const CHARS = arg("chars", 2000);
  const servers = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { startMockGoogle } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/google.mjs"))});
       const { startMockMistral } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/mistral.mjs"))});
       const { startOtlpReceiver } = await import(${JSON.stringify(path.join(root, "fixtures/otlp-receiver.mjs"))});
       const r = await startOtlpReceiver(); const g = await startMockGoogle(); const m = await startMockMistral();
       setInterval(() => { r.clear(); g.requests.length = 0; m.requests.length = 0; }, 1000);
       console.log(JSON.stringify({ receiver: r.url, google: g.url, mistral: m.url }));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  process.on("exit", () => servers.kill());
  const urls = { ...(await new Promise((resolve) => servers.stdout.once("data", (d) => resolve(JSON.parse(String(d)))))), chars: CHARS };
  const names = ["untraced", "ours", "ours-no-export"];
  const workers = {};
  for (const name of names) {
    const child = fork(fileURLToPath(import.meta.url), ["--variant", name, JSON.stringify(urls)], { cwd: root, execArgv: ["--expose-gc"] });
    await new Promise((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`${name} exited ${code}`)));
    });
    workers[name] = child;
  }
  const ask = (name, msg) => new Promise((resolve) => {
    workers[name].once("message", resolve);
    workers[name].send(msg);
  });
  const results = {};
  for (const sdk of ["google", "mistral"]) for (const kind of ["call", "chunk"]) results[`${sdk} ${kind}`] = Object.fromEntries(names.map((n) => [n, { path: [], total: [] }]));
  const once = async (name, sdk) => {
    const c = await ask(name, { sdk, kind: "call", n: CALLS });
    results[`${sdk} call`][name].path.push(c.path);
    results[`${sdk} call`][name].total.push(c.total);
    const s = await ask(name, { sdk, kind: "chunk", n: STREAMS });
    results[`${sdk} chunk`][name].path.push(s.path);
    results[`${sdk} chunk`][name].total.push(s.total);
  };
  for (const name of names) for (const sdk of ["google", "mistral"]) for (let w = 0; w < 3; w++) await once(name, sdk); // warm-up
  for (const k of Object.keys(results)) for (const n of names) results[k][n] = { path: [], total: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = names.map((_, i) => names[(i + r) % names.length]);
    for (const sdk of ["google", "mistral"]) for (const n of order) await once(n, sdk);
  }
  const best = (xs) => Math.min(...xs);
  const fmt = (x, w = 10, d = 1) => x.toFixed(d).padStart(w);
  console.log(`\n@google/genai generateContent(Stream) and @mistralai/mistralai chat.complete/stream, replayed answers`);
  console.log(`${ROUNDS} interleaved rounds of ${CALLS} calls and ${STREAMS} streams (${CHARS} chars each); CPU µs of the app process, fastest round`);
  console.log("'in the call': while the app awaits or reads; 'with export': plus encoding, sending and garbage collection\n");
  console.log("measure          variant          in the call   with export   ratio (with export)");
  for (const [k, byVariant] of Object.entries(results)) {
    const base = { path: best(byVariant.untraced.path), total: best(byVariant.untraced.total) };
    const d = k.endsWith("chunk") ? 2 : 1;
    console.log(`${k.padEnd(16)} ${"untraced".padEnd(15)} ${fmt(base.path, 12, d)} ${fmt(base.total, 13, d)}   (absolute)`);
    for (const n of names.slice(1)) {
      const p = best(byVariant[n].path) - base.path;
      const t = best(byVariant[n].total) - base.total;
      console.log(`${"".padEnd(16)} ${n.padEnd(15)} ${fmt(p, 12, d)} ${fmt(t, 13, d)}   ×${(1 + t / base.total).toFixed(2)}  (added µs)`);
    }
  }
  for (const w of Object.values(workers)) w.kill();
  servers.kill();
}
