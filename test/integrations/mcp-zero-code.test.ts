/**
 * MCP, zero code: fixtures/apps/mcp-client (no tracing code; ESM and CJS) talks to
 * fixtures/apps/mcp-server (McpServer in ESM, the low-level Server in CJS) over stdio — the client
 * spawns the server, which gets our preload from the traced client — and over Streamable HTTP
 * (the server started traced on its own). Both are real processes on every runtime; spans come
 * from the real OTLP receiver; one trace spans both processes; the app's output is identical to
 * an untraced run, also with our extractors failing on purpose; the oldest supported SDK (1.10.0)
 * the same way; a traced stdio server writes nothing but JSON-RPC to stdout; a server that only
 * ends on the client's SIGTERM still delivers its spans. Under `npm run test:versions` the apps are
 * copied into the project CATALYST_TEST_SDK_DIR names (fixtureApp()) and run against its SDK copy.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { cleanEnv, FIXTURES, ROOT, run, type RunResult } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
import { APP_CWD, fixtureApp, pointedAtOtherCopy } from "../helpers/sdk-project";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let receiver: Receiver;
let openaiMock: any;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openaiMock = await startMockOpenAI();
});
afterAll(async () => {
  await openaiMock?.close();
  await receiver?.close();
});

const APPS = path.join(FIXTURES, "apps");
const CLIENT_APP = "mcp-client-app";
const SERVER_APP = "mcp-server-app";
const CLIENT_KIND = 3;
// each test runs two to four processes, untraced and traced: slow on a busy machine
vi.setConfig({ testTimeout: 400_000, hookTimeout: 200_000 });
const SERVER_KIND = 2;

/** The zero-code door for a runtime and module format. */
function door(runtime: RuntimeName, format: "esm" | "cjs"): string[] {
  if (runtime === "bun") return ["--preload", "@inference/tracing/register"];
  return format === "esm" ? ["--import", "@inference/tracing/register"] : ["--require", "@inference/tracing/register"];
}

const tracingEnv = (extra: Record<string, string> = {}) => ({ CATALYST_OTLP_ENDPOINT: receiver.url, ...extra });

/** A process's MCP spans, by name (attributes may be missing when our extractors are made to fail). */
const mcpSpans = (spans: ReceivedSpan[], service: string) => spans.filter((s) => s.resource["service.name"] === service && /^(tools\/call|resources\/read|prompts\/get)\b/.test(s.name));

/** Wait for `perSide` MCP spans from each process (and `llm` LLM spans from the server). */
function waitForBothSides(perSide: number, llm = 0) {
  return receiver.waitForSpans(
    (s) =>
      mcpSpans(s, CLIENT_APP).length >= perSide &&
      mcpSpans(s, SERVER_APP).length >= perSide &&
      s.filter((x) => x.attributes["openinference.span.kind"] === "LLM").length >= llm,
    15_000,
  );
}

/** Every client-side MCP span has exactly one server-side child in another process: one trace. */
function expectOneTracePerCall(spans: ReceivedSpan[]) {
  const client = mcpSpans(spans, CLIENT_APP);
  const server = mcpSpans(spans, SERVER_APP);
  expect(client.every((s) => s.kind === CLIENT_KIND)).toBe(true);
  expect(server.every((s) => s.kind === SERVER_KIND)).toBe(true);
  for (const c of client) {
    const children = server.filter((s) => s.parentSpanId === c.spanId);
    expect(children, c.name).toHaveLength(1);
    expect(children[0]!.traceId).toBe(c.traceId);
    expect(children[0]!.name).toBe(c.name);
  }
  const names = client.map((s) => s.name).sort();
  expect(names).toEqual(["prompts/get missing", "prompts/get review", "resources/read docs://readme", "tools/call fail_tool", "tools/call get_weather", "tools/call no_such_tool"]);
  for (const s of [...client, ...server].filter((x) => x.name === "tools/call fail_tool")) {
    expect(s.status).toMatchObject({ code: 2, message: "the weather station is down" });
    expect(s.attributes["error.type"]).toBe("tool_error");
  }
  for (const s of [...client, ...server].filter((x) => x.name === "prompts/get missing")) {
    expect(s.status.code).toBe(2);
    expect(s.attributes["rpc.response.status_code"]).toBe("-32602");
  }
  const weather = server.find((s) => s.name === "tools/call get_weather")!;
  expect(weather.attributes).toMatchObject({ "openinference.span.kind": "TOOL", "tool.name": "get_weather", "input.value": '{"city":"Paris"}' });
  return { client, server, weather };
}

