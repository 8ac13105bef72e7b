/**
 * LangSmith, zero-code: an app tracing with traceable / wrapOpenAI / RunTree gets its runs into our
 * trace tree as OpenInference spans, while its own export to LangSmith (a local stub here) still works.
 */
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node } from "../helpers/run";
import { APP_CWD, fixtureApp } from "../helpers/sdk-project";
import { byKind, kindOf, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
import { langsmithAttributeTransform } from "../../src/subpaths/langsmith";

const APP = fixtureApp("langsmith-esm/app.js");
let receiver: Receiver;
let mock: { baseURL: string; close(): Promise<void> | void };
let langsmith: http.Server;
let posted: { url: string; body: string }[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
  // a tiny LangSmith API stand-in that records what the app's LangSmith client sends
  langsmith = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (d) => chunks.push(d));
    req.on("end", () => {
      if (req.url?.startsWith("/info")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ version: "0.10.0", batch_ingest_config: { use_multipart_endpoint: true } }));
        return;
      }
      posted.push({ url: req.url ?? "", body: Buffer.concat(chunks).toString("latin1") });
      res.writeHead(202, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => langsmith.listen(0, "127.0.0.1", () => r()));
});
afterAll(async () => {
  await receiver?.close();
  await mock?.close();
  langsmith?.close();
});

