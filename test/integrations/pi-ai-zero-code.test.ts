/**
 * PI AI, zero code: fixtures/apps/pi-ai-basic (no tracing code) as a real subprocess under
 * `node --import @inference/tracing/register`, in the default ESM mode of this Node (eager on
 * Node 20) and with the import-in-the-middle loader; app output identical with and without
 * tracing, and under injected faults in our extractors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node, run, BUN } from "../helpers/run";
import { fixtureApp } from "../helpers/sdk-project";
import { byKind } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const APP = fixtureApp("pi-ai-basic/app.mjs");
let receiver: Receiver;
let openaiMock: any;
let anthropicMock: any;
let plain: Awaited<ReturnType<typeof node>>;

const appEnv = () => ({ OPENAI_BASE_URL: openaiMock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url });
const tracingEnv = (extra: Record<string, string> = {}) => ({
  ...appEnv(),
  CATALYST_OTLP_ENDPOINT: receiver.url,
  CATALYST_BATCHING: "simple",
  CATALYST_SERVICE_NAME: "pi-ai-app",
  ...extra,
});

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openaiMock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
  plain = await node([APP], { env: appEnv(), timeoutMs: 60_000 });
}, 70_000);
afterAll(async () => {
  await receiver.close();
  await openaiMock.close();
  await anthropicMock.close();
});

function checkTree(spans: ReturnType<typeof byKind>) {
  const llms = byKind(spans, "LLM");
  expect(llms.map((s) => s.name).sort()).toEqual(["pi_ai.stream", "pi_ai.stream", "pi_ai.stream", "pi_ai.stream"]);
  const byModel = (m: string) => llms.filter((s) => s.attributes["llm.request.model"] === m || s.attributes["llm.model_name"] === m);
  expect(byModel("gpt-4o-mini")).toHaveLength(2);
  expect(byModel("claude-sonnet-4-5")).toHaveLength(1);
  const err = byModel("error-500")[0]!;
  expect(err.status.code).toBe(2);
  // one span per model call: the OpenAI / Anthropic SDK calls inside pi-ai are not counted again
  for (const s of llms) expect(s.parentSpanId).toBeUndefined();
  const toolTurn = llms.find((s) => s.attributes["llm.finish_reason"] === "toolUse")!;
  expect(toolTurn.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
  const claude = byModel("claude-sonnet-4-5")[0]!;
  expect(claude.attributes["llm.output_messages.0.message.contents.0.message_content.type"]).toBe("thinking");
  expect(typeof claude.attributes["llm.cost.total"]).toBe("number");
}

describe("PI AI zero-code", () => {
  it("runs the untraced app", () => {
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain("openai tool call: get_weather");
    expect(plain.stdout).toContain("anthropic answer: thinking:Thinking it over. | text:Echo: Think, then say hi (stop)");
    expect(plain.stdout).toContain("error call: error");
  });

  for (const mode of ["default", "loader"]) {
    it(`traces every call with identical app output (ESM mode: ${mode})`, async () => {
      receiver.clear();
      const env = mode === "default" ? tracingEnv() : tracingEnv({ CATALYST_ESM_MODE: mode });
      const traced = await node(["--import", "@inference/tracing/register", APP], { env, timeoutMs: 60_000 });
      expect(traced.code, traced.stderr).toBe(0);
      expect(traced.stdout).toBe(plain.stdout);
      const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 4, 10_000);
      checkTree(spans);
      expect(spans[0]!.resource["service.name"]).toBe("pi-ai-app");
    }, 70_000);
  }

  it("under Bun (--preload): every call traced, output identical", async () => {
    const untraced = await run(BUN, [APP], { env: appEnv(), timeoutMs: 60_000 });
    expect(untraced.code, untraced.stderr).toBe(0);
    expect(untraced.stdout).toBe(plain.stdout);
    receiver.clear();
    const traced = await run(BUN, ["--preload", "@inference/tracing/register", APP], { env: tracingEnv(), timeoutMs: 60_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(untraced.stdout);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 4, 10_000);
    expect(byKind(spans, "LLM").map((s) => s.name)).toEqual(["pi_ai.stream", "pi_ai.stream", "pi_ai.stream", "pi_ai.stream"]);
  }, 130_000);

  it("with injected faults in our extractors the app output is identical and spans are marked incomplete", async () => {
    receiver.clear();
    const traced = await node(["--import", "@inference/tracing/register", APP], { env: tracingEnv({ CATALYST_TEST_FAULTS: "1" }), timeoutMs: 60_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    const spans = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 4, 10_000);
    for (const s of byKind(spans, "LLM")) expect(s.attributes["inference.tracing.incomplete"]).toBe(true);
  }, 70_000);
});
