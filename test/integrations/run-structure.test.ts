/**
 * Zero-code traces that show the run: stitched agent loops (raw openai and anthropic tool loops,
 * Responses chains), incoming HTTP requests as roots (node:http and Express, traceparent in), trace
 * context out (fetch and node:http, to a real downstream service), and a real AWS-signed request
 * that still verifies with traceparent added. Real SDKs against the mock servers, real
 * subprocesses, spans from the real OTLP receiver.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { cleanEnv, FIXTURES, node, ROOT, run } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
import { byKind, childrenOf, kindOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";
// @ts-expect-error plain ESM fixture without types
import { startVerifier } from "../../fixtures/apps/signed-request/verifier.mjs";

const LOOPS = path.join(FIXTURES, "apps", "agent-loops");
const WEB = path.join(FIXTURES, "apps", "web-service");
const IMPORT = ["--import", "@inference/tracing/register"];

let receiver: Receiver;
let openai: { baseURL: string; close(): unknown };
let anthropic: { baseURL: string; close(): unknown };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openai = await startMockOpenAI();
  anthropic = await startMockAnthropic();
});
afterAll(async () => {
  await receiver?.close();
  await openai?.close();
  await anthropic?.close();
});

function env(extra: Record<string, string> = {}) {
  return {
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: openai.baseURL,
    ANTHROPIC_API_KEY: "sk-ant-test",
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    CATALYST_OTLP_ENDPOINT: receiver.url,
    CATALYST_BATCHING: "simple",
    ...extra,
  };
}

const traces = (spans: ReceivedSpan[]) => {
  const by = new Map<string, ReceivedSpan[]>();
  for (const s of spans) by.set(s.traceId, [...(by.get(s.traceId) ?? []), s]);
  return [...by.values()];
};

/** Run a script untraced then traced: same output, exit 0; the traced run's spans once `done` holds. */
async function script(file: string, extra: Record<string, string>, done: (s: ReceivedSpan[]) => boolean) {
  const bare = await node([file], { cwd: ROOT, env: { ...env(extra), CATALYST_OTLP_ENDPOINT: "" }, timeoutMs: 60_000 });
  expect(bare.code, bare.stderr).toBe(0);
  receiver.clear();
  const traced = await node([...IMPORT, file], { cwd: ROOT, env: env(extra), timeoutMs: 60_000 });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(bare.stdout);
  const spans = await receiver.waitForSpans(done, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  return receiver.spans;
}

/** The tool loop's run: root, LLM spans in order, the tool between them. */
function assertToolLoop(run: ReceivedSpan[], toolName: string, rootName: RegExp) {
  const root = one(run, (s) => !s.parentSpanId, "run root");
  expect(kindOf(root)).toBe("AGENT");
  expect(root.name).toMatch(rootName);
  expect(root.attributes["inference.run.kind"]).toBe("stitched");
  expect(root.attributes["session.id"]).toMatch(/^run-/);
  const children = childrenOf(run, root);
  expect(children).toHaveLength(run.length - 1);
  const llms = byKind(children, "LLM");
  expect(llms).toHaveLength(2);
  const tool = one(children, (s) => kindOf(s) === "TOOL", "tool span");
  expect(tool.attributes["tool.name"]).toBe(toolName);
  const asked = llms.find((l) => l.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"])!;
  expect(tool.attributes["tool_call.id"]).toBe(asked.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
  expect(tool.attributes["input.value"]).toBe(asked.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"]);
  expect(String(tool.attributes["output.value"]).length).toBeGreaterThan(0);
  for (const s of [...llms, tool]) expect(s.attributes["session.id"]).toBe(root.attributes["session.id"]);
  return { root, llms, tool };
}

describe("stitched agent loops (scripts with no span of their own)", () => {
  it.each([
    ["chat completions", "0"],
    ["chat completions, streamed", "1"],
  ])("raw openai tool loop (%s): one trace, AGENT root named after the system prompt, LLM, TOOL, LLM; an unrelated call without tools stays a trace of its own", async (_n, streamed) => {
    const spans = await script(path.join(LOOPS, "openai-chat.mjs"), { LOOP_STREAM: streamed }, (s) => s.filter((x) => !x.parentSpanId).length >= 2);
    const [loop, other] = traces(spans).sort((a, b) => b.length - a.length);
    expect(loop).toHaveLength(4);
    assertToolLoop(loop!, "lookup_order", /^You are a support agent for/);
    expect(other).toHaveLength(1);
    expect(kindOf(other![0]!)).toBe("LLM");
    expect(other![0]!.attributes["session.id"]).toBeUndefined();
  }, 90_000);

  it.each([
    ["messages.create", "0"],
    ["messages.stream()", "1"],
  ])("raw anthropic tool loop (%s): one run", async (_n, streamed) => {
    const spans = await script(path.join(LOOPS, "anthropic.mjs"), { LOOP_STREAM: streamed }, (s) => s.some((x) => x.attributes["inference.run.kind"] === "stitched" && !x.parentSpanId));
    expect(traces(spans)).toHaveLength(1);
    // the SDK's own OTel span (1.x) stays nested under ours: only our spans are counted here
    const ours = spans.filter((s) => s.scope.name === "@inference/tracing");
    assertToolLoop(ours, "get_weather", /^You are a weather assistant/);
  }, 90_000);

  it("OpenAI Responses chained with previous_response_id: one run", async () => {
    const spans = await script(path.join(LOOPS, "openai-responses.mjs"), {}, (s) => s.some((x) => x.attributes["inference.run.kind"] === "stitched" && !x.parentSpanId));
    expect(traces(spans)).toHaveLength(1);
    assertToolLoop(spans, "lookup_order", /^You are a support agent/);
  }, 90_000);

  it("a run ends once idle (CATALYST_STITCH_IDLE_MS), not only at exit: its root is exported while the process still runs", async () => {
    receiver.clear();
    const started = Date.now();
    const r = await node([...IMPORT, path.join(LOOPS, "openai-chat.mjs")], { cwd: ROOT, env: env({ CATALYST_STITCH_IDLE_MS: "300", LOOP_LINGER_MS: "3000" }), timeoutMs: 60_000 });
    const exited = Date.now();
    expect(r.code, r.stderr).toBe(0);
    expect(exited - started).toBeGreaterThanOrEqual(3000);
    expect(receiver.spans.filter((s) => s.attributes["inference.run.kind"] === "stitched" && !s.parentSpanId)).toHaveLength(1);
    const rootRequests = receiver.requests.filter((q) => q.spanCount > 0).map((q) => q.at);
    // every span, roots included, arrived before the process ended its 3 s linger
    expect(Math.max(...rootRequests)).toBeLessThan(exited - 1000);
  }, 90_000);

  it("CATALYST_STITCH=off: one trace per model call, as before", async () => {
    const spans = await script(path.join(LOOPS, "openai-chat.mjs"), { CATALYST_STITCH: "off" }, (s) => s.length >= 3);
    expect(spans).toHaveLength(3);
    expect(traces(spans)).toHaveLength(3);
    expect(spans.every((s) => kindOf(s) === "LLM" && !s.parentSpanId)).toBe(true);
  }, 90_000);
});

interface Service {
  port: number;
  url: string;
  stop(): Promise<string>;
}

/** A long-running service in a subprocess: it prints its port, and stops when its stdin closes. */
function service(runtime: RuntimeName, args: string[], extra: Record<string, string>): Promise<Service> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(runtimePath(runtime), args, { cwd: ROOT, env: cleanEnv(extra), stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const exited = new Promise<void>((r) => child.on("close", () => r()));
    child.stderr!.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve({ port: Number(m[1]), url: `http://127.0.0.1:${m[1]}`, stop: async () => (child.stdin!.end(), await exited, err) });
    });
    child.on("error", reject);
    setTimeout(() => reject(new Error(`service did not start: ${err}`)), 30_000).unref();
  });
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text() };
}

