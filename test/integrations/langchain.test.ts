/**
 * LangChain + LangGraph, zero-code: real @langchain/core, @langchain/langgraph and @langchain/openai
 * against the mock OpenAI server, spans read from the real OTLP receiver.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { BUN, node, run } from "../helpers/run";
import { APP_CWD, fixtureApp } from "../helpers/sdk-project";
import { byKind, childrenOf, kindOf, one, type ReceivedSpan } from "../helpers/spans";
import { inVersionRange } from "../../src/hooks/version-range";
import { openaiIntegration } from "../../src/integrations/openai";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const ESM_APP = fixtureApp("langchain-esm");
const CJS_APP = fixtureApp("langchain-cjs");

/**
 * Whether the openai copy @langchain/openai loads is one the openai integration traces: @langchain/openai
 * before 0.5 (the only ones for @langchain/core before 0.3.58) bring openai 4, which it does not — the
 * version matrix installs those for the oldest LangChain; the tests of what openai itself records need it.
 */
function langchainOpenAITraced(): boolean {
  const modules = path.join(APP_CWD, "node_modules");
  const nested = path.join(fs.realpathSync(path.join(modules, "@langchain", "openai")), "node_modules", "openai", "package.json");
  const file = fs.existsSync(nested) ? nested : path.join(modules, "openai", "package.json");
  return inVersionRange(JSON.parse(fs.readFileSync(file, "utf8")).version, openaiIntegration.versionRange);
}

let receiver: Receiver;
let mock: { baseURL: string; close(): Promise<void> | void; requests: unknown[] };

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
});
afterAll(async () => {
  await receiver?.close();
  await mock?.close();
});

function env(extra: Record<string, string> = {}) {
  return { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", ...extra };
}

/** Run the app plain, then traced; return the traced run's spans (grouped by trace). */
async function runBoth(preload: string[], app: string, scenarios: string, expectedTraces: number) {
  const plain = await node([app], { cwd: APP_CWD, env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, APP_SCENARIOS: scenarios }, timeoutMs: 60_000 });
  expect(plain.code, plain.stderr).toBe(0);
  receiver.clear();
  const traced = await node([...preload, app], { cwd: APP_CWD, env: env({ APP_SCENARIOS: scenarios }), timeoutMs: 60_000 });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(plain.stdout);
  expect(traced.stderr).not.toMatch(/Error in handler/);
  const spans = await receiver.waitForSpans((s) => new Set(s.map((x) => x.traceId)).size >= expectedTraces && s.every((x) => x.durationMs >= 0), 20_000);
  await new Promise((r) => setTimeout(r, 300));
  return { spans: receiver.spans, stdout: traced.stdout };
}

const rootOf = (spans: ReceivedSpan[], name: string) => one(spans, (s) => s.name === name && !s.parentSpanId, `root ${name}`);
const inTrace = (spans: ReceivedSpan[], root: ReceivedSpan) => spans.filter((s) => s.traceId === root.traceId);

