#!/usr/bin/env node
// Per-call (and per-chunk) overhead of tracing the cloud SDKs, measured as bench/llm-overhead.mjs
// measures openai: separate copies of each SDK in one process (the require cache is cleared between
// them), untraced, traced by @inference/tracing with the full pipeline (OTLP export to a local
// receiver, flushed inside the timed window) and traced with spans recorded by a provider that has
// no processors; CPU µs of this process, the fastest of interleaved rounds. The mock servers run in
// a child process (their CPU is not ours). By default their answers, recorded once over HTTP, are
// replayed through each SDK's own transport option (the AWS clients' `requestHandler`, the other
// clients' `fetch`), so the figures show the SDK and tracer CPU without socket noise (one Bedrock
// call over HTTP/2 moves by ±1 ms of CPU here); `--http` makes every call over loopback.
//
//   npm run build && node --expose-gc bench/cloud-overhead.mjs [--rounds 40] [--calls 10] [--http]
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("rounds", 40);
const CALLS = arg("calls", 10);

const servers = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `const { startMockBedrock } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/bedrock.mjs"))});
     const { startMockOpenAI } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/openai.mjs"))});
     const { startMockAnthropic } = await import(${JSON.stringify(path.join(root, "fixtures/mock-providers/anthropic.mjs"))});
     const { startOtlpReceiver } = await import(${JSON.stringify(path.join(root, "fixtures/otlp-receiver.mjs"))});
     const [r, b, o, a] = await Promise.all([startOtlpReceiver(), startMockBedrock(), startMockOpenAI(), startMockAnthropic()]);
     setInterval(() => { r.clear(); b.requests.length = 0; o.requests.length = 0; a.requests.length = 0; }, 1000);
     console.log(JSON.stringify({ receiver: r.url, bedrock: b.url, openai: o.url, anthropic: a.url }));`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const urls = await new Promise((resolve) => servers.stdout.once("data", (d) => resolve(JSON.parse(String(d)))));
process.env.CATALYST_OTLP_ENDPOINT = urls.receiver;
process.env.CATALYST_CONSOLE = "off";

const PACKAGES = ["@aws-sdk/client-bedrock-runtime", "@aws-sdk/client-bedrock-agent-runtime", "openai", "@anthropic-ai/sdk", "@anthropic-ai/bedrock-sdk", "@anthropic-ai/vertex-sdk"];
const markers = PACKAGES.map((p) => `${path.sep}node_modules${path.sep}${p.split("/").join(path.sep)}${path.sep}`);
function forget() {
  for (const k of Object.keys(require.cache)) if (markers.some((m) => k.includes(m))) delete require.cache[k];
}
function load() {
  forget();
  return {
    runtime: require("@aws-sdk/client-bedrock-runtime"),
    agents: require("@aws-sdk/client-bedrock-agent-runtime"),
    openai: require("openai"),
    anthropicSdkClient: require("@anthropic-ai/sdk/client"),
    bedrockSdk: require("@anthropic-ai/bedrock-sdk"),
    vertexSdk: require("@anthropic-ai/vertex-sdk"),
  };
}

// copy 1: untraced; copy 2: ours without export (loaded before setup() installs its hook)
const plain = load();
const bare = load();
forget(); // setup() patches copies it finds already loaded: it must find none
const tracing = require(path.join(root, "dist/index.js"));
const handle = await tracing.setup({});
// copy 3: ours, full pipeline (the require hook patches it as it loads)
const ours = load();
const { BasicTracerProvider } = require("@opentelemetry/sdk-trace-base");
const quiet = new BasicTracerProvider();
require(path.join(root, "dist/subpaths/bedrock.js")).installBedrockInstrumentation({ module: bare.runtime, tracerProvider: quiet });
require(path.join(root, "dist/subpaths/bedrock-agent.js")).installBedrockAgentInstrumentation({ module: bare.agents, tracerProvider: quiet });
require(path.join(root, "dist/subpaths/openai.js")).installOpenAIInstrumentation({ module: bare.openai, tracerProvider: quiet });
require(path.join(root, "dist/subpaths/anthropic.js")).installAnthropicInstrumentation({ module: bare.anthropicSdkClient, tracerProvider: quiet });

