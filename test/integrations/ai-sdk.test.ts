/**
 * Vercel AI SDK (ai@6) with the real @ai-sdk/openai provider against the mock OpenAI server.
 * The SDK's native spans get OpenInference attributes; spans are read from the built package's
 * local JSONL sink (the zero-code tests read them from the OTLP receiver).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byKind, childrenOf, kindOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

type AiSdkModule = typeof import("../../src/subpaths/ai-sdk");
let server: any;
let file: string;
let seen = 0;
let api: typeof import("../../src/index");
let aiSdk: AiSdkModule;
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let ai: typeof import("ai");
let aiCopy: typeof import("ai");
let openai: ReturnType<typeof import("@ai-sdk/openai").createOpenAI>;
let z: typeof import("zod").z;

beforeAll(async () => {
  server = await startMockOpenAI();
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ai-sdk-")), "spans.jsonl");
  process.env.CATALYST_TRACES_FILE = file;
  process.env.CATALYST_CONSOLE = "off";
  api = (await import("../../dist/index.js")) as unknown as typeof import("../../src/index");
  aiSdk = (await import("../../dist/subpaths/ai-sdk.js")) as unknown as AiSdkModule;
  ai = await import("ai");
  // a plain object holding the SDK's functions: what setup({ modules }) can wrap in place
  aiCopy = { ...ai };
  const { createOpenAI } = await import("@ai-sdk/openai");
  openai = createOpenAI({ baseURL: server.baseURL, apiKey: "sk-test" });
  z = (await import("zod")).z;
  tracing = await api.setup({ batching: "simple", modules: { aiSdk: aiCopy } });
});
afterAll(async () => {
  await tracing?.shutdown();
  await server?.close();
});

function readSpans(): ReceivedSpan[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
function clearSpans(): void {
  seen = readSpans().length;
}
async function treeOf(rootName: string, count: number): Promise<ReceivedSpan[]> {
  await tracing.forceFlush();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = readSpans().slice(seen);
    const root = spans.find((x) => x.name === rootName);
    if (root && spans.filter((s) => s.traceId === root.traceId).length >= count) return spans.filter((s) => s.traceId === root.traceId);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${rootName}: ${spans.map((s) => s.name).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const lookupTool = () =>
  ai.tool({
    description: "Look up an order by ID.",
    inputSchema: z.object({ orderId: z.string() }),
    execute: async ({ orderId }) => ({ orderId, status: "shipped" }),
  });

describe("Vercel AI SDK: native spans mapped to OpenInference", () => {
  it("maps a multi-step tool loop inside agentSpan: CHAIN call, LLM per step, TOOL per call, identity on all", async () => {
    clearSpans();
    const result = await api.agentSpan({ agentId: "order-bot", agentName: "Order Bot", sessionId: "sess-9", userId: "u-9", metadata: { tier: "gold" } }, () =>
      ai.generateText({
        model: openai("gpt-4o-mini"),
        system: "Use tools.",
        prompt: "Where is order ABC-123?",
        tools: { lookup_order: lookupTool() },
        stopWhen: ai.stepCountIs(3),
        experimental_telemetry: aiSdk.createAISdkTelemetrySettings(undefined, { functionId: "order-lookup", metadata: { feature: "orders" } }),
      }),
    );
    expect(result.text).toBe('Done: {"orderId":"ABC-123","status":"shipped"}');
    const spans = await treeOf("Order Bot", 5);
    const outer = one(spans, (s) => s.name === "Order Bot");
    const call = one(spans, (s) => s.name === "ai.generateText");
    expect(call.parentSpanId).toBe(outer.spanId);
    expect(kindOf(call)).toBe("CHAIN");
    const steps = byKind(spans, "LLM").sort((a, b) => a.startTimeMs - b.startTimeMs);
    const tool = one(spans, (s) => kindOf(s) === "TOOL");
    expect(steps).toHaveLength(2);
    for (const s of [...steps, tool]) expect(s.parentSpanId).toBe(call.spanId);
    expect(childrenOf(spans, call)).toHaveLength(3);
    for (const s of [call, ...steps, tool]) {
      expect(s.attributes).toMatchObject({ "agent.id": "order-bot", "session.id": "sess-9", "user.id": "u-9" });
    }
    // the native attributes stay
    expect(steps[0]!.attributes["ai.model.provider"]).toBe("openai.responses");
    expect(steps[0]!.attributes).toMatchObject({
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.provider": "openai",
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
    expect(steps[1]!.attributes).toMatchObject({
      "llm.input_messages.2.message.role": "assistant",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "lookup_order",
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.content": '{"orderId":"ABC-123","status":"shipped"}',
      "llm.output_messages.0.message.content": 'Done: {"orderId":"ABC-123","status":"shipped"}',
      "llm.finish_reason": "stop",
      "output.value": 'Done: {"orderId":"ABC-123","status":"shipped"}',
    });
    // one token count per model call, equal to what the SDK reports per step; none on the call span
    expect(steps.map((s) => s.attributes["llm.token_count.total"])).toEqual(result.steps.map((s) => s.usage.totalTokens));
    expect(steps.map((s) => s.attributes["llm.token_count.prompt"])).toEqual(result.steps.map((s) => s.usage.inputTokens));
    expect(steps[0]!.attributes["llm.token_count.prompt_details.cache_read"]).toBe(0);
    expect(call.attributes["llm.token_count.total"]).toBeUndefined();
    expect(tool.attributes).toMatchObject({
      "tool.name": "lookup_order",
      "input.value": '{"orderId":"ABC-123"}',
      "output.value": '{"orderId":"ABC-123","status":"shipped"}',
    });
    expect(tool.attributes["tool_call.id"]).toBe(steps[0]!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
    // the call's own metadata joins, identity metadata from agentSpan wins where both exist
    expect(call.attributes["ai.telemetry.functionId"]).toBe("order-lookup");
    expect(JSON.parse(call.attributes["input.value"])).toEqual({ system: "Use tools.", prompt: "Where is order ABC-123?" });
    expect(call.attributes["output.value"]).toBe(result.text);
  });

  it("maps streamText steps (streaming LLM spans) and a tool that throws", async () => {
    clearSpans();
    const broken = ai.tool({
      description: "Check stock.",
      inputSchema: z.object({ sku: z.string() }),
      execute: async () => {
        throw new Error("inventory service unavailable");
      },
    });
    const res = ai.streamText({
      model: openai.chat("gpt-4o-mini"),
      prompt: "Is SKU-1 in stock?",
      tools: { check_inventory: broken },
      stopWhen: ai.stepCountIs(3),
      experimental_telemetry: aiSdk.createAISdkTelemetrySettings(),
    });
    let text = "";
    for await (const t of res.textStream) text += t;
    expect(text).toBe("Done: inventory service unavailable");
    const spans = await treeOf("ai.streamText", 4);
    const llm = byKind(spans, "LLM");
    expect(llm).toHaveLength(2);
    for (const s of llm) {
      expect(s.name).toBe("ai.streamText.doStream");
      expect(s.attributes["llm.streaming"]).toBe(true);
      expect(s.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    }
    const tool = one(spans, (s) => kindOf(s) === "TOOL");
    expect(tool.attributes["tool.name"]).toBe("check_inventory");
    expect(tool.status.code).toBe(2);
    expect(tool.events.map((e) => e.name)).toContain("exception");
  });

  it("maps generateObject, embed and embedMany (EMBEDDING spans with their texts)", async () => {
    clearSpans();
    const o = await ai.generateObject({ model: openai.chat("gpt-4o-mini"), schema: z.object({ city: z.string() }), prompt: "Pick a city", experimental_telemetry: aiSdk.createAISdkTelemetrySettings() });
    expect(o.object).toEqual({ city: "sample city" });
    const e = await ai.embedMany({ model: openai.embedding("text-embedding-3-small"), values: ["alpha", "beta"], experimental_telemetry: aiSdk.createAISdkTelemetrySettings() });
    expect(e.embeddings).toHaveLength(2);
    const objSpans = await treeOf("ai.generateObject", 2);
    const step = one(objSpans, (s) => kindOf(s) === "LLM");
    expect(step.attributes).toMatchObject({ "llm.output_messages.0.message.content": '{"city":"sample city"}', "llm.token_count.prompt": expect.any(Number) });
    const embSpans = await treeOf("ai.embedMany", 2);
    const emb = one(embSpans, (s) => kindOf(s) === "EMBEDDING");
    expect(emb.attributes).toMatchObject({
      "embedding.model_name": "text-embedding-3-small",
      "embedding.embeddings.0.embedding.text": "alpha",
      "embedding.embeddings.1.embedding.text": "beta",
    });
    expect(kindOf(one(embSpans, (s) => s.name === "ai.embedMany"))).toBe("CHAIN");
  });

  it("enables telemetry by default where the SDK's functions can be wrapped, never over the caller's own settings", async () => {
    clearSpans();
    const r = await aiCopy.generateText({ model: openai.chat("gpt-4o-mini"), prompt: "default on" });
    expect(r.text).toBe("Echo: default on");
    const spans = await treeOf("ai.generateText", 2);
    expect(byKind(spans, "LLM")).toHaveLength(1);

    // the caller said no: nothing recorded
    clearSpans();
    const off = await aiCopy.generateText({ model: openai.chat("gpt-4o-mini"), prompt: "telemetry off", experimental_telemetry: { isEnabled: false } });
    expect(off.text).toBe("Echo: telemetry off");
    // the caller's own tracer gets the spans, ours does not
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
    const mem = new InMemorySpanExporter();
    const theirs = new BasicTracerProvider({ spanProcessors: [new aiSdk.AISdkSpanProcessor(), new SimpleSpanProcessor(mem)] });
    const own = await aiCopy.generateText({ model: openai.chat("gpt-4o-mini"), prompt: "own tracer", experimental_telemetry: { isEnabled: true, tracer: theirs.getTracer("app") } });
    expect(own.text).toBe("Echo: own tracer");
    await tracing.forceFlush();
    await new Promise((r) => setTimeout(r, 200));
    expect(readSpans().slice(seen)).toHaveLength(0);
    // their spans were mapped by the export-time processor, which edits attributes in place
    const names = mem.getFinishedSpans().map((s) => s.name);
    expect(names).toEqual(["ai.generateText.doGenerate", "ai.generateText"]);
    const step = mem.getFinishedSpans()[0]!;
    expect(step.attributes).toMatchObject({ "openinference.span.kind": "LLM", "llm.provider": "openai", "llm.input_messages.0.message.content": "own tracer" });
  });

  it("a caller's own `experimental_telemetry: { isEnabled: true }` records through our provider; the export transform maps those spans", async () => {
    clearSpans();
    const r = await api.agentSpan({ agentId: "own-settings" }, () =>
      ai.generateText({ model: openai.chat("gpt-4o-mini"), prompt: "own settings", experimental_telemetry: { isEnabled: true, functionId: "mine" } }),
    );
    expect(r.text).toBe("Echo: own settings");
    const spans = await treeOf("own-settings", 3);
    const step = one(spans, (s) => s.name === "ai.generateText.doGenerate");
    expect(step.attributes["ai.telemetry.functionId"]).toBe("mine"); // the caller's settings were kept
    expect(step.attributes["agent.id"]).toBe("own-settings");
    // what the pipeline's framework-mapper slot does with it (src/export/pipeline.ts exportTransforms)
    const { aiSdkAttributeTransform } = (await import("../../dist/integrations/ai-sdk/transform.js")) as typeof import("../../src/integrations/ai-sdk/transform");
    const attrs = { ...step.attributes };
    aiSdkAttributeTransform(attrs, { name: step.name } as any);
    expect(attrs).toMatchObject({
      "openinference.span.kind": "LLM",
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.input_messages.0.message.content": "own settings",
      "llm.output_messages.0.message.content": "Echo: own settings",
      "llm.token_count.total": r.usage.totalTokens,
      "agent.id": "own-settings",
    });
    const untouched = { "http.method": "GET" };
    aiSdkAttributeTransform(untouched, { name: "GET /" } as any);
    expect(untouched).toEqual({ "http.method": "GET" });
  });

  it("traces a ToolLoopAgent run as an AGENT with its steps and tools", async () => {
    clearSpans();
    const agent = new ai.ToolLoopAgent({ id: "support-agent", model: openai("gpt-4o-mini"), instructions: "Use tools.", tools: { lookup_order: lookupTool() } });
    const r = await agent.generate({ prompt: "Where is ABC-123?" });
    expect(r.text).toBe('Done: {"orderId":"ABC-123","status":"shipped"}');
    const spans = await treeOf("ai.generateText", 4);
    const root = one(spans, (s) => s.name === "ai.generateText");
    expect(kindOf(root)).toBe("AGENT");
    expect(root.attributes["agent.name"]).toBe("support-agent");
    expect(childrenOf(spans, root).map(kindOf).sort()).toEqual(["LLM", "LLM", "TOOL"]);
    expect(spans.filter((s) => s.name.startsWith("OpenAI "))).toHaveLength(0);
  });
});
