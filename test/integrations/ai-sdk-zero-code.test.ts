/**
 * Zero-code: a user's AI SDK app (no tracing code, no experimental_telemetry) run as a real
 * subprocess with the preload. Output must be identical with and without tracing.
 *  - ESM with import-in-the-middle (CATALYST_ESM_MODE=loader) and CommonJS (the require hook hands
 *    out a copy of the exports with the functions wrapped): every call is traced;
 *  - ESM eager (CATALYST_ESM_MODE=eager) and Bun: the SDK's ESM namespace cannot be changed there,
 *    so ToolLoopAgent runs (patched through the class) are traced and plain calls are not.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// several real subprocesses per test, on a shared machine
vi.setConfig({ testTimeout: 180_000 });
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node, run, BUN, FIXTURES, besidesStartLine } from "../helpers/run";
import { byKind, childrenOf, kindOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let receiver: Receiver;
let server: any;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startMockOpenAI();
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

const ESM = path.join(FIXTURES, "apps/ai-sdk-esm/app.js");
const CJS = path.join(FIXTURES, "apps/ai-sdk-cjs/app.cjs");
const EXPECTED = [
  'agent: Done: {"orderId":"ABC-123","status":"shipped","total":42.5} steps: 2',
  'agent stream: Done: {"orderId":"ABC-123","status":"shipped","total":42.5}',
  "stock: Done: inventory service unavailable steps: 2",
  "stream: Echo: Say hello",
  'object: {"city":"sample city"}',
  "embeddings: 8 2",
  "",
].join("\n");

const env = (extra: Record<string, string> = {}) => ({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL, ...extra });
const traced0 = (extra: Record<string, string> = {}) => env({ CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", ...extra });

function traces(spans: ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const by = new Map<string, ReceivedSpan[]>();
  for (const s of spans) by.set(s.traceId, [...(by.get(s.traceId) ?? []), s]);
  return by;
}
function rootOf(t: ReceivedSpan[]): ReceivedSpan {
  return one(t, (s) => !s.parentSpanId, "root");
}
function expectAgentTrees(spans: ReceivedSpan[]) {
  const agents = [...traces(spans).values()].filter((t) => kindOf(rootOf(t)) === "AGENT");
  expect(agents).toHaveLength(2);
  for (const t of agents) {
    const root = rootOf(t);
    expect(root.attributes["agent.name"]).toBe("support-agent");
    expect(byKind(t, "LLM")).toHaveLength(2);
    expect(byKind(t, "TOOL").map((s) => s.attributes["tool.name"])).toEqual(["lookup_order"]);
    for (const s of byKind(t, "LLM")) expect(s.attributes["llm.token_count.total"]).toBeGreaterThan(0);
  }
  const names = agents.map((t) => rootOf(t).name).sort();
  expect(names).toEqual(["ai.generateText", "ai.streamText"]);
}

/** Every model call of the fixture app (agent, plain calls, streams, objects, embeddings) as spans. */
async function expectEveryCallTraced(before: number) {
  const modelCalls = server.requests.slice(before).filter((r: any) => r.path === "/v1/responses" || r.path === "/v1/chat/completions").length;
  expect(modelCalls).toBe(8); // agent 2 + agent stream 2 + stock 2 + stream 1 + object 1
  const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= modelCalls && byKind(s, "EMBEDDING").length >= 2, 60_000);
  expect(byKind(spans, "LLM")).toHaveLength(modelCalls);
  expect(spans.filter((s) => s.name.startsWith("OpenAI "))).toHaveLength(0);
  const all = traces(spans);
  expect(all.size).toBe(7);
  expectAgentTrees(spans);
  const stock = [...all.values()].find((t) => t.some((s) => s.attributes["tool.name"] === "check_inventory"))!;
  const call = rootOf(stock);
  expect(kindOf(call)).toBe("CHAIN");
  const failing = one(stock, (s) => kindOf(s) === "TOOL");
  expect(failing.status.code).toBe(2);
  expect(failing.parentSpanId).toBe(call.spanId);
  expect(childrenOf(stock, call).map(kindOf).sort()).toEqual(["LLM", "LLM", "TOOL"]);
  expect(byKind(spans, "EMBEDDING").map((s) => s.attributes["embedding.model_name"])).toEqual(["text-embedding-3-small", "text-embedding-3-small"]);
}

