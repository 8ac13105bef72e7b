/**
 * Zero-code: a user's AI SDK app (no tracing code, no telemetry settings) run as a real subprocess
 * through the doors, for every copy of `ai` under test (sdk-project.ts: the pinned 6.x, 7.x from the
 * `ai-v7` alias, or the one `npm run test:versions` points at) on every runtime that version supports.
 * Output must be identical with and without tracing; every model call the mock server answered
 * must be one LLM span.
 *  - AI SDK 7: traced through its registerTelemetry() in every module format, ESM mode and runtime.
 *  - AI SDK 6: ESM through import-in-the-middle (the automatic mode picks it for apps importing
 *    `ai`), CommonJS through the require hook's copy of the exports; under Bun (no loader hooks)
 *    only ToolLoopAgent runs, patched through the class.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// several real subprocesses per test, on a shared machine
vi.setConfig({ testTimeout: 240_000 });
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { besidesStartLine, run, type RunResult } from "../helpers/run";
import { runtimePath, type RuntimeName } from "../helpers/runtimes";
import { aliasProject, appFile, pointedAtOtherCopy, sdkTargets, type SdkTarget } from "../helpers/sdk-project";
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

const TARGETS = sdkTargets("ai", () => [aliasProject("ai-v7", { ai: "ai-v7", "@ai-sdk/openai": "@ai-sdk/openai-v4", zod: "zod" })]);
const MODEL_PATHS = new Set(["/v1/responses", "/v1/chat/completions"]);
let runs = 0;

const env = (extra: Record<string, string> = {}) => ({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL, ...extra });

interface TracedRun {
  result: RunResult;
  modelCalls: number;
  spans: () => ReceivedSpan[];
}

/** Run the app untraced once per target and file (its output is the reference). */
const plainOutputs = new Map<string, Promise<RunResult>>();
function plain(t: SdkTarget, runtime: RuntimeName, file: string): Promise<RunResult> {
  const key = `${t.label} ${file}`;
  if (!plainOutputs.has(key)) plainOutputs.set(key, run(runtimePath(runtime), [file], { cwd: path.dirname(file), timeoutMs: 120_000, env: env() }));
  return plainOutputs.get(key)!;
}

/** Run an app (its file last in `args`) through a door, its spans told apart by a service name of its own. */
async function traced(runtime: RuntimeName, args: string[], cwd: string, extra: Record<string, string> = {}): Promise<TracedRun> {
  const service = `ai-sdk-run-${++runs}`;
  const before = server.requests.length;
  const result = await run(runtimePath(runtime), args, {
    cwd,
    timeoutMs: 120_000,
    env: env({ CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_SERVICE_NAME: service, ...extra }),
  });
  const modelCalls = server.requests.slice(before).filter((r: any) => MODEL_PATHS.has(r.path)).length;
  return { result, modelCalls, spans: () => receiver.spans.filter((s) => s.resource["service.name"] === service) };
}

function traces(spans: ReceivedSpan[]): Map<string, ReceivedSpan[]> {
  const by = new Map<string, ReceivedSpan[]>();
  for (const s of spans) by.set(s.traceId, [...(by.get(s.traceId) ?? []), s]);
  return by;
}
const rootOf = (t: ReceivedSpan[]) => one(t, (s) => !s.parentSpanId, "root");

async function waitFor(r: TracedRun, done: (spans: ReceivedSpan[]) => boolean): Promise<ReceivedSpan[]> {
  await receiver.waitForSpans(() => done(r.spans()), 60_000);
  await new Promise((res) => setTimeout(res, 300)); // nothing more arrives
  return r.spans();
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
  expect(agents.map((t) => rootOf(t).name).sort()).toEqual(["ai.generateText", "ai.streamText"]);
}

