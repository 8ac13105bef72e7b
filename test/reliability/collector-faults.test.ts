/**
 * Collector faults, end to end: the zero-code OpenAI app runs as a real subprocess against a
 * collector that is down, failing, hanging, slow or speaking the wrong protocol. The app must
 * print exactly what it prints without tracing, exit 0 (no unhandled rejection or 'error'
 * event), exit within a generous bound, and the agent must print at most one failure line.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import * as fs from "node:fs";
import { BUN, FIXTURES, node, run, type RunResult } from "../helpers/run";
import { agentLines, closedPort, startTlsServer } from "./fault-servers";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const APP = path.join(FIXTURES, "apps", "reliability-openai", "app.mjs");
const LLM_SPANS = 6; // 3 plain + 1 streamed + 1 abandoned stream + 1 failing

let mock: { baseURL: string; close(): Promise<void> };
let receiver: Receiver;
let baseline: RunResult;

async function traced(endpoint: string, env: Record<string, string> = {}): Promise<RunResult & { ms: number }> {
  const t0 = Date.now();
  const r = await node(["--import", "@inference/tracing/register", APP], {
    env: {
      OPENAI_BASE_URL: mock.baseURL,
      CATALYST_OTLP_ENDPOINT: endpoint,
      CATALYST_SHUTDOWN_TIMEOUT_MS: "1500",
      CATALYST_EXPORT_TIMEOUT_MS: "1000",
      ...env,
    },
    timeoutMs: 45_000,
  });
  return { ...r, ms: Date.now() - t0 };
}

function expectAppUnaffected(r: RunResult & { ms: number }) {
  expect(r.stderr).not.toMatch(/Unhandled|ERR_UNHANDLED|uncaught/i);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(baseline.stdout);
  // exits on time: the shutdown timeout (1.5 s) plus generous slack for a loaded machine
  expect(r.ms).toBeLessThan(20_000);
  const lines = agentLines(r.stderr);
  expect(lines.filter((l) => /cannot export spans/.test(l)).length).toBeLessThanOrEqual(1);
  expect(lines.length).toBeLessThanOrEqual(3);
  return lines;
}

beforeAll(async () => {
  mock = await startMockOpenAI();
  receiver = await startOtlpReceiver();
  baseline = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL } });
  expect(baseline.code).toBe(0);
  expect(baseline.stdout).toContain("done");
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

describe("collector faults (real subprocesses)", () => {
  it("healthy collector: every span arrives, nothing is printed", async () => {
    receiver.clear();
    receiver.setBehavior({ status: 200 });
    const r = await traced(receiver.url);
    expect(expectAppUnaffected(r)).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM")).toHaveLength(LLM_SPANS);
  });

  it("endpoint down (connection refused)", async () => {
    const port = await closedPort();
    const r = await traced(`http://127.0.0.1:${port}`);
    const lines = expectAppUnaffected(r);
    expect(lines.some((l) => /cannot export spans .*ECONNREFUSED/.test(l))).toBe(true);
  });

  for (const [status, retryAfter] of [
    [500, undefined],
    [503, "1"],
    [429, "2"],
  ] as const) {
    it(`collector answers ${status}${retryAfter ? ` with Retry-After: ${retryAfter}` : ""}`, async () => {
      receiver.clear();
      receiver.setBehavior({ status, retryAfter });
      const r = await traced(receiver.url);
      const lines = expectAppUnaffected(r);
      expect(lines.some((l) => l.includes(`HTTP ${status}`))).toBe(true);
      expect(receiver.requests.length).toBeGreaterThanOrEqual(1);
    });
  }

  it("collector answers 413 to everything: batches are split down to single spans, then dropped", async () => {
    receiver.clear();
    receiver.setBehavior({ status: 413 });
    const r = await traced(receiver.url, { CATALYST_BATCHING: "batch" });
    const lines = expectAppUnaffected(r);
    expect(lines.some((l) => /larger than .* accepts/.test(l))).toBe(true);
    // one request per span at the end: the batch was split, not dropped whole
    const singles = receiver.requests.filter((q) => q.bytes > 0);
    expect(singles.length).toBeGreaterThanOrEqual(LLM_SPANS);
  });

  it("collector hangs without answering: the process still exits on time", async () => {
    receiver.clear();
    receiver.setBehavior({ hang: true });
    const r = await traced(receiver.url);
    expectAppUnaffected(r);
    expect(receiver.requests.length).toBeGreaterThanOrEqual(1);
  });

  it("slow collector: spans still arrive", async () => {
    receiver.clear();
    receiver.setBehavior({ delayMs: 400 });
    const r = await traced(receiver.url, { CATALYST_SHUTDOWN_TIMEOUT_MS: "8000", CATALYST_EXPORT_TIMEOUT_MS: "5000" });
    expect(expectAppUnaffected(r)).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM")).toHaveLength(LLM_SPANS);
  });

  it("https:// endpoint pointing at a plain-HTTP port", async () => {
    receiver.clear();
    receiver.setBehavior({ status: 200 });
    const r = await traced(receiver.url.replace("http://", "https://"));
    const lines = expectAppUnaffected(r);
    expect(lines.some((l) => /cannot export spans/.test(l))).toBe(true);
  });

  it("http:// endpoint pointing at a TLS port", async (ctx) => {
    const tlsServer = await startTlsServer();
    if (!tlsServer) return ctx.skip();
    try {
      const r = await traced(`http://127.0.0.1:${tlsServer.port}`);
      const lines = expectAppUnaffected(r);
      expect(lines.some((l) => /cannot export spans/.test(l))).toBe(true);
      expect(tlsServer.connections).toBeGreaterThanOrEqual(1);
    } finally {
      await tlsServer.close();
    }
  });
});

describe("process.exit() right after the calls", () => {
  it("queued spans are still sent (synchronous exit export)", async () => {
    receiver.clear();
    receiver.setBehavior({ status: 200 });
    const r = await traced(receiver.url, { EXIT_EARLY: "1", CATALYST_BATCHING: "batch" });
    expect(expectAppUnaffected(r)).toEqual([]);
    expect(receiver.spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM")).toHaveLength(LLM_SPANS);
  });

  it("with the collector down, process.exit() is still prompt and clean", async () => {
    const port = await closedPort();
    const r = await traced(`http://127.0.0.1:${port}`, { EXIT_EARLY: "1", CATALYST_BATCHING: "batch" });
    expectAppUnaffected(r);
  });
});

describe("crashes", () => {
  it("an uncaught exception: same crash and exit code as without tracing, queued spans still sent", async () => {
    receiver.clear();
    receiver.setBehavior({ status: 200 });
    const plain = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL, CRASH: "1" } });
    const r = await traced(receiver.url, { CRASH: "1", CATALYST_BATCHING: "batch" });
    expect(plain.code).toBe(1);
    expect(r.code).toBe(plain.code);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain("app crashed on purpose");
    expect(receiver.spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM")).toHaveLength(LLM_SPANS);
  });
});

describe("signals", () => {
  it("SIGTERM while the collector hangs: the process still dies by SIGTERM, promptly", async () => {
    receiver.clear();
    receiver.setBehavior({ hang: true });
    const t0 = Date.now();
    const r = await node(["--import", "@inference/tracing/register", APP], {
      env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_SHUTDOWN_TIMEOUT_MS: "1500", WAIT: "1" },
      timeoutMs: 45_000,
      onStdout: (text, child) => {
        if (text.includes("done") && !(child as any).__sent) {
          (child as any).__sent = true;
          child.kill("SIGTERM");
        }
      },
    });
    expect(r.signal).toBe("SIGTERM");
    expect(r.stdout).toBe(baseline.stdout);
    expect(r.stderr).not.toMatch(/Unhandled|uncaught/i);
    expect(Date.now() - t0).toBeLessThan(20_000);
    receiver.setBehavior({ status: 200 });
  });
});

describe.skipIf(!fs.existsSync(BUN))("Bun", () => {
  it("bun --preload with a hanging collector: same output, prompt exit; with a healthy one, process.exit() still delivers", async () => {
    receiver.clear();
    receiver.setBehavior({ hang: true });
    const env = { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_SHUTDOWN_TIMEOUT_MS: "1500" };
    const t0 = Date.now();
    const hung = await run(BUN, ["--preload", "@inference/tracing/register", APP], { env, timeoutMs: 45_000 });
    expect(hung.code).toBe(0);
    expect(hung.stdout).toBe(baseline.stdout);
    expect(Date.now() - t0).toBeLessThan(20_000);
    receiver.setBehavior({ status: 200 });
    receiver.clear();
    const early = await run(BUN, ["--preload", "@inference/tracing/register", APP], { env: { ...env, EXIT_EARLY: "1" }, timeoutMs: 45_000 });
    expect(early.code).toBe(0);
    expect(early.stdout).toBe(baseline.stdout);
    expect(receiver.spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM")).toHaveLength(LLM_SPANS);
  });
});