function env(traced: boolean) {
  const port = (langsmith.address() as { port: number }).port;
  return {
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: mock.baseURL,
    LANGSMITH_TRACING: "true",
    LANGSMITH_API_KEY: "ls-test-key",
    LANGSMITH_ENDPOINT: `http://127.0.0.1:${port}`,
    ...(traced ? { CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" } : {}),
  };
}

const runNames = (bodies: { body: string }[]) => ["weather_pipeline", "lookup_weather", "failing_step", "ChatOpenAI", "manual_run"].filter((n) => bodies.some((b) => b.body.includes(`"${n}"`)));

describe("LangSmith traceable / wrapOpenAI / RunTree, zero-code (--import)", () => {
  it("puts LangSmith runs into our tree and keeps the app's export to LangSmith", async () => {
    posted = [];
    const plain = await node([APP], { cwd: APP_CWD, env: env(false), timeoutMs: 60_000 });
    expect(plain.code, plain.stderr).toBe(0);
    const plainRuns = runNames(posted);
    expect(plainRuns).toEqual(["weather_pipeline", "lookup_weather", "failing_step", "ChatOpenAI", "manual_run"]);

    posted = [];
    receiver.clear();
    const traced = await node(["--import", "@inference/tracing/register", APP], { cwd: APP_CWD, env: env(true), timeoutMs: 60_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    // LangSmith still receives every run, on the same endpoint
    expect(runNames(posted)).toEqual(plainRuns);
    expect(posted.every((p) => p.url.startsWith("/runs"))).toBe(true);

    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "manual_run") && s.some((x) => x.name === "weather_pipeline"), 20_000);
    const root = one(spans, (s) => s.name === "weather_pipeline", "pipeline");
    expect(kindOf(root)).toBe("CHAIN");
    expect(root.parentSpanId).toBeFalsy();
    expect(root.attributes["tag.tags"]).toEqual(["ls-fixture"]);
    expect(root.attributes["session.id"]).toBe("ls-thread-1");
    expect(root.attributes["output.value"]).toContain("Echo: What is the weather?");
    const tool = one(spans, (s) => s.name === "lookup_weather", "tool");
    expect(kindOf(tool)).toBe("TOOL");
    expect(tool.attributes["tool.name"]).toBe("lookup_weather");
    expect(tool.parentSpanId).toBe(root.spanId);
    const failing = one(spans, (s) => s.name === "failing_step", "failing tool");
    expect(failing.status.code).toBe(2);
    expect(failing.parentSpanId).toBe(root.spanId);
    // exactly one LLM span for the one model call, under the pipeline, with messages and tokens
    const llms = byKind(spans, "LLM");
    expect(llms).toHaveLength(1);
    const llm = llms[0]!;
    expect(llm.parentSpanId).toBe(root.spanId);
    expect(llm.attributes["llm.provider"]).toBe("openai");
    expect(llm.attributes["llm.input_messages.0.message.role"]).toBe("system");
    expect(llm.attributes["llm.input_messages.1.message.content"]).toBe("What is the weather? (Sunny in Paris)");
    expect(llm.attributes["llm.output_messages.0.message.content"]).toBe("Echo: What is the weather? (Sunny in Paris)");
    expect(llm.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(llm.attributes["llm.token_count.total"]).toBe(llm.attributes["llm.token_count.prompt"] + llm.attributes["llm.token_count.completion"]);
    const manual = one(spans, (s) => s.name === "manual_run", "RunTree");
    expect(manual.attributes["output.value"]).toBe('{"answer":42}');
  }, 120_000);
});

describe("LangSmith tracing off (no LANGSMITH_TRACING)", () => {
  it("adds no LangSmith spans; the model call is still recorded once, by the openai integration", async () => {
    receiver.clear();
    const { LANGSMITH_TRACING: _off, ...rest } = env(true);
    const r = await node(["--import", "@inference/tracing/register", APP], { cwd: APP_CWD, env: rest, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "manual_run") && byKind(s, "LLM").length >= 1, 20_000);
    expect(spans.some((s) => s.name === "weather_pipeline")).toBe(false);
    expect(byKind(spans, "LLM").map((s) => s.name)).toEqual(["OpenAI Chat Completions"]);
  }, 60_000);
});

describe("LangSmith in a CommonJS app (--require)", () => {
  it("nests the wrapOpenAI LLM run under the traceable chain, once", async () => {
    posted = [];
    receiver.clear();
    const app = fixtureApp("langsmith-cjs/app.cjs");
    const plain = await node([app], { cwd: APP_CWD, env: env(false), timeoutMs: 60_000 });
    posted = [];
    const r = await node(["--require", "@inference/tracing/register", app], { cwd: APP_CWD, env: env(true), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(posted.some((p) => p.body.includes('"answer_question"'))).toBe(true);
    await receiver.waitForSpans((s) => s.some((x) => x.name === "answer_question") && s.some((x) => x.name === "stream_answer"), 20_000);
    await new Promise((res) => setTimeout(res, 300));
    const all = receiver.spans;
    expect(byKind(all, "LLM")).toHaveLength(2);
    const root = one(all, (s) => s.name === "answer_question", "root");
    const llm = one(byKind(all, "LLM"), (s) => s.parentSpanId === root.spanId, "LLM");
    expect(llm.attributes["llm.output_messages.0.message.content"]).toBe("Echo: hello from cjs");
    const sroot = one(all, (s) => s.name === "stream_answer", "stream root");
    const sllm = one(byKind(all, "LLM"), (s) => s.parentSpanId === sroot.spanId, "streamed LLM");
    expect(sllm.attributes["llm.streaming"]).toBe(true);
    expect(sllm.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
    expect(sroot.attributes["output.value"]).toBe("Echo: stream from cjs");
  }, 60_000);
});

describe("LangChain with LangSmith tracing on", () => {
  it("records each LangChain run once (LangChain's handler owns them) and LangSmith still gets them", async () => {
    posted = [];
    receiver.clear();
    const app = fixtureApp("langchain-esm/app.js");
    const r = await node(["--import", "@inference/tracing/register", app], { cwd: APP_CWD, env: { ...env(true), APP_SCENARIOS: "graph,chain" }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(posted.some((p) => p.body.includes('"weather_agent"'))).toBe(true);
    await receiver.waitForSpans((s) => s.some((x) => x.name === "RunnableSequence") && s.some((x) => x.name === "weather_agent"), 20_000);
    await new Promise((res) => setTimeout(res, 500));
    const all = receiver.spans;
    expect(all.filter((s) => s.name === "weather_agent")).toHaveLength(1);
    expect(all.filter((s) => s.name === "RunnableSequence")).toHaveLength(1);
    expect(byKind(all, "LLM")).toHaveLength(3);
    expect(all.filter((s) => s.attributes["langsmith.run_id"] !== undefined)).toHaveLength(0);
  }, 60_000);

  it("CommonJS (LangSmith's run tree hooked too): LangSmith posting a run LangChain already ended records nothing more", async () => {
    const app = fixtureApp("langchain-cjs/app.cjs");
    const spanNames = async (langsmith: boolean) => {
      posted = [];
      receiver.clear();
      const r = await node(["--require", "@inference/tracing/register", app], { cwd: APP_CWD, env: { ...env(true), APP_SCENARIOS: "graph", LANGSMITH_TRACING: langsmith ? "true" : "false" }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 2, 20_000);
      await new Promise((res) => setTimeout(res, 800));
      return receiver.spans.map((x) => x.name).sort();
    };
    const without = await spanNames(false);
    const withLangSmith = await spanNames(true);
    expect(posted.length).toBeGreaterThan(0);
    expect(withLangSmith).toEqual(without);
  }, 90_000);
});

describe("langsmithAttributeTransform (LangSmith's own OTel mode)", () => {
  it("maps langsmith.span.kind and gen_ai.* to OpenInference, keeping the native keys", () => {
    const a: Record<string, unknown> = {
      "langsmith.span.kind": "llm",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.system": "openai",
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 5,
      "gen_ai.usage.total_tokens": 15,
      "gen_ai.prompt": '{"messages":[]}',
      "langsmith.span.tags": "a, b",
    };
    langsmithAttributeTransform(a);
    expect(a).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o-mini",
      "llm.token_count.prompt": 10,
      "llm.token_count.completion": 5,
      "llm.token_count.total": 15,
      "input.value": '{"messages":[]}',
      "tag.tags": ["a", "b"],
      "gen_ai.system": "openai",
    });
    const tool: Record<string, unknown> = { "langsmith.span.kind": "tool", "gen_ai.tool.name": "search" };
    langsmithAttributeTransform(tool);
    expect(tool).toMatchObject({ "openinference.span.kind": "TOOL", "tool.name": "search" });
  });
});