const PATCHED = Symbol.for("@inference/tracing.patched");
const isOurs = (fn) => typeof fn === "function" && typeof fn[PATCHED] === "function";
for (const [name, copy, want] of [
  ["untraced", plain, false],
  ["ours-no-export", bare, true],
  ["ours", ours, true],
]) {
  if (isOurs(copy.runtime.BedrockRuntimeClient.prototype.send) !== want) throw new Error(`${name}: bedrock patch state`);
  if (isOurs(copy.anthropicSdkClient.Anthropic.Messages.prototype.create) !== want) throw new Error(`${name}: anthropic patch state`);
}

// replay: each distinct request is sent once, its answer kept and handed out again
const HTTP = process.argv.includes("--http");
const { HttpResponse } = require("@smithy/protocol-http");
const { NodeHttp2Handler } = require("@smithy/node-http-handler");
const { Readable } = require("node:stream");
const awsAnswers = new Map();
const live = new NodeHttp2Handler();
const replayHandler = {
  async handle(request, options) {
    const key = `${request.path}\n${typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body ?? new Uint8Array())}`;
    if (!awsAnswers.has(key)) {
      const { response } = await live.handle(request, options);
      const parts = [];
      for await (const part of response.body) parts.push(part);
      awsAnswers.set(key, { statusCode: response.statusCode, headers: response.headers, body: Buffer.concat(parts) });
    }
    const r = awsAnswers.get(key);
    return { response: new HttpResponse({ statusCode: r.statusCode, headers: { ...r.headers }, body: Readable.from([r.body]) }) };
  },
  updateHttpClientConfig() {},
  httpHandlerConfigs: () => ({}),
};
const fetchAnswers = new Map();
async function replayFetch(url, init) {
  const key = `${url}\n${init?.body}`;
  if (!fetchAnswers.has(key)) {
    const res = await fetch(url, init);
    fetchAnswers.set(key, { status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) });
  }
  const r = fetchAnswers.get(key);
  return new Response(r.body, { status: r.status, headers: r.headers });
}
const transport = HTTP ? {} : { fetch: replayFetch };
const aws = { region: "us-east-1", endpoint: urls.bedrock, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "bench-secret" }, maxAttempts: 1, ...(HTTP ? {} : { requestHandler: replayHandler }) };
const auth = () => {
  const { GoogleAuth, OAuth2Client } = require("google-auth-library");
  return new GoogleAuth({ authClient: new OAuth2Client({ credentials: { access_token: "ya29.bench", expiry_date: Date.now() + 3_600_000 } }) });
};
const HAIKU = "anthropic.claude-3-5-haiku-20241022-v1:0";
const converseInput = { modelId: `us.${HAIKU}`, system: [{ text: "be brief" }], messages: [{ role: "user", content: [{ text: "hello, how are you today?" }] }], inferenceConfig: { maxTokens: 100, temperature: 0.2 } };
const longText = "x".repeat(2000);

