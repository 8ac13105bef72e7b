#!/usr/bin/env node
// Per-call overhead of tracing MCP tools/call, in one process: a real Client and McpServer of
// @modelcontextprotocol/sdk linked by the SDK's in-memory transport, so each call runs the client's
// request (a TOOL span, the trace context written into params._meta) and the server's handler (the
// context read back, a second TOOL span), with no socket noise. Three copies of the SDK (the require
// cache is cleared between them): untraced, ours with the full pipeline (OTLP/HTTP, batched, to a
// receiver in another process), ours with spans recorded by a provider that has no processors.
// Same method as llm-overhead.mjs: CPU µs of this process, interleaved rounds, the fastest round.
//
//   npm run build && node --expose-gc bench/mcp-overhead.mjs [--rounds 150] [--calls 25]
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
const ROUNDS = arg("rounds", 150);
const CALLS = arg("calls", 25);

// the OTLP receiver runs in a child process: its CPU is not ours
const servers = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `const { startOtlpReceiver } = await import(${JSON.stringify(path.join(root, "fixtures/otlp-receiver.mjs"))});
     const r = await startOtlpReceiver(); setInterval(() => r.clear(), 1000);
     console.log(JSON.stringify({ receiver: r.url }));`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const urls = await new Promise((resolve) => servers.stdout.once("data", (d) => resolve(JSON.parse(String(d)))));
process.env.CATALYST_OTLP_ENDPOINT = urls.receiver;
process.env.CATALYST_CONSOLE = "off";

const SDK = `${path.sep}node_modules${path.sep}@modelcontextprotocol${path.sep}sdk${path.sep}`;
function forgetSdk() {
  for (const k of Object.keys(require.cache)) if (k.includes(SDK)) delete require.cache[k];
}
function freshSdk() {
  forgetSdk();
  return {
    Client: require("@modelcontextprotocol/sdk/client/index.js").Client,
    McpServer: require("@modelcontextprotocol/sdk/server/mcp.js").McpServer,
    InMemoryTransport: require("@modelcontextprotocol/sdk/inMemory.js").InMemoryTransport,
  };
}

// copies that our require hook must not patch are loaded before setup() installs it
const plainSdk = freshSdk();
const bareSdk = freshSdk();
forgetSdk(); // setup() patches copies it finds already loaded: it must find none
const tracing = require(path.join(root, "dist/index.js"));
const handle = await tracing.setup({});
const oursSdk = freshSdk(); // patched by the require hook
const { installMcpInstrumentation } = require(path.join(root, "dist/subpaths/mcp.js"));
const { BasicTracerProvider } = require("@opentelemetry/sdk-trace-base");
installMcpInstrumentation({ module: bareSdk.Client, tracerProvider: new BasicTracerProvider() });

const PATCHED = Symbol.for("@inference/tracing.patched");
const isOurs = (sdk) => !!sdk.Client.prototype.request[PATCHED];
if (!isOurs(oursSdk) || !isOurs(bareSdk)) throw new Error("ours is not patched");
if (isOurs(plainSdk)) throw new Error("the untraced copy must not carry our patch");

async function connect(sdk) {
  const server = new sdk.McpServer({ name: "bench", version: "1.0.0" });
  server.tool("lookup_order", "Look up an order", async () => ({ content: [{ type: "text", text: '{"orderId":"ABC-123","status":"shipped","carrier":"UPS"}' }] }));
  const [a, b] = sdk.InMemoryTransport.createLinkedPair();
  await server.connect(b);
  const client = new sdk.Client({ name: "bench-client", version: "1.0.0" });
  await client.connect(a);
  return client;
}
const clients = { untraced: await connect(plainSdk), ours: await connect(oursSdk), "ours-no-export": await connect(bareSdk) };
const params = { name: "lookup_order", arguments: { orderId: "ABC-123" } };

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const exportNow = { ours: () => handle.forceFlush() };
const collectGarbage = () => globalThis.gc?.({ type: "minor" });
if (!globalThis.gc) console.error("(run with --expose-gc for the fairest figures: npm run bench does)");
async function callLoop(name, n) {
  const client = clients[name];
  const t0 = cpu();
  for (let i = 0; i < n; i++) await client.callTool(params);
  const t1 = cpu();
  await exportNow[name]?.();
  collectGarbage();
  return { path: (t1 - t0) / n, total: (cpu() - t0) / n };
}

const names = Object.keys(clients);
for (const n of names) await callLoop(n, 100); // warm-up
const perCall = Object.fromEntries(names.map((n) => [n, { path: [], total: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  for (const n of order) {
    const x = await callLoop(n, CALLS);
    perCall[n].path.push(x.path);
    perCall[n].total.push(x.total);
  }
}

const best = (xs) => Math.min(...xs);
const base = perCall.untraced;
const fmt = (x, w = 9) => x.toFixed(1).padStart(w);
console.log(`\nMCP tools/call, client and McpServer in one process over the SDK's in-memory transport (${ROUNDS} interleaved rounds of ${CALLS} calls)`);
console.log("CPU µs per call of this process (client + server + tracer + exporter); the fastest round of each variant; two spans per traced call.");
console.log("'in the call': while the app awaits callTool(); 'with export': plus encoding and sending the spans and collecting the garbage\n");
console.log("variant          untraced/added in the call  with export");
console.log(`${"untraced".padEnd(15)} ${fmt(best(base.path), 18)} ${fmt(best(base.total), 12)}   (absolute)`);
for (const n of names.filter((x) => x !== "untraced")) {
  const inCall = best(perCall[n].path) - best(base.path);
  const withExport = best(perCall[n].total) - best(base.total);
  console.log(`${n.padEnd(15)} ${fmt(inCall, 18)} ${fmt(withExport, 12)}   (×${(best(perCall[n].path) / best(base.path)).toFixed(2)} in the call, ×${(best(perCall[n].total) / best(base.total)).toFixed(2)} with export)`);
}

await handle.shutdown().catch(() => {});
servers.kill();