/** The model call the server's tool makes: an LLM span in the server process, under its tool span. */
function expectServerLLMUnder(spans: ReceivedSpan[], weather: ReceivedSpan) {
  const llm = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
  expect(llm).toHaveLength(1);
  expect(llm[0]!.resource["service.name"]).toBe(SERVER_APP);
  expect(llm[0]!.parentSpanId).toBe(weather.spanId);
  expect(llm[0]!.traceId).toBe(weather.traceId);
}

async function runApp(runtime: RuntimeName, args: string[], env: Record<string, string>, cwd = APP_CWD): Promise<RunResult> {
  const r = await run(runtimePath(runtime), args, { env, cwd, timeoutMs: 150_000 });
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r;
}

/** Start an HTTP MCP server and read its port; stop() ends it with SIGTERM (as a deployment would). */
async function startHttpServer(runtime: RuntimeName, args: string[], env: Record<string, string>, cwd = APP_CWD) {
  const child = spawn(runtimePath(runtime), [...args, "http"], { cwd, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on("close", () => reject(new Error(`server ended before listening: ${stderr}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.on("close", () => resolve());
        child.kill("SIGTERM");
      }),
    stderr: () => stderr,
  };
}

describe.each(selectedRuntimes())("MCP zero-code on %s", (runtime) => {
  it("stdio, ESM: the client spawns the McpServer; one trace per call across both processes; the server's model call under its tool span", async () => {
    const env = { OPENAI_BASE_URL: openaiMock.baseURL, MCP_SERVER: fixtureApp("mcp-server/server.mjs") };
    const client = fixtureApp("mcp-client/client.mjs");
    const plain = await runApp(runtime, [client], env);
    expect(plain.stdout).toContain("get_weather: Sunny in Paris (Echo: weather in Paris)");
    expect(plain.stdout).toContain("transport errors: 0");
    receiver.clear();
    const traced = await runApp(runtime, [...door(runtime, "esm"), client], { ...env, ...tracingEnv() });
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await waitForBothSides(6, 1);
    const { weather } = expectOneTracePerCall(spans);
    expectServerLLMUnder(spans, weather);
  });

  it("stdio, CommonJS: the client spawns the low-level Server with the SDK's default environment; one trace per call", async () => {
    const env = { MCP_SERVER: fixtureApp("mcp-server/server.cjs") };
    const client = fixtureApp("mcp-client/client.cjs");
    const plain = await runApp(runtime, [client], env);
    expect(plain.stdout).toContain("no_such_tool: error -32602");
    receiver.clear();
    const traced = await runApp(runtime, [...door(runtime, "cjs"), client], { ...env, ...tracingEnv() });
    expect(traced.stdout).toBe(plain.stdout);
    expectOneTracePerCall(await waitForBothSides(6));
  });

  it("Streamable HTTP: a traced CommonJS server and a traced ESM client; one trace per call, session id on both sides", async () => {
    const client = fixtureApp("mcp-client/client.mjs");
    const serverArgs = [fixtureApp("mcp-server/server.cjs")];
    const plainServer = await startHttpServer(runtime, serverArgs, { OPENAI_BASE_URL: openaiMock.baseURL });
    const plain = await runApp(runtime, [client], { MCP_URL: plainServer.url });
    await plainServer.stop();
    receiver.clear();
    const server = await startHttpServer(runtime, [...door(runtime, "cjs"), ...serverArgs], { OPENAI_BASE_URL: openaiMock.baseURL, ...tracingEnv() });
    const traced = await runApp(runtime, [...door(runtime, "esm"), client], { MCP_URL: server.url, ...tracingEnv() });
    await server.stop();
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.stdout).toContain("get_weather: Sunny in Paris (Echo: weather in Paris)");
    const spans = await waitForBothSides(6, 1);
    const { client: onClient, server: onServer, weather } = expectOneTracePerCall(spans);
    expectServerLLMUnder(spans, weather);
    const sessions = new Set([...onClient, ...onServer].map((s) => s.attributes["mcp.session.id"]));
    expect(sessions.size).toBe(1);
    expect([...sessions][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(onClient[0]!.attributes).toMatchObject({ "network.transport": "tcp", "server.address": "127.0.0.1" });
  });
});

describe("MCP zero-code: faults, opt-out, shutdown, stdout", () => {
  const env = () => ({ OPENAI_BASE_URL: openaiMock.baseURL, MCP_SERVER: fixtureApp("mcp-server/server.mjs") });
  const client = fixtureApp("mcp-client/client.mjs");
  let plain: RunResult;
  beforeAll(async () => {
    plain = await runApp("node20", [client], env());
  });

  it("with every extractor failing (CATALYST_TEST_FAULTS=1, which the server inherits): identical output, spans end marked incomplete", async () => {
    receiver.clear();
    const traced = await runApp("node20", [...door("node20", "esm"), client], { ...env(), ...tracingEnv({ CATALYST_TEST_FAULTS: "1" }) });
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await waitForBothSides(6);
    for (const s of [...mcpSpans(spans, CLIENT_APP), ...mcpSpans(spans, SERVER_APP)]) expect(s.attributes["inference.tracing.incomplete"], s.name).toBe(true);
  });

  it("with import-in-the-middle's loader (CATALYST_ESM_MODE=loader, which the server inherits) instead of the eager mode", async () => {
    receiver.clear();
    const traced = await runApp("node20", [...door("node20", "esm"), client], { ...env(), ...tracingEnv({ CATALYST_ESM_MODE: "loader", CATALYST_DEBUG: "1" }) });
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.stderr.match(/ESM mechanism: loader/g)).toHaveLength(2);
    const { weather } = expectOneTracePerCall(await waitForBothSides(6, 1));
    expectServerLLMUnder(receiver.spans, weather);
  });

  it("CATALYST_MCP_STDIO_SERVERS=off: the client is traced, the server it starts is not", async () => {
    receiver.clear();
    const traced = await runApp("node20", [...door("node20", "esm"), client], { ...env(), ...tracingEnv({ CATALYST_MCP_STDIO_SERVERS: "off" }) });
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => mcpSpans(s, CLIENT_APP).length >= 6, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(spans.filter((s) => s.resource["service.name"] === SERVER_APP)).toEqual([]);
  });

  it("a server that only ends on the client's SIGTERM (2 s after stdin closes) still delivers its spans, batched", async () => {
    receiver.clear();
    const traced = await runApp("node20", [...door("node20", "esm"), client], { ...env(), MCP_KEEP_ALIVE: "1", ...tracingEnv({ CATALYST_DEBUG: "1" }) });
    expect(traced.stdout).toBe(plain.stdout);
    // the server's debug lines reach the client's stderr (the SDK's default: inherit)
    expect(traced.stderr).toContain("SIGTERM received: flushing spans");
    expectOneTracePerCall(await waitForBothSides(6, 1));
  });

  it.each(["node20", "bun"] as const)("a traced stdio server on %s writes only JSON-RPC to stdout; our debug log and trace trees go to stderr", async (runtime) => {
    const args = [...(runtime === "bun" ? ["--preload"] : ["--require"]), "@inference/tracing/register", fixtureApp("mcp-server/server.mjs")];
    const child = spawn(runtimePath(runtime), args, { cwd: APP_CWD, env: cleanEnv({ CATALYST_DEBUG: "1" }), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    const answered = (n: number) => stdout.split("\n").filter((l) => l.includes('"result"') || l.includes('"error"')).length >= n;
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_weather", arguments: { city: "Oslo" }, _meta: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } } });
    send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "fail_tool", arguments: {} } });
    send({ jsonrpc: "2.0", id: 4, method: "resources/read", params: { uri: "docs://readme" } });
    send({ jsonrpc: "2.0", id: 5, method: "prompts/get", params: { name: "review", arguments: { code: "y" } } });
    for (let i = 0; i < 300 && !answered(5); i++) await new Promise((r) => setTimeout(r, 50));
    child.stdin.end();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const lines = stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(5);
    const messages = lines.map((line) => JSON.parse(line));
    for (const m of messages) expect(m).toMatchObject({ jsonrpc: "2.0" });
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(messages.find((m) => m.id === 2).result.content[0].text).toBe("Sunny in Oslo");
    // ours all went to stderr: the debug log, and (no endpoint set) the trace trees of the calls
    expect(stderr).toContain("[@inference/tracing]");
    expect(stderr).toContain("tools/call get_weather");
    expect(stderr).toContain("prompts/get review");
  });
});

// the version matrix runs the tests above against 1.10.0 (and every other version it tests) itself
describe.skipIf(pointedAtOtherCopy())("MCP zero-code with the oldest supported SDK (1.10.0)", () => {
  // a copy of the 1.10.0 package (npm alias mcp-sdk-v1-10) under its real name, beside copies of
  // the fixture apps, inside the repository so its other dependencies resolve from node_modules
  const dir = path.join(ROOT, "test-output", "mcp-sdk-1.10.0");
  beforeAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, "node_modules", "mcp-sdk-v1-10"), path.join(dir, "node_modules", "@modelcontextprotocol", "sdk"), { recursive: true, dereference: true });
    for (const app of ["mcp-client", "mcp-server"]) fs.cpSync(path.join(APPS, app), path.join(dir, app), { recursive: true });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(["node20", "bun"] as const)("stdio, ESM on %s: the 1.10.0 client and server are patched; one trace per call; identical output", async (runtime) => {
    const env = { OPENAI_BASE_URL: openaiMock.baseURL, MCP_SERVER: path.join(dir, "mcp-server/server.mjs") };
    const client = path.join(dir, "mcp-client/client.mjs");
    const plain = await runApp(runtime, [client], env, dir);
    expect(plain.stdout).toContain("get_weather: Sunny in Paris (Echo: weather in Paris)");
    receiver.clear();
    const traced = await runApp(runtime, [...door(runtime, "esm"), client], { ...env, ...tracingEnv({ CATALYST_DEBUG: "1" }) }, dir);
    expect(traced.stdout).toBe(plain.stdout);
    // both processes patched the 1.10.0 copy (the server's debug lines reach the client's stderr)
    expect(traced.stderr.match(/patched @modelcontextprotocol\/sdk\/dist\/esm\/shared\/protocol@1\.10\.0 \(esm\)/g)).toHaveLength(2);
    const spans = await waitForBothSides(6, 1);
    const { weather } = expectOneTracePerCall(spans);
    expectServerLLMUnder(spans, weather);
  });

  it("Streamable HTTP, CommonJS on node20: one trace per call; identical output", async () => {
    const client = path.join(dir, "mcp-client/client.cjs");
    const serverArgs = [path.join(dir, "mcp-server/server.cjs")];
    const plainServer = await startHttpServer("node20", serverArgs, {}, dir);
    const plain = await runApp("node20", [client], { MCP_URL: plainServer.url }, dir);
    await plainServer.stop();
    receiver.clear();
    const server = await startHttpServer("node20", [...door("node20", "cjs"), ...serverArgs], tracingEnv({ CATALYST_DEBUG: "1" }), dir);
    const traced = await runApp("node20", [...door("node20", "cjs"), client], { MCP_URL: server.url, ...tracingEnv({ CATALYST_DEBUG: "1" }) }, dir);
    await server.stop();
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.stderr).toContain("patched @modelcontextprotocol/sdk/dist/cjs/shared/protocol@1.10.0 (cjs)");
    expect(server.stderr()).toContain("patched @modelcontextprotocol/sdk/dist/cjs/shared/protocol@1.10.0 (cjs)");
    expectOneTracePerCall(await waitForBothSides(6));
  });
});

describe("MCP explicit helpers (no preload)", () => {
  it("instrumentMcp() on a client and an McpServer made before setup() traces their existing handlers, once", async () => {
    const script = `
      const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
      const { McpServer } = require("@modelcontextprotocol/sdk/server/mcp.js");
      const { InMemoryTransport } = require("@modelcontextprotocol/sdk/inMemory.js");
      (async () => {
        const server = new McpServer({ name: "early", version: "1" });
        server.tool("ping_tool", async () => ({ content: [{ type: "text", text: "pong" }] }));
        const client = new Client({ name: "early-client", version: "1" });
        const { setup } = require("@inference/tracing");
        const { instrumentMcp } = require("@inference/tracing/mcp");
        const tracing = await setup({ batching: "simple" });
        console.log(instrumentMcp(server).patched, instrumentMcp(client).patched, instrumentMcp(server).patched);
        const [a, b] = InMemoryTransport.createLinkedPair();
        await server.connect(b);
        await client.connect(a);
        console.log((await client.callTool({ name: "ping_tool", arguments: {} })).content[0].text);
        await client.close();
        await tracing.shutdown();
      })();
    `;
    receiver.clear();
    const r = await run(process.execPath, ["-e", script], { env: tracingEnv({ CATALYST_SERVICE_NAME: "explicit-mcp" }), timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true true true\npong\n");
    const spans = await receiver.waitForSpans((s) => mcpSpans(s, "explicit-mcp").length >= 2, 5000);
    await new Promise((res) => setTimeout(res, 200));
    const tool = mcpSpans(receiver.spans, "explicit-mcp");
    expect(tool.map((s) => s.kind).sort()).toEqual([SERVER_KIND, CLIENT_KIND]);
    expect(tool.find((s) => s.kind === SERVER_KIND)!.parentSpanId).toBe(tool.find((s) => s.kind === CLIENT_KIND)!.spanId);
    void spans;
  });
});