/** One workload per SDK: a call (or a stream read to its end) and how many chunks it yields. */
function workloads(copy) {
  const runtime = new copy.runtime.BedrockRuntimeClient(aws);
  const agents = new copy.agents.BedrockAgentRuntimeClient(aws);
  const azure = new copy.openai.AzureOpenAI({ endpoint: urls.openai, apiKey: "azure-bench", apiVersion: "2024-10-21", deployment: "bench", maxRetries: 0, ...transport });
  const anthropicBedrock = new copy.bedrockSdk.AnthropicBedrock({ baseURL: urls.bedrock, awsRegion: "us-east-1", awsAccessKey: "AKIDEXAMPLE", awsSecretKey: "bench-secret", maxRetries: 0, openTelemetry: false, ...transport });
  const vertex = new copy.vertexSdk.AnthropicVertex({ baseURL: `${urls.anthropic}/v1`, region: "us-east5", projectId: "bench", googleAuth: auth(), maxRetries: 0, openTelemetry: false, ...transport });
  return {
    "Bedrock Converse": async () => (await runtime.send(new copy.runtime.ConverseCommand(converseInput)), 0),
    "Bedrock ConverseStream (per chunk)": async () => {
      const out = await runtime.send(new copy.runtime.ConverseStreamCommand({ ...converseInput, messages: [{ role: "user", content: [{ text: longText }] }] }));
      let n = 0;
      for await (const _ of out.stream) n++;
      return n;
    },
    "Bedrock InvokeModel": async () => (await runtime.send(new copy.runtime.InvokeModelCommand({ modelId: HAIKU, body: JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 100, messages: [{ role: "user", content: "hello" }] }) })), 0),
    "Bedrock InvokeAgent (with trace)": async () => {
      const out = await agents.send(new copy.agents.InvokeAgentCommand({ agentId: "AGENT1", agentAliasId: "ALIAS1", sessionId: "s", inputText: "Weather in Paris?", enableTrace: true }));
      for await (const _ of out.completion);
      return 0;
    },
    "AzureOpenAI chat": async () => (await azure.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }), 0),
    "AnthropicBedrock messages": async () => (await anthropicBedrock.messages.create({ model: HAIKU, max_tokens: 50, messages: [{ role: "user", content: "hello" }] }), 0),
    "AnthropicVertex messages": async () => (await vertex.messages.create({ model: "claude-3-5-haiku@20241022", max_tokens: 50, messages: [{ role: "user", content: "hello" }] }), 0),
  };
}
const variants = { untraced: workloads(plain), "ours-no-export": workloads(bare), ours: workloads(ours) };
const exportNow = { ours: () => handle.forceFlush() };
const collectGarbage = () => globalThis.gc?.({ type: "minor" });
if (!globalThis.gc) console.error("(run with --expose-gc for the fairest figures)");
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function loop(variant, work, n) {
  const run = variants[variant][work];
  let chunks = 0;
  const t0 = cpu();
  for (let i = 0; i < n; i++) chunks += await run();
  const t1 = cpu();
  await exportNow[variant]?.();
  collectGarbage();
  const per = chunks > 0 ? chunks : n;
  return { path: (t1 - t0) / per, total: (cpu() - t0) / per };
}

const names = Object.keys(variants);
const works = Object.keys(variants.untraced);
for (const v of names) for (const w of works) await loop(v, w, 3); // warm-up
const results = Object.fromEntries(works.map((w) => [w, Object.fromEntries(names.map((v) => [v, { path: [], total: [] }]))]));
for (let r = 0; r < ROUNDS; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  for (const w of works) {
    for (const v of order) {
      const x = await loop(v, w, w.includes("per chunk") ? 1 : CALLS);
      results[w][v].path.push(x.path);
      results[w][v].total.push(x.total);
    }
  }
}
const best = (xs) => Math.min(...xs);
console.log(`\n[${HTTP ? "http: live calls to the mock servers" : "replay: the mock servers' recorded answers through each SDK's transport option"}]`);
console.log(`Cloud SDKs against the local mocks (${ROUNDS} interleaved rounds, ${CALLS} calls per round; streams: one per round)`);
console.log("CPU µs of the app process per call (per chunk for the stream), the fastest round of each variant; 'with export' adds encoding and sending the spans and collecting the garbage\n");
console.log("workload                              untraced   ours in the call (ratio)   ours with export (ratio)   no export");
const fmt = (x, w = 9, d = 1) => x.toFixed(d).padStart(w);
for (const w of works) {
  const b = best(results[w].untraced.path);
  const bt = best(results[w].untraced.total);
  const o = best(results[w].ours.path);
  const ot = best(results[w].ours.total);
  const q = best(results[w]["ours-no-export"].path);
  const d = w.includes("per chunk") ? 2 : 1;
  console.log(`${w.padEnd(36)} ${fmt(b, 9, d)}   +${fmt(o - b, 8, d)} (×${(o / b).toFixed(2)})         +${fmt(ot - bt, 8, d)} (×${(ot / bt).toFixed(2)})        +${fmt(q - b, 7, d)}`);
}
await handle.shutdown().catch(() => {});
live.destroy();
servers.kill();
process.exit(0);