/**
 * An upstream service calling a downstream one, both traced: one trace, the downstream's request
 * root under the upstream's. Returns the spans and both roots.
 */
async function twoServices(runtime: RuntimeName, args: string[], relayPath: string) {
  receiver.clear();
  const down = await service(runtime, args, env({ CATALYST_SERVICE_NAME: "downstream" }));
  const up = await service(runtime, args, env({ CATALYST_SERVICE_NAME: "upstream", DOWNSTREAM_URL: down.url }));
  try {
    expect((await get(`${up.url}${relayPath}`)).text).toBe("Echo: plan -> Echo: relayed / Echo: again: relayed");
  } finally {
    await up.stop();
    await down.stop();
  }
  const isRoot = (x: ReceivedSpan) => x.attributes["inference.run.kind"] === "request";
  await receiver.waitForSpans((s) => s.filter(isRoot).length >= 2 && s.length >= 5, 15_000);
  await new Promise((r) => setTimeout(r, 300));
  const all = receiver.spans;
  expect(new Set(all.map((s) => s.traceId)).size).toBe(1);
  const upRoot = one(all, (s) => s.resource["service.name"] === "upstream" && isRoot(s));
  const downRoot = one(all, (s) => s.resource["service.name"] === "downstream" && isRoot(s));
  expect(downRoot.parentSpanId).toBe(upRoot.spanId);
  return { all, upRoot, downRoot };
}

