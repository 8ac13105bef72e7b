/**
 * Claude Agent SDK, zero code: fixtures/apps/claude-agent-sdk-basic (no tracing code) runs as a
 * real subprocess under `node --import @inference/tracing/register`, its CLI child calling the
 * mock Anthropic server. The app prints the same thing with and without the preload, and the
 * spans arrive at the OTLP receiver.
 *
 * The SDK is ESM-only: its `query` export can be rebound by the import-in-the-middle hook
 * (CATALYST_ESM_MODE=loader on Node 20; the default "sync" mode on Node 22.22+/24.11+). The
 * loader-free "eager" mode (Node 20's default) sees a read-only namespace: there each query is
 * followed through the CLI subprocess it spawns (spawn-tap.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node, run, BUN } from "../helpers/run";
import { fixtureApp } from "../helpers/sdk-project";
import { byKind, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const APP = fixtureApp("claude-agent-sdk-basic/app.mjs");
let receiver: Receiver;
let mock: any;
let configDir: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockAnthropic();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), "cas-zero-"));
});
afterAll(async () => {
  await receiver.close();
  await mock.close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

const appEnv = () => ({
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: "sk-test",
  CLAUDE_CONFIG_DIR: configDir,
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
});
const tracingEnv = (extra: Record<string, string> = {}) => ({
  ...appEnv(),
  CATALYST_OTLP_ENDPOINT: receiver.url,
  CATALYST_BATCHING: "simple",
  CATALYST_SERVICE_NAME: "claude-agent-app",
  ...extra,
});

describe("Claude Agent SDK zero-code", () => {
  let plain: Awaited<ReturnType<typeof node>>;
  beforeAll(async () => {
    plain = await node([APP], { env: appEnv(), timeoutMs: 90_000 });
  }, 100_000);

  it("runs the untraced app", () => {
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain("assistant tool_use: mcp__wx__get_weather");
    expect(plain.stdout).toContain("result: success turns=2 error=false");
    expect(plain.stdout).toContain("query helpers: interrupt=function setModel=function setPermissionMode=function close=function");
  });

  it("traces through the preload (ESM loader hook) with identical app output", async () => {
    receiver.clear();
    const traced = await node(["--import", "@inference/tracing/register", APP], { env: tracingEnv({ CATALYST_ESM_MODE: "loader" }), timeoutMs: 90_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
    const agent = one(spans, (s) => s.name === "claude_agent_sdk.query", "agent span");
    expect(agent.resource["service.name"]).toBe("claude-agent-app");
    expect(agent.attributes["session.id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof agent.attributes["llm.cost.total"]).toBe("number");
    const llms = byKind(spans, "LLM");
    const tools = byKind(spans, "TOOL");
    expect(llms).toHaveLength(2);
    expect(tools.map((t) => t.attributes["tool.name"])).toEqual(["mcp__wx__get_weather"]);
    for (const s of [...llms, ...tools]) expect(s.parentSpanId).toBe(agent.spanId);
  }, 100_000);

  it("with the preload in NODE_OPTIONS, the CLI child (a native binary) is unaffected", async () => {
    receiver.clear();
    const traced = await node([APP], {
      env: tracingEnv({ CATALYST_ESM_MODE: "loader", NODE_OPTIONS: "--import @inference/tracing/register" }),
      timeoutMs: 90_000,
    });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
    // every span comes from the app process: the CLI did not start a tracer of its own
    expect(new Set(spans.map((s) => s.resource["process.pid"])).size).toBeLessThanOrEqual(1);
    expect(byKind(spans, "AGENT")).toHaveLength(1);
  }, 100_000);

  it("with injected faults in our extractors the app output is still identical and spans are marked incomplete", async () => {
    receiver.clear();
    const traced = await node(["--import", "@inference/tracing/register", APP], {
      env: tracingEnv({ CATALYST_ESM_MODE: "loader", CATALYST_TEST_FAULTS: "1" }),
      timeoutMs: 90_000,
    });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
    const agent = one(spans, (s) => s.name === "claude_agent_sdk.query", "agent span");
    expect(agent.attributes["inference.tracing.incomplete"]).toBe(true);
  }, 100_000);

  it("a CommonJS app (require of the ESM-only package) is traced through --require, output identical", async () => {
    const cjsApp = fixtureApp("claude-agent-sdk-cjs/app.cjs");
    const untraced = await node([cjsApp], { env: appEnv(), timeoutMs: 90_000 });
    expect(untraced.code, untraced.stderr).toBe(0);
    expect(untraced.stdout).toContain("result: success turns=1");
    receiver.clear();
    const traced = await node(["--require", "@inference/tracing/register", cjsApp], { env: tracingEnv(), timeoutMs: 90_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(untraced.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
    const agent = one(spans, (s) => s.name === "claude_agent_sdk.query", "agent span");
    expect(agent.attributes["input.value"]).toBe("Say hello from CommonJS");
    const [llm] = byKind(spans, "LLM");
    expect(llm!.parentSpanId).toBe(agent.spanId);
    expect(llm!.attributes["llm.output_messages.0.message.content"]).toMatch(/^Echo: /);
  }, 200_000);

  it("under Bun (--preload) the app is traced through the CLI process, output identical", async () => {
    const untraced = await run(BUN, [APP], { env: appEnv(), timeoutMs: 90_000 });
    expect(untraced.code, untraced.stderr).toBe(0);
    expect(untraced.stdout).toBe(plain.stdout);
    receiver.clear();
    const traced = await run(BUN, ["--preload", "@inference/tracing/register", APP], { env: tracingEnv(), timeoutMs: 90_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(untraced.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
    const agent = one(spans, (s) => s.name === "claude_agent_sdk.query", "agent span");
    expect(byKind(spans, "LLM")).toHaveLength(2);
    expect(byKind(spans, "TOOL").map((t) => t.parentSpanId)).toEqual([agent.spanId]);
  }, 200_000);

  for (const faults of [false, true]) {
    it(`in the loader-free eager mode (Node 20 default) queries are traced through the CLI process${faults ? ", under injected faults" : ""}`, async () => {
      receiver.clear();
      const env = tracingEnv({ CATALYST_ESM_MODE: "eager", ...(faults ? { CATALYST_TEST_FAULTS: "1" } : {}) });
      const traced = await node(["--import", "@inference/tracing/register", APP], { env, timeoutMs: 90_000 });
      expect(traced.code, traced.stderr).toBe(0);
      expect(traced.stdout).toBe(plain.stdout);
      const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query"), 15_000);
      const agent = one(spans, (s) => s.name === "claude_agent_sdk.query", "agent span");
      if (faults) {
        expect(agent.attributes["inference.tracing.incomplete"]).toBe(true);
        return;
      }
      expect(agent.attributes).toMatchObject({ "claude_agent_sdk.entry": "cli-process", "input.value": "What's the weather in Paris?", "agent.llm_call_count": 2 });
      expect(agent.attributes["session.id"]).toMatch(/^[0-9a-f-]{36}$/);
      const llms = byKind(spans, "LLM");
      const tools = byKind(spans, "TOOL");
      expect(llms).toHaveLength(2);
      expect(tools.map((t) => t.attributes["tool.name"])).toEqual(["mcp__wx__get_weather"]);
      for (const s of [...llms, ...tools]) expect(s.parentSpanId).toBe(agent.spanId);
    }, 100_000);
  }
});