describe("AI SDK zero-code", () => {
  it("ESM with the import-in-the-middle loader: every call traced, output unchanged", async () => {
    const plain = await node([ESM], { timeoutMs: 90_000, env: env() });
    expect(plain.stdout).toBe(EXPECTED);
    receiver.clear();
    const before = server.requests.length;
    const run = await node(["--import", "@inference/tracing/register", ESM], { timeoutMs: 90_000, env: traced0({ CATALYST_ESM_MODE: "loader" }) });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.code).toBe(0);
    await expectEveryCallTraced(before);
  });

  it("CommonJS: the handed-out exports look exactly like the SDK's (same keys, same classes, one object for every require)", async () => {
    const script = [
      'const a = require("ai"), b = require("ai");',
      "const d = (k) => { const x = Object.getOwnPropertyDescriptor(a, k); return [typeof a[k], x.enumerable, x.configurable].join(':'); };",
      'console.log(a === b, Object.keys(a).length, Object.keys(a).join(","), a.__esModule, Object.getPrototypeOf(a) === Object.getPrototypeOf(module.exports));',
      'console.log(d("generateText"), d("ToolLoopAgent"), a.generateText.name, a.generateText.length, typeof a.ToolLoopAgent.prototype.generate);',
    ].join("\n");
    const plain = await node(["-e", script], { timeoutMs: 60_000, env: env() });
    const traced = await node(["--require", "@inference/tracing/register", "-e", script], { timeoutMs: 60_000, env: traced0() });
    expect(plain.code).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    expect(plain.stdout.split(" ")[0]).toBe("true");
  });

  it("ESM eager (CATALYST_ESM_MODE=eager): ToolLoopAgent runs traced, output unchanged", async () => {
    const plain = await node([ESM], { timeoutMs: 90_000, env: env() });
    receiver.clear();
    const run = await node(["--import", "@inference/tracing/register", ESM], { timeoutMs: 90_000, env: traced0({ CATALYST_ESM_MODE: "eager" }) });
    expect(run.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 4, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expectAgentTrees(receiver.spans);
    expect(traces(receiver.spans).size).toBe(2);
    expect(spans.length).toBeGreaterThan(0);
  });

  it("CommonJS: every call traced (the exports are handed out wrapped), output unchanged", async () => {
    const plain = await node([CJS], { timeoutMs: 90_000, env: env() });
    expect(plain.stdout).toBe(EXPECTED);
    receiver.clear();
    const before = server.requests.length;
    const run = await node(["--require", "@inference/tracing/register", CJS], { timeoutMs: 90_000, env: traced0({ CATALYST_DEBUG: "1" }) });
    expect(run.stdout).toBe(plain.stdout);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/patched ai@\S+ \(cjs\)/);
    await expectEveryCallTraced(before);
  });

  it("CommonJS, setup() after require(\"ai\"): later require(\"ai\") calls get the traced exports", async () => {
    // an app that loads the SDK first and calls setup() later (no preload)
    const script = `
      const early = require("ai");
      const { openai } = require("@ai-sdk/openai");
      require("@inference/tracing").setup().then(async (tracing) => {
        const later = require("ai");
        console.log("same object:", later === early);
        const r = await later.generateText({ model: openai("gpt-4o-mini"), prompt: "Say hello" });
        console.log(r.text);
        await tracing.forceFlush();
      });`;
    receiver.clear();
    const traced = await node(["-e", script], { cwd: path.dirname(CJS), timeoutMs: 90_000, env: traced0() });
    expect(besidesStartLine(traced.stderr)).toBe("");
    expect(traced.stdout).toBe("same object: false\nEcho: Say hello\n");
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 1, 30_000);
    expect(spans.some((s) => s.attributes["llm.system"] !== undefined && kindOf(s) === "LLM")).toBe(true);
    expect(spans.some((s) => /generateText|ai\.generateText/.test(s.name))).toBe(true);
  });

  it("Bun (--preload, no loader hooks): ToolLoopAgent runs traced, output unchanged", async () => {
    const plain = await run(BUN, [ESM], { timeoutMs: 90_000, env: env() });
    expect(plain.stdout).toBe(EXPECTED);
    receiver.clear();
    const traced = await run(BUN, ["--preload", "@inference/tracing/register", ESM], { timeoutMs: 90_000, env: traced0() });
    expect(traced.stdout).toBe(plain.stdout);
    await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 4, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    expectAgentTrees(receiver.spans);
  });

  it("keeps the output identical when our own code fails at every fault point", async () => {
    const plain = await node([ESM], { timeoutMs: 90_000, env: env() });
    const faulty = await node(["--import", "@inference/tracing/register", ESM], { timeoutMs: 90_000, env: traced0({ CATALYST_ESM_MODE: "loader", CATALYST_TEST_FAULTS: "1" }) });
    expect(faulty.stdout).toBe(plain.stdout);
    expect(faulty.code).toBe(0);
  });
});