const serviceRuntimes = selectedRuntimes().filter((r): r is "node20" | "node24" => r === "node20" || r === "node24");

describe.each(serviceRuntimes)("incoming requests as roots, trace context in and out (%s)", (runtime) => {
  it("node:http: one trace per request, the model calls under a SERVER root; a request that traces nothing records nothing; traceparent honoured, malformed ignored; no query string", async () => {
    receiver.clear();
    const svc = await service(runtime, [...IMPORT, path.join(WEB, "node-http.mjs")], env());
    try {
      expect((await get(`${svc.url}/health`)).text).toBe("ok");
      const a = await get(`${svc.url}/ask?q=hi&api_key=sk-secret-in-query`);
      expect(a.text).toBe("Echo: hi / Echo: again: hi");
      const upstream = { trace: "0af7651916cd43dd8448eb211c80319c", span: "b7ad6b7169203331" };
      await get(`${svc.url}/ask?q=joined`, { traceparent: `00-${upstream.trace}-${upstream.span}-01`, tracestate: "vendor=abc" });
      await get(`${svc.url}/ask?q=bad`, { traceparent: "00-not-a-trace-parent" });
    } finally {
      await svc.stop();
    }
    const spans = await receiver.waitForSpans((s) => s.filter((x) => x.attributes["inference.run.kind"] === "request").length >= 3, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const roots = receiver.spans.filter((s) => s.attributes["inference.run.kind"] === "request");
    expect(roots).toHaveLength(3); // /health made no root
    for (const root of roots) {
      expect(root.kind).toBe(2); // SERVER
      expect(root.name).toBe("GET /ask");
      expect(root.attributes["http.request.method"]).toBe("GET");
      expect(root.attributes["url.path"]).toBe("/ask");
      expect(root.attributes["http.response.status_code"]).toBe(200);
      const inTrace = receiver.spans.filter((s) => s.traceId === root.traceId);
      expect(byKind(childrenOf(inTrace, root), "LLM")).toHaveLength(2);
    }
    expect(JSON.stringify(receiver.spans)).not.toContain("sk-secret-in-query");
    const joined = one(roots, (r) => r.traceId === "0af7651916cd43dd8448eb211c80319c", "root that joined the upstream trace");
    expect(joined.parentSpanId).toBe("b7ad6b7169203331");
    const orphans = roots.filter((r) => !r.parentSpanId);
    expect(orphans).toHaveLength(2); // the plain request and the one with a malformed header
    void spans;
  }, 90_000);

  it("Express: the route in the name and http.route; a 503 is an ERROR root", async () => {
    receiver.clear();
    const svc = await service(runtime, [...IMPORT, path.join(WEB, "express.mjs")], env());
    try {
      expect((await get(`${svc.url}/orders/42/summary`)).text).toBe("Echo: Summarize order 42");
      expect((await get(`${svc.url}/fail`)).status).toBe(503);
      expect((await get(`${svc.url}/health`)).text).toBe("ok");
    } finally {
      await svc.stop();
    }
    await receiver.waitForSpans((s) => s.filter((x) => x.attributes["inference.run.kind"] === "request").length >= 2, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const roots = receiver.spans.filter((s) => s.attributes["inference.run.kind"] === "request");
    expect(roots.map((r) => r.name).sort()).toEqual(["GET /fail", "GET /orders/:id/summary"]);
    const order = one(roots, (r) => r.name === "GET /orders/:id/summary");
    expect(order.attributes["http.route"]).toBe("/orders/:id/summary");
    expect(order.attributes["url.path"]).toBe("/orders/42/summary");
    const fail = one(roots, (r) => r.name === "GET /fail");
    expect(fail.attributes["http.response.status_code"]).toBe(503);
    expect(fail.status.code).toBe(2);
  }, 90_000);

  it.each(["fetch", "http"])("two services: the downstream's spans join the upstream's trace under its root (outgoing %s)", async (via) => {
    const { all, upRoot, downRoot } = await twoServices(runtime, [...IMPORT, path.join(WEB, "node-http.mjs")], `/relay?via=${via}`);
    expect(upRoot.parentSpanId).toBeFalsy();
    expect(byKind(childrenOf(all, downRoot), "LLM")).toHaveLength(2);
    expect(byKind(childrenOf(all, upRoot), "LLM")).toHaveLength(1);
  }, 90_000);

  it("a request signed with AWS SigV4 still verifies with traceparent added; off and host lists are respected", async () => {
    const verifier = await startVerifier();
    try {
      const client = path.join(FIXTURES, "apps", "signed-request", "client.mjs");
      const runWith = async (extra: Record<string, string>) => {
        const r = await run(runtimePath(runtime), [...IMPORT, client], { cwd: ROOT, env: env({ SIGNED_URL: verifier.url, ...extra }), timeoutMs: 60_000 });
        expect(r.code, r.stderr).toBe(0);
        return r.stdout.trim();
      };
      expect(await runWith({})).toMatch(/^200 verified 00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(await runWith({ CATALYST_PROPAGATION: "off" })).toBe("200 verified none");
      expect(await runWith({ CATALYST_PROPAGATION: "api.example.com" })).toBe("200 verified none");
      expect(await runWith({ CATALYST_PROPAGATION: "127.0.0.1,api.example.com" })).toMatch(/^200 verified 00-/);
    } finally {
      verifier.close();
    }
  }, 90_000);
});

describe.skipIf(!selectedRuntimes().includes("bun"))("under Bun (no HTTP diagnostics channels)", () => {
  it.each([
    ["Bun.serve", "bun-serve.mjs"],
    ["node:http", "node-http.mjs"],
  ])("%s: requests are roots, traceparent honoured, a request that traces nothing records nothing", async (_n, file) => {
    receiver.clear();
    const svc = await service("bun", ["--preload", "@inference/tracing/register", path.join(WEB, file)], env());
    try {
      expect((await get(`${svc.url}/health`)).text).toBe("ok");
      expect((await get(`${svc.url}/ask?q=hi`)).text).toBe("Echo: hi / Echo: again: hi");
      await get(`${svc.url}/ask?q=joined`, { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
    } finally {
      await svc.stop();
    }
    await receiver.waitForSpans((s) => s.filter((x) => x.attributes["inference.run.kind"] === "request").length >= 2 && byKind(s, "LLM").length >= 4, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const roots = receiver.spans.filter((s) => s.attributes["inference.run.kind"] === "request");
    expect(roots).toHaveLength(2);
    for (const root of roots) {
      expect(root.name).toBe("GET /ask");
      expect(root.attributes["http.response.status_code"]).toBe(200);
      expect(byKind(childrenOf(receiver.spans, root), "LLM")).toHaveLength(2);
    }
    expect(one(roots, (r) => r.traceId === "0af7651916cd43dd8448eb211c80319c").parentSpanId).toBe("b7ad6b7169203331");
  }, 90_000);

  it("Bun.serve to Bun.serve over fetch: one trace", async () => {
    await twoServices("bun", ["--preload", "@inference/tracing/register", path.join(WEB, "bun-serve.mjs")], "/relay");
  }, 90_000);
});
