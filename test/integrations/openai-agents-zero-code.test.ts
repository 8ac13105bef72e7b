/**
 * Zero-code: a user's OpenAI Agents app (no tracing code) run as a real subprocess with the
 * preload, ESM (--import, eager mode on Node 20) and CommonJS (--require). The app's output must
 * be identical with and without tracing (and with our own code failing on purpose), and the
 * receiver must get one full tree per run with exactly one LLM span per model call.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// several real subprocesses per test, on a shared machine
vi.setConfig({ testTimeout: 180_000 });
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node, run, BUN } from "../helpers/run";
import semver from "semver";
import { fixtureApp, sdkTargets } from "../helpers/sdk-project";
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

const APPS = {
  esm: { file: fixtureApp("openai-agents-esm/app.js"), door: ["--import", "@inference/tracing/register"] },
  cjs: { file: fixtureApp("openai-agents-cjs/app.cjs"), door: ["--require", "@inference/tracing/register"] },
};
const EXPECTED_STDOUT = [
  'support: Done: {"orderId":"ABC-123","status":"shipped","total":42.5}',
  'triage: Done: {"assistant":"RefundsAgent"} last agent: RefundsAgent',
  'stream: Done: {"orderId":"ABC-123","status":"shipped","total":42.5} events>0: true',
  // the SDK's default tool error message: before 0.19 it appends the error's own text
  `stock: Done: An error occurred while running the tool. Please try again.${semver.lt(sdkTargets("@openai/agents")[0]!.version, "0.19.0") ? " Error: Error: inventory service unavailable" : ""}`,
  "guarded ok: Echo: Hello there",
  "guarded tripped: true",
  "",
].join("\n");

function env(extra: Record<string, string> = {}) {
  return { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL, ...extra };
}

function traces(spans: ReceivedSpan[]): ReceivedSpan[][] {
  const by = new Map<string, ReceivedSpan[]>();
  for (const s of spans) by.set(s.traceId, [...(by.get(s.traceId) ?? []), s]);
  return [...by.values()];
}
function treeWithAgent(all: ReceivedSpan[][], agentName: string): ReceivedSpan[] {
  const found = all.filter((t) => t.some((s) => s.name === agentName && kindOf(s) === "AGENT"));
  if (found.length < 1) throw new Error(`no trace with agent ${agentName}`);
  return found[0]!;
}

describe.each(Object.entries(APPS))("OpenAI Agents zero-code (%s)", (format, app) => {
  it("prints the same output with and without the preload, and exports one tree per run", async () => {
    const plain = await node([app.file], { timeoutMs: 90_000, env: env() });
    expect(plain.stderr).toBe("");
    expect(plain.stdout).toBe(EXPECTED_STDOUT);

    receiver.clear();
    const before = server.requests.length;
    const traced = await node([...app.door, app.file], { timeoutMs: 90_000, env: env({ CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_DEBUG: "1" }) });
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.code).toBe(0);
    expect(traced.stderr).toContain("patched @openai/agents@");
    // CommonJS: the SDK's own require("openai") is patched too, so the single-LLM-span checks below
    // prove the provider span is suppressed (ESM eager loads only what the app imports itself)
    if (format === "cjs") expect(traced.stderr).toMatch(/patched openai@\S+ \(cjs\)/);
    const modelCalls = server.requests.slice(before).filter((r: any) => r.path === "/v1/responses").length;
    expect(modelCalls).toBe(9); // 2 + 2 + 2 + 2 + 1; the tripped guardrail stops the last run before any model call

    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= modelCalls && s.filter((x) => x.name === "Agent workflow").length >= 6, 60_000);
    // exactly one LLM span per model call, none from the provider layer, every one with tokens
    expect(byKind(spans, "LLM")).toHaveLength(modelCalls);
    expect(spans.filter((s) => s.name.startsWith("OpenAI "))).toHaveLength(0);
    for (const s of byKind(spans, "LLM")) {
      expect(s.attributes["llm.token_count.total"]).toBeGreaterThan(0);
      expect(s.attributes["llm.input_messages.0.message.role"]).toBe("system");
    }
    const all = traces(spans);
    expect(all).toHaveLength(6);
    for (const t of all) {
      // one root per run: the workflow, with no orphans
      const roots = t.filter((s) => !s.parentSpanId);
      expect(roots.map((s) => s.name)).toEqual(["Agent workflow"]);
      const ids = new Set(t.map((s) => s.spanId));
      for (const s of t) if (s.parentSpanId) expect(ids.has(s.parentSpanId)).toBe(true);
    }

    const support = treeWithAgent(all, "SupportAgent");
    const supportAgent = one(support, (s) => s.name === "SupportAgent");
    expect(childrenOf(support, supportAgent).map((s) => `${kindOf(s)}:${kindOf(s) === "TOOL" ? s.name : ""}`).sort()).toEqual(["LLM:", "LLM:", "TOOL:lookup_order"]);

    const triage = treeWithAgent(all, "TriageAgent");
    expect(triage.map((s) => s.name)).toContain("handoff TriageAgent -> RefundsAgent");
    expect(one(triage, (s) => s.name === "RefundsAgent").parentSpanId).toBe(one(triage, (s) => s.name === "Agent workflow").spanId);

    const stock = treeWithAgent(all, "StockAgent");
    const failedTool = one(stock, (s) => s.name === "check_inventory");
    expect(kindOf(failedTool)).toBe("TOOL");
    expect(failedTool.status.code).toBe(2);

    const guarded = all.filter((t) => t.some((s) => s.name === "GuardedAgent"));
    expect(guarded).toHaveLength(2);
    const tripped = guarded.find((t) => t.some((s) => s.attributes["guardrail.triggered"] === true))!;
    expect(one(tripped, (s) => s.name === "Agent workflow").status.code).toBe(2);
    expect(byKind(tripped, "LLM")).toHaveLength(0);
    expect(format).toBeTruthy();
  });

  it("keeps the app's output identical when our own code fails at every fault point", async () => {
    const plain = await node([app.file], { timeoutMs: 90_000, env: env() });
    const faulty = await node([...app.door, app.file], {
      timeoutMs: 90_000,
      env: env({ CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_TEST_FAULTS: "1" }),
    });
    expect(faulty.stdout).toBe(plain.stdout);
    expect(faulty.code).toBe(0);
  });
});

describe("OpenAI Agents zero-code under Bun", () => {
  it("bun --preload: same output, one tree per run", async () => {
    const plain = await run(BUN, [APPS.esm.file], { timeoutMs: 90_000, env: env() });
    expect(plain.stdout).toBe(EXPECTED_STDOUT);
    receiver.clear();
    const traced = await run(BUN, ["--preload", "@inference/tracing/register", APPS.esm.file], {
      timeoutMs: 90_000,
      env: env({ CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" }),
    });
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 9 && s.filter((x) => x.name === "Agent workflow").length >= 6, 60_000);
    expect(byKind(spans, "LLM")).toHaveLength(9);
    expect(traces(spans)).toHaveLength(6);
    const support = treeWithAgent(traces(spans), "SupportAgent");
    expect(one(support, (s) => s.name === "lookup_order").parentSpanId).toBe(one(support, (s) => s.name === "SupportAgent").spanId);
  });
});