/** Every model call of the fixture app (agent, plain calls, streams, objects, embeddings) as spans. */
async function expectEveryCallTraced(r: TracedRun) {
  expect(r.modelCalls).toBe(8); // agent 2 + agent stream 2 + stock 2 + stream 1 + object 1
  const spans = await waitFor(r, (s) => byKind(s, "LLM").length >= r.modelCalls && byKind(s, "EMBEDDING").length >= 2);
  expect(byKind(spans, "LLM")).toHaveLength(r.modelCalls);
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
  // the agent's stream (2 model calls) and streamText (1) stream; the rest generate
  const streamed = byKind(spans, "LLM").filter((s) => s.attributes["llm.streaming"] === true);
  expect(streamed.map((s) => s.name)).toEqual(Array(3).fill("ai.streamText.doStream"));
  for (const s of byKind(spans, "LLM")) expect(s.attributes["llm.provider"]).toBe("openai");
  expect(byKind(spans, "EMBEDDING").map((s) => s.attributes["embedding.model_name"])).toEqual(["text-embedding-3-small", "text-embedding-3-small"]);
}

/** The app's own output lines, whichever version printed them (AI SDK 7 words a tool's error differently). */
function expectAppOutput(stdout: string) {
  expect(stdout).toMatch(/^agent: Done: \{"orderId":"ABC-123","status":"shipped","total":42\.5\} steps: 2$/m);
  expect(stdout).toMatch(/^stream: Echo: Say hello$/m);
  expect(stdout).toMatch(/^object: \{"city":"sample city"\}$/m);
  expect(stdout).toMatch(/^embeddings: 8 2$/m);
}

const doorFor = (runtime: RuntimeName, format: "esm" | "cjs") => (runtime === "bun" ? "--preload" : format === "esm" ? "--import" : "--require");
/** The door's arguments and the app file, run from the app's folder. */
const through = (runtime: RuntimeName, format: "esm" | "cjs", file: string): [string[], string] => [[doorFor(runtime, format), "@inference/tracing/register", file], path.dirname(file)];