function assertWeatherGraph(spans: ReceivedSpan[], graphName: string, threadId: string) {
  const graph = rootOf(spans, graphName);
  const tree = inTrace(spans, graph);
  expect(kindOf(graph)).toBe("AGENT");
  expect(graph.attributes["session.id"]).toBe(threadId);
  // no orphans: every span's parent is in the trace
  const ids = new Set(tree.map((s) => s.spanId));
  for (const s of tree) if (s !== graph) expect(ids.has(s.parentSpanId!), `${s.name} has a parent in the trace`).toBe(true);
  // nodes in order: agent, tools, agent (LangGraph's hidden __start__ bookkeeping is not shown)
  const nodes = childrenOf(tree, graph);
  expect(nodes.map((n) => n.name).sort()).toEqual(["agent", "agent", "tools"]);
  for (const n of nodes) {
    expect(kindOf(n)).toBe("CHAIN");
    expect(n.attributes["graph.node.id"]).toBe(n.name);
  }
  expect(tree.some((s) => s.name === "__start__")).toBe(false);
  // exactly one LLM span per model call (2 calls), each under an agent node, with tokens
  const llms = byKind(tree, "LLM");
  expect(llms).toHaveLength(2);
  for (const l of llms) {
    const parent = tree.find((s) => s.spanId === l.parentSpanId)!;
    expect(parent.name).toBe("agent");
    expect(l.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
    expect(l.attributes["llm.request.model_name"] ?? "gpt-4o-mini").toBe("gpt-4o-mini");
    expect(l.attributes["llm.provider"]).toBe("openai");
    expect(l.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(l.attributes["llm.token_count.total"]).toBe(l.attributes["llm.token_count.prompt"] + l.attributes["llm.token_count.completion"]);
    expect(l.attributes["llm.input_messages.0.message.role"]).toBe("user");
    expect(l.attributes["llm.input_messages.0.message.content"]).toBe("What is the weather in Paris?");
    expect(l.attributes["llm.tools.0.tool.json_schema"]).toContain("get_weather");
  }
  const [first, second] = [...llms].sort((a, b) => (a.attributes["llm.input_messages.1.message.role"] ? 1 : -1));
  expect(first!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
  expect(first!.attributes["llm.finish_reason"]).toBe("tool_calls");
  expect(second!.attributes["llm.input_messages.1.message.role"]).toBe("assistant");
  expect(second!.attributes["llm.input_messages.2.message.role"]).toBe("tool");
  expect(second!.attributes["llm.output_messages.0.message.content"]).toBe("Done: Sunny in sample city");
  // the tool under the tools node
  const tool = one(byKind(tree, "TOOL"), () => true, "tool span");
  expect(tool.attributes["tool.name"]).toBe("get_weather");
  expect(tree.find((s) => s.spanId === tool.parentSpanId)!.name).toBe("tools");
  expect(tool.attributes["output.value"]).toBe("Sunny in sample city");
  expect(tool.attributes["input.value"]).toContain("city");
  return { graph, tree, llms };
}

describe("LangChain + LangGraph, ESM app, zero-code (--import)", () => {
  let spans: ReceivedSpan[];
  beforeAll(async () => {
    ({ spans } = await runBoth(["--import", "@inference/tracing/register"], path.join(ESM_APP, "app.js"), "graph,chain,stream,tool-error,retriever,llm", 6));
  }, 120_000);

  it("traces the graph as an AGENT with node CHAINs, LLM and TOOL spans, thread_id as session, tags and metadata", () => {
    const { graph, tree } = assertWeatherGraph(spans, "weather_agent", "thread-42");
    expect(graph.attributes["tag.tags"]).toEqual(["fixture"]);
    expect(JSON.parse(graph.attributes.metadata)).toMatchObject({ user_tier: "gold", thread_id: "thread-42" });
    expect(graph.attributes["input.value"]).toContain("What is the weather in Paris?");
    expect(graph.attributes["output.value"]).toContain("Done: Sunny in sample city");
    // metadata and session reach every run of the graph
    for (const s of tree) expect(s.attributes["session.id"]).toBe("thread-42");
  });

  it("traces a prompt | model | parser | lambda chain", () => {
    const seq = rootOf(spans, "RunnableSequence");
    const kids = childrenOf(spans, seq);
    expect(kids.map((k) => `${kindOf(k)}:${k.name}`).sort()).toEqual(["CHAIN:ChatPromptTemplate", "CHAIN:StrOutputParser", "CHAIN:shout", "LLM:ChatOpenAI"]);
    const llm = kids.find((k) => kindOf(k) === "LLM")!;
    expect(llm.attributes["llm.input_messages.0.message.role"]).toBe("system");
    expect(llm.attributes["llm.input_messages.1.message.content"]).toBe("Say hello to Ada");
    expect(seq.attributes["output.value"]).toBe("ECHO: SAY HELLO TO ADA");
    expect(JSON.parse(seq.attributes["input.value"])).toEqual({ name: "Ada" });
  });

  it("traces model.stream() as one LLM span with streamed usage", () => {
    const llm = one(spans, (s) => !s.parentSpanId && kindOf(s) === "LLM" && s.attributes["llm.input_messages.0.message.content"] === "Stream me a line", "stream LLM");
    expect(llm.attributes["llm.output_messages.0.message.content"]).toBe("Echo: Stream me a line");
    expect(llm.attributes["llm.streaming"]).toBe(true);
    expect(llm.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
  });

  it("marks a tool that throws as ERROR with the exception", () => {
    const t = rootOf(spans, "explode");
    expect(kindOf(t)).toBe("TOOL");
    expect(t.status.code).toBe(2);
    expect(t.status.message).toBe("tool exploded");
    expect(t.events.some((e) => e.name === "exception" && e.attributes["exception.message"] === "tool exploded")).toBe(true);
  });

  it("traces a retriever with documents (id, content, score, metadata)", () => {
    const r = rootOf(spans, "KeywordRetriever");
    expect(kindOf(r)).toBe("RETRIEVER");
    expect(r.attributes["input.value"]).toBe("capital Paris");
    expect(r.attributes["retrieval.documents.0.document.id"]).toBe("doc-1");
    expect(r.attributes["retrieval.documents.0.document.content"]).toBe("Paris is the capital of France.");
    expect(r.attributes["retrieval.documents.0.document.score"]).toBe(0.9);
    expect(JSON.parse(r.attributes["retrieval.documents.1.document.metadata"])).toEqual({ source: "atlas", score: 0.4 });
  });

  it("traces a completion LLM", () => {
    const l = rootOf(spans, "OpenAI");
    expect(kindOf(l)).toBe("LLM");
    expect(l.attributes["llm.model_name"]).toBe("gpt-3.5-turbo-instruct");
    expect(l.attributes["input.value"]).toBe("Complete this");
    expect(l.attributes["llm.token_count.total"]).toBeGreaterThan(0);
  });

  it("counts each model call once: LLM spans == model requests, none from the provider integration", () => {
    const llms = byKind(spans, "LLM");
    // 2 graph calls + chain + stream + completion
    expect(llms).toHaveLength(5);
    expect(llms.every((s) => s.scope.name === llms[0]!.scope.name)).toBe(true);
    expect(spans.filter((s) => /^OpenAI (Chat )?Completions/.test(s.name))).toHaveLength(0);
  });
});

describe.runIf(langchainOpenAITraced())("embeddings inside LangChain code", () => {
  it("records the embedding call once (EMBEDDING) under the LangChain run that made it", async () => {
    const { spans } = await runBoth(["--import", "@inference/tracing/register"], path.join(ESM_APP, "app.js"), "embed", 1);
    const chain = rootOf(spans, "embed_docs");
    const emb = one(byKind(spans, "EMBEDDING"), () => true, "embedding span");
    expect(emb.parentSpanId).toBe(chain.spanId);
    expect(emb.attributes["embedding.model_name"]).toBe("text-embedding-3-small");
  }, 60_000);
});

describe("the dedupe is real, and our faults stay ours", () => {
  it.runIf(langchainOpenAITraced())("control: with LangChain tracing off, the openai integration records the same calls itself", async () => {
    // (the first describe block shows the same calls with LangChain tracing on: LangChain LLM spans only)
    receiver.clear();
    const r = await node(["--import", "@inference/tracing/register", path.join(ESM_APP, "app.js")], {
      cwd: APP_CWD,
      env: env({ APP_SCENARIOS: "chain,stream,llm", CATALYST_DISABLED_INSTRUMENTATIONS: "langchain" }),
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const off = await receiver.waitForSpans((s) => byKind(s, "LLM").length >= 3, 20_000);
    expect(off.filter((s) => kindOf(s) === "CHAIN")).toHaveLength(0);
    expect(byKind(off, "LLM").map((s) => s.name).sort()).toEqual(["OpenAI Chat Completions", "OpenAI Chat Completions", "OpenAI Completions"]);
  }, 120_000);

  it("with every extractor throwing (CATALYST_TEST_FAULTS=1) the app's output is unchanged and spans are marked incomplete", async () => {
    const app = path.join(ESM_APP, "app.js");
    const plain = await node([app], { cwd: APP_CWD, env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, APP_SCENARIOS: "graph,chain,tool-error,retriever" }, timeoutMs: 60_000 });
    receiver.clear();
    const faulty = await node(["--import", "@inference/tracing/register", app], {
      cwd: APP_CWD,
      env: env({ APP_SCENARIOS: "graph,chain,tool-error,retriever", CATALYST_TEST_FAULTS: "1" }),
      timeoutMs: 60_000,
    });
    expect(faulty.code, faulty.stderr).toBe(0);
    expect(faulty.stdout).toBe(plain.stdout);
    expect(faulty.stderr).not.toMatch(/Error in handler|InjectedFault/);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "KeywordRetriever"), 20_000);
    const graph = one(spans, (s) => s.name === "weather_agent", "graph");
    expect(graph.attributes["inference.tracing.incomplete"]).toBe(true);
    expect(byKind(spans, "LLM").length).toBe(3);
    expect(byKind(spans, "LLM").every((s) => s.attributes["inference.tracing.incomplete"] === true)).toBe(true);
  }, 120_000);
});

describe("LangChain + LangGraph, ESM through the import-in-the-middle loader (CATALYST_ESM_MODE=loader)", () => {
  it("hooks the same @langchain/core files through the loader", async () => {
    const app = path.join(ESM_APP, "app.js");
    const plain = await node([app], { cwd: APP_CWD, env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, APP_SCENARIOS: "graph" }, timeoutMs: 60_000 });
    receiver.clear();
    const r = await node(["--import", "@inference/tracing/register", app], { cwd: APP_CWD, env: env({ APP_SCENARIOS: "graph", CATALYST_ESM_MODE: "loader" }), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    await receiver.waitForSpans((s) => s.some((x) => x.name === "weather_agent"), 20_000);
    await new Promise((res) => setTimeout(res, 300));
    assertWeatherGraph(receiver.spans, "weather_agent", "thread-42");
  }, 60_000);
});

describe("LangChain + LangGraph, CommonJS app, zero-code (--require)", () => {
  it("traces graph.invoke, model.stream and a failing tool", async () => {
    const { spans } = await runBoth(["--require", "@inference/tracing/register"], path.join(CJS_APP, "app.cjs"), "graph,stream,tool-error", 3);
    assertWeatherGraph(spans, "LangGraph", "thread-cjs");
    expect(rootOf(spans, "explode").status.code).toBe(2);
    expect(byKind(spans, "LLM")).toHaveLength(3);
  }, 120_000);

  it("traces graph.stream (streamMode updates) the same way", async () => {
    const { spans, stdout } = await runBoth(["--require", "@inference/tracing/register"], path.join(CJS_APP, "app.cjs"), "streaming-graph", 1);
    expect(stdout).toContain("graph-stream: agent > tools > agent");
    assertWeatherGraph(spans, "LangGraph", "thread-cjs");
  }, 120_000);
});

describe("an ESM app that lists only a partner package (@langchain/openai)", () => {
  it("still gets @langchain/core patched in eager mode", async () => {
    const app = fixtureApp("langchain-partner-only/app.js");
    const { spans, stdout } = await runBoth(["--import", "@inference/tracing/register"], app, "", 1);
    expect(stdout).toBe("partner-only: Echo: Summarize tides\n");
    const seq = rootOf(spans, "RunnableSequence");
    expect(childrenOf(spans, seq).map((c) => `${kindOf(c)}:${c.name}`).sort()).toEqual(["CHAIN:ChatPromptTemplate", "LLM:ChatOpenAI"]);
    expect(byKind(spans, "LLM")).toHaveLength(1);
  }, 60_000);
});

describe("the first model call of a process", () => {
  // the context manager used to be registered with the first span, i.e. inside the first model
  // call: the "a framework records this call" mark set just before it was lost, and the provider
  // integration recorded the same call in a trace of its own
  it.each([
    ["ESM, --import", ["--import", "@inference/tracing/register"], "app.mjs"],
    ["CommonJS, --require", ["--require", "@inference/tracing/register"], "app.cjs"],
  ])("%s: counted once, like every later call", async (_name, preload, file) => {
    const app = fixtureApp(`langchain-first-call/${file}`);
    const { spans, stdout } = await runBoth(preload, app, "", 2);
    expect(stdout).toBe("Echo: first\nEcho: second\n");
    expect(spans.map((s) => s.name).sort()).toEqual(["ChatOpenAI", "ChatOpenAI"]);
  }, 60_000);
});

describe("LangChain + LangGraph under Bun (bun --preload)", () => {
  it("same output, same tree", async () => {
    const app = path.join(ESM_APP, "app.js");
    const e = { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL, APP_SCENARIOS: "graph" };
    const plain = await run(BUN, [app], { cwd: APP_CWD, env: e, timeoutMs: 90_000 });
    expect(plain.code, plain.stderr).toBe(0);
    receiver.clear();
    const traced = await run(BUN, ["--preload", "@inference/tracing/register", app], { cwd: APP_CWD, env: env({ APP_SCENARIOS: "graph" }), timeoutMs: 90_000 });
    expect(traced.code, traced.stderr).toBe(0);
    expect(traced.stdout).toBe(plain.stdout);
    await receiver.waitForSpans((s) => s.some((x) => x.name === "weather_agent") && byKind(s, "LLM").length >= 2, 30_000);
    await new Promise((res) => setTimeout(res, 300));
    assertWeatherGraph(receiver.spans, "weather_agent", "thread-42");
  }, 120_000);
});

describe("LangGraph interrupts and setup() after require", () => {
  it("an interrupt ends the node and graph spans without ERROR; the resumed run is its own trace", async () => {
    const { spans, stdout } = await runBoth(["--require", "@inference/tracing/register"], path.join(CJS_APP, "app.cjs"), "interrupt", 2);
    expect(stdout).toContain("resumed: refund -> done");
    const graphs = spans.filter((s) => s.name === "approval_flow");
    expect(graphs).toHaveLength(2);
    for (const g of graphs) {
      expect(kindOf(g)).toBe("AGENT");
      expect(g.status.code).not.toBe(2);
      expect(g.attributes["session.id"]).toBe("approval-1");
    }
    const asks = spans.filter((s) => s.name === "ask_human");
    expect(asks.some((a) => a.events.some((e) => e.name === "langgraph.interrupt"))).toBe(true);
    expect(asks.every((a) => a.status.code !== 2)).toBe(true);
    expect(one(spans, (s) => s.name === "act", "act node").attributes["output.value"]).toContain("refund -> done");
  }, 60_000);

  it("setup() called after the app required LangChain (CommonJS) still traces it", async () => {
    receiver.clear();
    const r = await node([path.join(CJS_APP, "setup-after.cjs")], { cwd: APP_CWD, env: env(), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("setup-after: Echo: Tell me about otters");
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "RunnableSequence"), 20_000);
    const seq = one(spans, (s) => s.name === "RunnableSequence", "sequence");
    expect(childrenOf(spans, seq).map((c) => c.name).sort()).toEqual(["ChatOpenAI", "ChatPromptTemplate"]);
    expect(byKind(spans, "LLM")).toHaveLength(1);
  }, 60_000);
});

describe("LangGraph inside agentSpan (setup() from code)", () => {
  it("parents the graph under the agent span, carries identity, and nests manual spans under LangChain runs", async () => {
    receiver.clear();
    const r = await node([path.join(ESM_APP, "agent-span.js")], { cwd: APP_CWD, env: env(), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("agent: Echo: facts about otters");
    const spans = await receiver.waitForSpans((s) => s.some((x) => kindOf(x) === "AGENT" && x.name === "Researcher"), 20_000);
    const agent = one(spans, (s) => s.name === "Researcher", "agent span");
    const graph = one(spans, (s) => s.name === "LangGraph", "graph span");
    expect(graph.parentSpanId).toBe(agent.spanId);
    const node_ = one(spans, (s) => s.name === "research", "node");
    expect(node_.parentSpanId).toBe(graph.spanId);
    const chain = one(spans, (s) => s.name === "lookup_chain", "lambda");
    expect(chain.parentSpanId).toBe(node_.spanId);
    const manual = one(spans, (s) => s.name === "lookup", "manual span");
    expect(manual.parentSpanId).toBe(chain.spanId);
    const llm = one(byKind(spans, "LLM"), () => true, "LLM");
    expect(llm.parentSpanId).toBe(node_.spanId);
    for (const s of [graph, node_, chain, manual, llm]) {
      expect(s.traceId).toBe(agent.traceId);
      expect(s.attributes["agent.id"]).toBe("researcher-1");
      expect(s.attributes["user.id"]).toBe("user-9");
      expect(s.attributes["session.id"]).toBe("sess-7");
    }
  }, 60_000);
});
