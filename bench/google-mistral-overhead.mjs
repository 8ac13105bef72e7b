#!/usr/bin/env node
// Per-call and per-chunk overhead of tracing @google/genai and @mistralai/mistralai, measured as in
// bench/llm-overhead.mjs: CPU time of this process, the mock servers (in another process) answering
// once and their answers replayed through fetch (no socket noise), interleaved rounds, the fastest
// round of each variant. Mistral 2.x is an ES module, so no second, untraced copy can be loaded
// in the same process: the untraced rounds run the same patched SDK inside a context marked as a
// framework's LLM call, where our wrappers pass straight through (they pay one context lookup).
//   untraced   the SDK's own work (plus that lookup)
//   ours       setup() with the full pipeline, batched OTLP/protobuf export to a local receiver
//
//   npm run build && node --expose-gc bench/google-mistral-overhead.mjs [--rounds 100] [--calls 25] [--streams 2] [--chars 2000]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("rounds", 100);
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
const urls = await new Promise((resolve) => servers.stdout.once("data", (d) => resolve(JSON.parse(String(d)))));
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
const tracing = require(path.join(root, "dist/index.js"));
const handle = await tracing.setup({ modules: { googleGenai: genai, mistral } });
const { context } = require("@opentelemetry/api");
const { markFrameworkLLMSpan } = require(path.join(root, "dist/spans/context.js"));
const passThrough = markFrameworkLLMSpan(context.active());

const ai = new genai.GoogleGenAI({ apiKey: "bench", httpOptions: { baseUrl: urls.google } });
const ms = new mistral.Mistral({ apiKey: "bench", serverURL: urls.mistral });
const PATCHED = Symbol.for("@inference/tracing.patched");
if (!genai.Models.prototype.generateContentInternal[PATCHED] || !Object.getPrototypeOf(ms.chat).complete[PATCHED]) throw new Error("not patched");

const long = "x".repeat(CHARS);
const work = {
  "google call": async () => void (await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello, how are you today?", config: { systemInstruction: "be brief", temperature: 0.2 } })),
  "mistral call": async () => void (await ms.chat.complete({ model: "mistral-small-latest", temperature: 0.2, messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello, how are you today?" }] })),
  "google chunk": async () => {
    let n = 0;
    for await (const _ of await ai.models.generateContentStream({ model: "gemini-2.5-flash", contents: long })) n++;
    return n;
  },
  "mistral chunk": async () => {
    let n = 0;
    for await (const _ of await ms.chat.stream({ model: "mistral-small-latest", messages: [{ role: "user", content: long }] })) n++;
    return n;
  },
};

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const collectGarbage = () => globalThis.gc?.({ type: "minor" });
if (!globalThis.gc) console.error("(run with --expose-gc for the fairest figures)");
async function window(measure, variant) {
  const n = measure.endsWith("chunk") ? STREAMS : CALLS;
  const once = work[measure];
  const t0 = cpu();
  let units = 0;
  for (let i = 0; i < n; i++) {
    const r = variant === "untraced" ? await context.with(passThrough, once) : await once();
    units += typeof r === "number" ? r : 1;
  }
  const t1 = cpu();
  if (variant === "ours") await handle.forceFlush();
  collectGarbage();
  return { path: (t1 - t0) / units, total: (cpu() - t0) / units };
}

const variants = ["untraced", "ours"];
const results = Object.fromEntries(Object.keys(work).map((k) => [k, Object.fromEntries(variants.map((v) => [v, { path: [], total: [] }]))]));
for (let w = 0; w < 5; w++) for (const k of Object.keys(work)) for (const v of variants) await window(k, v); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const k of Object.keys(work)) {
    for (const v of r % 2 ? variants : [...variants].reverse()) {
      const x = await window(k, v);
      results[k][v].path.push(x.path);
      results[k][v].total.push(x.total);
    }
  }
}
const best = (xs) => Math.min(...xs);
const fmt = (x, w, d) => x.toFixed(d).padStart(w);
const version = (pkg) => JSON.parse(fs.readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")).version;
console.log(`\n@google/genai ${version("@google/genai")} and @mistralai/mistralai ${version("@mistralai/mistralai")} on Node ${process.versions.node}, replayed answers`);
console.log(`${ROUNDS} interleaved rounds of ${CALLS} calls and ${STREAMS} streams of ${CHARS} chars; CPU µs of this process, the fastest round`);
console.log("'in the call': while the app awaits or reads; 'with export': plus encoding and sending the round's spans, and garbage collection\n");
console.log("measure          untraced (call / export)     ours added: in the call   with export   ratio with export");
for (const [k, r] of Object.entries(results)) {
  const d = k.endsWith("chunk") ? 2 : 1;
  const base = { path: best(r.untraced.path), total: best(r.untraced.total) };
  const added = { path: best(r.ours.path) - base.path, total: best(r.ours.total) - base.total };
  console.log(`${k.padEnd(16)} ${fmt(base.path, 10, d)} / ${fmt(base.total, 10, d)}   ${fmt(added.path, 24, d)} ${fmt(added.total, 13, d)}   ×${(1 + added.total / base.total).toFixed(2)}`);
}
await handle.shutdown();
process.exit(0);