for (const t of TARGETS) {
  const esm = () => appFile(t, "ai-sdk-esm/app.js");
  const cjs = () => appFile(t, "ai-sdk-cjs/app.cjs");

  describe(`AI SDK zero-code, ${t.label}`, () => {
    for (const runtime of t.runtimes) {
      // AI SDK 6 under Bun: no loader hooks, so the ES module namespace keeps the SDK's own functions
      const onlyAgents = t.major < 7 && runtime === "bun";

      it(`${runtime}: ESM app through the door — ${onlyAgents ? "ToolLoopAgent runs" : "every call"} traced, output unchanged`, async () => {
        const reference = await plain(t, runtime, esm());
        expectAppOutput(reference.stdout);
        const r = await traced(runtime, ...through(runtime, "esm", esm()));
        expect(r.result.stdout).toBe(reference.stdout);
        expect(r.result.code).toBe(0);
        if (!onlyAgents) return expectEveryCallTraced(r);
        expectAgentTrees(await waitFor(r, (s) => byKind(s, "LLM").length >= 4));
        expect(traces(r.spans()).size).toBe(2);
      });

      // a CommonJS app of AI SDK 7 require()s its ES module build (Node 22+, Bun)
      it(`${runtime}: CommonJS app through the door — every call traced, output unchanged`, async () => {
        const reference = await plain(t, runtime, cjs());
        expectAppOutput(reference.stdout);
        const r = await traced(runtime, ...through(runtime, "cjs", cjs()), { CATALYST_DEBUG: "1" });
        expect(r.result.stdout).toBe(reference.stdout);
        expect(r.result.code).toBe(0);
        expect(r.result.stderr).toMatch(new RegExp(`patched ai@${t.version.replace(/\./g, "\\.")} \\((cjs|esm)\\)`));
        await expectEveryCallTraced(r);
      });
    }

    it.runIf(t.runtimes.length > 0)("keeps the output identical when our own code fails at every fault point", async () => {
      const runtime = t.runtimes[0]!;
      const reference = await plain(t, runtime, esm());
      const r = await traced(runtime, ...through(runtime, "esm", esm()), { CATALYST_TEST_FAULTS: "1" });
      expect(r.result.stdout).toBe(reference.stdout);
      expect(r.result.code).toBe(0);
    });

    if (t.major >= 7) {
      describe.runIf(t.runtimes.some((r) => r !== "bun"))("the app's own telemetry settings", () => {
        const runtime = t.runtimes.find((r) => r !== "bun")!;
        let r: TracedRun;
        let printed: Record<string, any>;
        const treeOf = (input: string) => {
          const call = one(r.spans(), (s) => s.name === "ai.generateText" && String(s.attributes["input.value"] ?? "").includes(input), input);
          return r.spans().filter((s) => s.traceId === call.traceId);
        };

        beforeAll(async () => {
          const file = appFile(t, "ai-sdk-v7-settings/app.mjs");
          r = await traced(runtime, ...through(runtime, "esm", file));
          expect(r.result.code).toBe(0);
          printed = Object.fromEntries(r.result.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((o) => [o.name, o]));
          // every model call but the untraced one and the one with its own integration
          await waitFor(r, (s) => byKind(s, "LLM").length >= r.modelCalls - 2);
        });

        it("a call inside agentSpan(): AGENT → CHAIN → LLM per step and TOOL, identity on all, runtime context the call let through as metadata", () => {
          const spans = r.spans().filter((s) => s.attributes["agent.id"] === "order-bot");
          const outer = one(spans, (s) => s.name === "Order Bot");
          const call = one(spans, (s) => s.name === "ai.generateText");
          expect(call.parentSpanId).toBe(outer.spanId);
          expect(kindOf(call)).toBe("CHAIN");
          const steps = byKind(spans, "LLM").sort((a, b) => a.startTimeMs - b.startTimeMs);
          const tool = one(spans, (s) => kindOf(s) === "TOOL");
          for (const s of [...steps, tool]) expect(s.parentSpanId).toBe(call.spanId);
          for (const s of [call, ...steps, tool]) expect(s.attributes).toMatchObject({ "agent.id": "order-bot", "session.id": "sess-9", "user.id": "u-9" });
          const metadata = JSON.parse(call.attributes["metadata"]);
          expect(metadata).toMatchObject({ tenant: "acme", conversation: "c-1", functionId: "order-lookup" });
          expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain("kept-out-of-telemetry");
          expect(steps[0]!.attributes).toMatchObject({
            "llm.model_name": "gpt-4o-mini-2024-07-18",
            "llm.provider": "openai",
            "llm.system": "openai",
            "llm.input_messages.0.message.role": "system",
            "llm.input_messages.0.message.content": "Use tools.",
            "llm.input_messages.1.message.role": "user",
            "llm.input_messages.1.message.content": "Where is order ABC-123?",
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup_order",
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"orderId":"ABC-123"}',
            "llm.finish_reason": "tool-calls",
            "llm.tools.0.tool.json_schema": expect.stringContaining("lookup_order"),
          });
          expect(JSON.parse(steps[0]!.attributes["llm.invocation_parameters"])).toMatchObject({ temperature: 0.2 });
          expect(steps[1]!.attributes).toMatchObject({
            "llm.input_messages.2.message.role": "assistant",
            "llm.input_messages.3.message.role": "tool",
            "llm.input_messages.3.message.content": '{"orderId":"ABC-123","status":"shipped"}',
            "llm.output_messages.0.message.content": printed.detailed.text,
            "output.value": printed.detailed.text,
            "llm.finish_reason": "stop",
          });
          // one token count per model call, equal to what the SDK reported per step; none on the call span
          expect(steps.map((s) => s.attributes["llm.token_count.prompt"])).toEqual(printed.detailed.steps.map((s: any) => s.input));
          expect(steps.map((s) => s.attributes["llm.token_count.completion"])).toEqual(printed.detailed.steps.map((s: any) => s.output));
          expect(steps.map((s) => s.attributes["llm.token_count.total"])).toEqual(printed.detailed.steps.map((s: any) => s.total));
          expect(call.attributes["llm.token_count.total"]).toBeUndefined();
          expect(tool.attributes).toMatchObject({ "tool.name": "lookup_order", "input.value": '{"orderId":"ABC-123"}', "output.value": '{"orderId":"ABC-123","status":"shipped"}' });
          expect(tool.attributes["tool_call.id"]).toBe(steps[0]!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
          expect(call.attributes["output.value"]).toBe(printed.detailed.text);
        });

        it("telemetry: { isEnabled: false } and a call's own integrations: nothing recorded by us", () => {
          expect(printed["disabled"].text).toBe("Echo: Untraced question");
          expect(printed["own-integration"].ownEvents).toBe(2);
          const inputs = JSON.stringify(r.spans().map((s) => s.attributes));
          expect(inputs).not.toContain("Untraced question");
          expect(inputs).not.toContain("Own integration question");
          expect(byKind(r.spans(), "LLM")).toHaveLength(r.modelCalls - 2);
        });

        it("recordInputs / recordOutputs: false — spans without the call's text", () => {
          const spans = r.spans().filter((s) => s.name === "ai.generateText" && s.attributes["input.value"] === undefined && !s.parentSpanId);
          expect(spans).toHaveLength(1);
          const tree = r.spans().filter((s) => s.traceId === spans[0]!.traceId);
          const llm = one(tree, (s) => kindOf(s) === "LLM");
          expect(llm.attributes["llm.token_count.total"]).toBe(printed.private.steps[0].total);
          expect(JSON.stringify(tree.map((s) => s.attributes))).not.toMatch(/Private question|Echo: Private/);
        });

        it("a tool that calls the model: its generateText nests under the TOOL span", () => {
          const tree = treeOf("Nested question");
          const tool = one(tree, (s) => kindOf(s) === "TOOL");
          const inner = one(tree, (s) => s.name === "ai.generateText" && s.parentSpanId === tool.spanId, "inner call");
          expect(kindOf(inner)).toBe("CHAIN");
          expect(childrenOf(tree, inner).map(kindOf)).toEqual(["LLM"]);
          expect(byKind(tree, "LLM")).toHaveLength(3);
        });
      });
    }

    // AI SDK 6's own shapes: the CommonJS exports copy, the eager ESM mode, setup() after require("ai")
    if (t.major === 6 && !pointedAtOtherCopy()) {
      const node20 = t.runtimes.find((r) => r === "node20");
      describe.runIf(node20)("AI SDK 6 specifics", () => {
        it("CommonJS: the handed-out exports look exactly like the SDK's (same keys, same classes, one object for every require)", async () => {
          const script = [
            'const a = require("ai"), b = require("ai");',
            "const d = (k) => { const x = Object.getOwnPropertyDescriptor(a, k); return [typeof a[k], x.enumerable, x.configurable].join(':'); };",
            'console.log(a === b, Object.keys(a).length, Object.keys(a).join(","), a.__esModule, Object.getPrototypeOf(a) === Object.getPrototypeOf(module.exports));',
            'console.log(d("generateText"), d("ToolLoopAgent"), a.generateText.name, a.generateText.length, typeof a.ToolLoopAgent.prototype.generate);',
          ].join("\n");
          const bare = await run(runtimePath("node20"), ["-e", script], { timeoutMs: 60_000, env: env() });
          const withUs = await run(runtimePath("node20"), ["--require", "@inference/tracing/register", "-e", script], { timeoutMs: 60_000, env: env() });
          expect(bare.code).toBe(0);
          expect(withUs.stdout).toBe(bare.stdout);
          expect(bare.stdout.split(" ")[0]).toBe("true");
        });

        it("ESM eager (CATALYST_ESM_MODE=eager): ToolLoopAgent runs traced, output unchanged", async () => {
          const reference = await plain(t, "node20", esm());
          const r = await traced("node20", ...through("node20", "esm", esm()), { CATALYST_ESM_MODE: "eager" });
          expect(r.result.stdout).toBe(reference.stdout);
          expectAgentTrees(await waitFor(r, (s) => byKind(s, "LLM").length >= 4));
          expect(traces(r.spans()).size).toBe(2);
        });

        it('CommonJS, setup() after require("ai"): later require("ai") calls get the traced exports', async () => {
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
          const r = await traced("node20", ["-e", script], path.dirname(cjs()));
          expect(besidesStartLine(r.result.stderr)).toBe("");
          expect(r.result.stdout).toBe("same object: false\nEcho: Say hello\n");
          const spans = await waitFor(r, (s) => byKind(s, "LLM").length >= 1);
          expect(spans.some((s) => s.attributes["llm.system"] !== undefined && kindOf(s) === "LLM")).toBe(true);
          expect(spans.some((s) => s.name === "ai.generateText")).toBe(true);
        });
      });
    }
  });
}
