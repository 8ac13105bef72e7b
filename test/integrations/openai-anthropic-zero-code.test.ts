/**
 * Zero-code: ordinary apps (fixtures/apps/openai-*, anthropic-*) run as real subprocesses with
 * `node --import @inference/tracing/register` (ESM) and `node --require …` (CJS). The span tree
 * reaches the real OTLP receiver and the app's stdout is byte-identical to the untraced run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { BUN, node, run } from "../helpers/run";
import { APP_CWD, fixtureApp } from "../helpers/sdk-project";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

let receiver: Receiver;
let openaiMock: any;
let anthropicMock: any;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openaiMock = await startMockOpenAI();
  anthropicMock = await startMockAnthropic();
});
afterAll(async () => {
  await openaiMock?.close();
  await anthropicMock?.close();
  await receiver?.close();
});

const app = (name: string) => fixtureApp(`${name}/app.js`);
/** Whether the Anthropic SDK the apps load makes OpenTelemetry spans of its own (its internal/tracing module; 0.50 does not). */
const anthropicTracesItself = () => fs.existsSync(path.join(APP_CWD, "node_modules", "@anthropic-ai", "sdk", "internal", "tracing.js"));

async function runBoth(preload: string[], appPath: string, extraEnv: Record<string, string> = {}) {
  const env = { OPENAI_BASE_URL: openaiMock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url, ...extraEnv };
  const plain = await node([appPath], { env });
  expect(plain.code, plain.stderr).toBe(0);
  receiver.clear();
  const traced = await node([...preload, appPath], {
    env: { ...env, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off" },
  });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(plain.stdout);
  return { plain, traced, spans: await receiver.waitForSpans(undefined, 1000).catch(() => receiver.spans) };
}

const llm = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");

describe("zero-code OpenAI", () => {
  it("ESM app with --import: chat, stream, embeddings, responses, a deep import", async () => {
    const { spans, plain } = await runBoth(["--import", "@inference/tracing/register"], app("openai-esm"));
    expect(plain.stdout).toContain("chat: Echo: hello from esm");
    await receiver.waitForSpans((s) => s.filter((x) => x.attributes["openinference.span.kind"]).length >= 5, 5000);
    const all = receiver.spans;
    const l = llm(all);
    expect(l.map((s) => s.name).sort()).toEqual(["OpenAI Chat Completions", "OpenAI Chat Completions", "OpenAI Chat Completions", "OpenAI Responses"]);
    expect(all.filter((s) => s.attributes["openinference.span.kind"] === "EMBEDDING")).toHaveLength(1);
    const deep = l.find((s) => s.attributes["llm.input_messages.0.message.content"] === "deep import")!;
    expect(deep.attributes["llm.output_messages.0.message.content"]).toBe("Echo: deep import");
    const streamed = l.find((s) => s.attributes["llm.streaming"] === true)!;
    expect(streamed.attributes["output.value"]).toBe("Echo: stream from esm");
    void spans;
  });

  it("CJS app with --require: tool call, stream, HTTP error", async () => {
    await runBoth(["--require", "@inference/tracing/register"], app("openai-cjs"));
    const all = await receiver.waitForSpans((s) => llm(s).length >= 3, 5000);
    const l = llm(all);
    expect(l).toHaveLength(3);
    expect(l.find((s) => s.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"] === "lookup")).toBeDefined();
    const err = l.find((s) => s.status.code === 2)!;
    expect(err.attributes["http.response.status_code"]).toBe(400);
  });

  it("opt-in include_usage: the app's chunks are unchanged, the span gets the usage", async () => {
    await runBoth(["--import", "@inference/tracing/register"], app("openai-esm"), { CATALYST_OPENAI_INCLUDE_USAGE: "1" });
    const all = await receiver.waitForSpans((s) => llm(s).length >= 4, 5000);
    const streamed = llm(all).find((s) => s.attributes["llm.streaming"] === true)!;
    expect(streamed.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    expect(openaiMock.requests.filter((r: any) => r.body.stream_options?.include_usage === true).length).toBeGreaterThan(0);
  });
});

describe("zero-code Anthropic", () => {
  it("ESM app with --import: create, messages.stream(), raw stream; the SDK's own spans nest under ours", async () => {
    await runBoth(["--import", "@inference/tracing/register"], app("anthropic-esm"));
    const all = await receiver.waitForSpans((s) => llm(s).length >= 3, 5000);
    await new Promise((r) => setTimeout(r, 200));
    const l = llm(receiver.spans);
    expect(l).toHaveLength(3);
    const theirs = receiver.spans.filter((s) => s.scope.name === "com.anthropic.sdk.typescript");
    expect(theirs).toHaveLength(anthropicTracesItself() ? 3 : 0);
    expect(new Set(theirs.map((s) => s.parentSpanId)).size).toBe(theirs.length);
    for (const s of theirs) expect(l.map((x) => x.spanId)).toContain(s.parentSpanId);
    const helper = l.find((s) => s.attributes["llm.input_messages.0.message.content"] === "stream from esm")!;
    expect(helper.attributes["llm.output_messages.0.message.content"]).toBe("Echo: stream from esm");
    void all;
  });

  it("CJS app with --require: tool_use then tool_result", async () => {
    await runBoth(["--require", "@inference/tracing/register"], app("anthropic-cjs"));
    const all = await receiver.waitForSpans((s) => llm(s).length >= 2, 5000);
    const second = llm(all).find((s) => s.attributes["llm.input_messages.2.message.role"] === "tool")!;
    expect(second.attributes["llm.output_messages.0.message.content"]).toBe("Done: sunny");
  });
});

describe("Bun (--preload)", () => {
  for (const name of ["openai-esm", "anthropic-esm"]) {
    it(`${name} under Bun: output unchanged, every model call one LLM span`, async () => {
      const env = { OPENAI_BASE_URL: openaiMock.baseURL, ANTHROPIC_BASE_URL: anthropicMock.url };
      const plain = await run(BUN, [app(name)], { env });
      expect(plain.code, plain.stderr).toBe(0);
      receiver.clear();
      const before = openaiMock.requests.length + anthropicMock.requests.length;
      const traced = await run(BUN, ["--preload", "@inference/tracing/register", app(name)], {
        env: { ...env, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off" },
      });
      expect(traced.code, traced.stderr).toBe(0);
      expect(traced.stdout).toBe(plain.stdout);
      const calls = openaiMock.requests.length + anthropicMock.requests.length - before;
      const spans = await receiver.waitForSpans((s) => llm(s).length + s.filter((x) => x.attributes["openinference.span.kind"] === "EMBEDDING").length >= calls, 10_000);
      expect(llm(spans).length + spans.filter((x) => x.attributes["openinference.span.kind"] === "EMBEDDING").length).toBe(calls);
    });
  }
});

describe("our own faults never reach the app (CATALYST_TEST_FAULTS=1)", () => {
  for (const name of ["openai-esm", "openai-cjs", "anthropic-esm", "anthropic-cjs"]) {
    it(`${name}: identical stdout, spans still end, marked incomplete`, async () => {
      const preload = name.endsWith("cjs") ? ["--require", "@inference/tracing/register"] : ["--import", "@inference/tracing/register"];
      await runBoth(preload, app(name), { CATALYST_TEST_FAULTS: "1" });
      const all = await receiver.waitForSpans((s) => llm(s).length >= 2, 5000);
      const l = llm(all);
      expect(l.length).toBeGreaterThanOrEqual(2);
      for (const s of l) expect(s.attributes["inference.tracing.incomplete"]).toBe(true);
    });
  }
});


describe("explicit helpers imported first (no preload)", () => {
  it("@inference/tracing/openai and /anthropic load on their own and patch what they are given", async () => {
    const script = `
      const { instrumentOpenAI } = require("@inference/tracing/openai");
      const { instrumentAnthropic } = require("@inference/tracing/anthropic");
      const OpenAI = require("openai");
      const Anthropic = require("@anthropic-ai/sdk");
      console.log(instrumentOpenAI(OpenAI).patched, instrumentAnthropic(Anthropic).patched);
      new OpenAI({ apiKey: "k", baseURL: process.env.OPENAI_BASE_URL }).chat.completions
        .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "explicit" }] })
        .then((r) => console.log(r.choices[0].message.content));
    `;
    receiver.clear();
    const r = await node(["-e", script], {
      env: { OPENAI_BASE_URL: openaiMock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true true\nEcho: explicit\n");
    const spans = await receiver.waitForSpans((s) => llm(s).length >= 1, 5000);
    expect(llm(spans)[0]!.attributes["llm.input_messages.0.message.content"]).toBe("explicit");
  });
});
