/**
 * Zero-code on every runtime: ordinary apps on the AWS Bedrock clients (fixtures/apps/bedrock-esm,
 * bedrock-cjs) and on the cloud variants of the OpenAI and Anthropic clients (fixtures/apps/cloud-clients:
 * AzureOpenAI, AnthropicBedrock, AnthropicVertex) run as real subprocesses through the doors
 * (`--import`, `--require`, `bun --preload`); their output is byte-identical to the untraced run, the
 * spans reach the real OTLP receiver, and injected faults in our extractors change nothing for the app.
 * Under `npm run test:versions` the Bedrock apps are copied into the project CATALYST_TEST_SDK_DIR
 * names (fixtureApp()) and run against its client; the cloud clients' apps, which use no AWS client
 * package, are left to the pinned run.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { run } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
import { fixtureApp, pointedAtOtherCopy } from "../helpers/sdk-project";
import { byKind, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockBedrock } from "../../fixtures/mock-providers/bedrock.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

let receiver: Receiver;
let bedrock: any;
let openai: any;
let anthropic: any;

beforeAll(async () => {
  [receiver, bedrock, openai, anthropic] = await Promise.all([startOtlpReceiver(), startMockBedrock(), startMockOpenAI(), startMockAnthropic()]);
});
afterAll(async () => {
  await Promise.all([receiver?.close(), bedrock?.close(), openai?.close(), anthropic?.close()]);
});

const appEnv = () => ({
  BEDROCK_ENDPOINT: bedrock.url,
  AZURE_OPENAI_ENDPOINT: openai.url,
  ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
  ANTHROPIC_VERTEX_BASE_URL: `${anthropic.url}/v1`,
});

/** The app untraced, then traced under its own service name; both outputs and the traced run's spans. */
async function runBoth(runtime: RuntimeName, preload: string[], file: string, count: (spans: ReceivedSpan[], stdout: string) => boolean, extra: Record<string, string> = {}) {
  const bin = runtimePath(runtime);
  const bare = await run(bin, [file], { env: appEnv(), timeoutMs: 90_000 });
  expect(bare.code, bare.stderr).toBe(0);
  const service = `app-${Math.random().toString(36).slice(2)}`;
  const traced = await run(bin, [...preload, file], {
    env: { ...appEnv(), CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off", CATALYST_SERVICE_NAME: service, ...extra },
    timeoutMs: 90_000,
  });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(bare.stdout);
  const mine = () => receiver.spans.filter((s) => s.resource["service.name"] === service);
  await receiver.waitForSpans(() => count(mine(), bare.stdout), 15_000);
  return { stdout: bare.stdout, spans: mine() };
}

/** Clients older than the Converse API (3.422.0, the oldest supported) run the apps without it, and they say so. */
const hasConverse = (stdout: string) => !stdout.includes("converse: not in this SDK version");
// Converse: 3 calls (one throttled) and a stream; InvokeModel and its stream; the agent's 3 model calls
const bedrockSpansArrived = (spans: ReceivedSpan[], stdout: string) =>
  byKind(spans, "LLM").length >= (hasConverse(stdout) ? 9 : 5) && byKind(spans, "AGENT").length >= 1 && byKind(spans, "EMBEDDING").length >= 1;

function checkBedrock(stdout: string, spans: ReceivedSpan[]) {
  expect(stdout).toContain("agent: It is 21°C and clear in Paris. Enjoy the Louvre! 12");
  const llm = byKind(spans, "LLM");
  for (const s of [...llm, ...byKind(spans, "EMBEDDING")]) expect(s.attributes["llm.provider"]).toBe("aws");
  expect(one(llm, (s) => s.name === "Bedrock InvokeModel").attributes["llm.output_messages.0.message.content"]).toBe("Echo: invoke me");
  expect(one(llm, (s) => s.name === "Bedrock InvokeModelWithResponseStream").attributes["output.value"]).toBe("Echo: llama stream");
  const agent = one(spans, (s) => s.name === "Bedrock InvokeAgent");
  expect(childrenOf(spans, agent).map((s) => s.attributes["openinference.span.kind"]).sort()).toEqual(["LLM", "LLM", "LLM", "RETRIEVER", "TOOL"]);
  expect(JSON.stringify(spans)).not.toContain("app-secret-key");
  if (!hasConverse(stdout)) {
    expect(llm.filter((s) => s.name.startsWith("Bedrock Converse"))).toEqual([]);
    return;
  }
  expect(stdout).toContain('converse: tool_use get_weather {"city":"sample city"}');
  const converse = llm.filter((s) => s.name === "Bedrock Converse");
  expect(converse).toHaveLength(3);
  const second = converse.find((s) => s.attributes["llm.input_messages.2.message.role"] === "tool")!;
  expect(second.attributes["llm.output_messages.0.message.content"]).toBe("Done: sunny");
  expect(typeof second.attributes["llm.cost.total"]).toBe("number");
  const failed = converse.find((s) => s.status.code === 2)!;
  expect(failed.attributes).toMatchObject({ "http.response.status_code": 429, "error.type": "ThrottlingException" });
  expect(one(llm, (s) => s.name === "Bedrock ConverseStream").attributes["output.value"]).toBe("Echo: stream please");
}

const cloudSpansArrived = (spans: ReceivedSpan[]) => byKind(spans, "LLM").length >= 4 && spans.filter((s) => s.scope.name.startsWith("com.anthropic.sdk.typescript")).length >= 3;

function checkCloud(stdout: string, spans: ReceivedSpan[]) {
  expect(stdout).toContain("azure: Echo: hello azure gpt-4o-mini-2024-07-18");
  expect(stdout).toContain("vertex: Echo: hello vertex");
  const llm = byKind(spans, "LLM");
  const provider = (text: string) => llm.find((s) => s.attributes["llm.input_messages.0.message.content"] === text)!.attributes["llm.provider"];
  expect([provider("hello azure"), provider("hello bedrock"), provider("stream bedrock"), provider("hello vertex")]).toEqual(["azure", "aws", "aws", "google"]);
  // @anthropic-ai/sdk 1.16's own spans under the Bedrock and Vertex clients nest under ours
  const theirs = spans.filter((s) => s.scope.name.startsWith("com.anthropic.sdk.typescript"));
  for (const s of theirs) expect(llm.map((l) => l.spanId)).toContain(s.parentSpanId);
  expect(JSON.stringify(spans)).not.toMatch(/azure-app-key|app-secret-key|ya29\.app-token/);
}

for (const runtime of selectedRuntimes()) {
  const isBun = runtime === "bun";
  const esmDoor = isBun ? ["--preload", "@inference/tracing/register"] : ["--import", "@inference/tracing/register"];
  const cjsDoor = isBun ? ["--preload", "@inference/tracing/register"] : ["--require", "@inference/tracing/register"];

  describe(`Bedrock and the cloud clients, zero-code on ${runtime}`, () => {
    beforeAll(() => {
      runtimePath(runtime);
    }, 240_000);

    it("ES module Bedrock app", async () => {
      const { stdout, spans } = await runBoth(runtime, esmDoor, fixtureApp("bedrock-esm/app.mjs"), bedrockSpansArrived);
      checkBedrock(stdout, spans);
    }, 200_000);

    it("CommonJS Bedrock app", async () => {
      const { stdout, spans } = await runBoth(runtime, cjsDoor, fixtureApp("bedrock-cjs/app.js"), bedrockSpansArrived);
      checkBedrock(stdout, spans);
    }, 200_000);

    it.skipIf(pointedAtOtherCopy())("ES module app on AzureOpenAI, AnthropicBedrock, AnthropicVertex", async () => {
      const { stdout, spans } = await runBoth(runtime, esmDoor, fixtureApp("cloud-clients/app.mjs"), cloudSpansArrived);
      checkCloud(stdout, spans);
    }, 200_000);

    it.skipIf(pointedAtOtherCopy())("CommonJS app on AzureOpenAI, AnthropicBedrock, AnthropicVertex", async () => {
      const { stdout, spans } = await runBoth(runtime, cjsDoor, fixtureApp("cloud-clients/app.cjs"), cloudSpansArrived);
      checkCloud(stdout, spans);
    }, 200_000);
  });
}

describe("our own faults never reach the app (CATALYST_TEST_FAULTS=1)", () => {
  for (const [name, door] of [
    ["bedrock-esm/app.mjs", "--import"],
    ["bedrock-cjs/app.js", "--require"],
    ["cloud-clients/app.cjs", "--require"],
  ] as const) {
    it.skipIf(pointedAtOtherCopy() && name.startsWith("cloud-clients"))(`${name}: identical output, every span still ends, marked incomplete`, async () => {
      const { spans } = await runBoth("node20", [door, "@inference/tracing/register"], fixtureApp(name), (s, stdout) => byKind(s, "LLM").length >= (hasConverse(stdout) ? 4 : 2), { CATALYST_TEST_FAULTS: "1" });
      const ours = spans.filter((s) => s.attributes["openinference.span.kind"] && s.scope.name === "@inference/tracing");
      expect(ours.length).toBeGreaterThanOrEqual(4);
      for (const s of ours.filter((x) => x.parentSpanId === undefined)) expect(s.attributes["inference.tracing.incomplete"]).toBe(true);
    }, 200_000);
  }
});
