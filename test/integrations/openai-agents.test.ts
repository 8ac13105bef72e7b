/**
 * OpenAI Agents SDK through setup({ modules }): the real @openai/agents (ESM build) against the
 * mock OpenAI server. Spans are read from the local JSONL sink (CATALYST_TRACES_FILE) of the built
 * package; the zero-code tests read them from the OTLP receiver. The openai integration is
 * active too, so every test also proves there is exactly one LLM span per model call.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byKind, childrenOf, kindOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let file: string;
let seen = 0;
let server: any;
let api: typeof import("../../src/index");
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let agents: typeof import("@openai/agents");
let OpenAI: typeof import("openai").default;
let z: typeof import("zod").z;
const sdkSeen: string[] = [];

beforeAll(async () => {
  server = await startMockOpenAI();
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "oa-agents-")), "spans.jsonl");
  process.env.CATALYST_TRACES_FILE = file;
  process.env.CATALYST_CONSOLE = "off";
  process.env.CATALYST_SERVICE_NAME = "openai-agents-test";
  // the built package, as apps load it (the zero-code tests use it too)
  api = (await import("../../dist/index.js")) as unknown as typeof import("../../src/index");
  agents = await import("@openai/agents");
  OpenAI = (await import("openai")).default;
  z = (await import("zod")).z;
  tracing = await api.setup({ batching: "simple", modules: { openai: OpenAI, openaiAgents: agents } });
  // vitest sets NODE_ENV=test, which turns the SDK's tracing off by default
  agents.setTracingDisabled(false);
  agents.setDefaultOpenAIClient(new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL }));
  // the app turns off the SDK's export to OpenAI and adds a processor of its own: ours must stay
  agents.setTraceProcessors([
    {
      onTraceStart: async () => {},
      onTraceEnd: async () => {},
      onSpanStart: async () => {},
      onSpanEnd: async (s: any) => void sdkSeen.push(s.spanData.type),
      shutdown: async () => {},
      forceFlush: async () => {},
    },
  ]);
});
afterAll(async () => {
  await tracing?.shutdown();
  await server?.close();
});

function readSpans(): ReceivedSpan[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}
/** Spans written since the last call (one scenario's worth). */
function clearSpans(): void {
  seen = readSpans().length;
}

function requestsSince(n: number, path = "/v1/responses") {
  return server.requests.slice(n).filter((r: any) => r.path === path);
}
/** Spans of one trace, after the trace's root (no parent, or the given parent) has arrived. */
async function treeOf(rootName: string, count: number): Promise<ReceivedSpan[]> {
  await tracing.forceFlush();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const spans = readSpans().slice(seen);
    if (spans.some((x) => x.name === rootName) && spans.length >= count) {
      const root = spans.find((x) => x.name === rootName)!;
      return spans.filter((s) => s.traceId === root.traceId);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${rootName}: ${spans.map((s) => s.name).join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
function expectOneLLMPerRequest(spans: ReceivedSpan[], requests: any[]) {
  const llm = byKind(spans, "LLM");
  expect(llm).toHaveLength(requests.length);
  expect(spans.filter((s) => s.name.startsWith("OpenAI "))).toHaveLength(0); // no provider-level double
  for (const s of llm) expect(s.attributes["llm.token_count.total"]).toBeGreaterThan(0);
}

describe("OpenAI Agents: runs become one OpenInference tree", () => {
  it("nests the SDK run under agentSpan with agent, LLM and tool spans, and tool code under the TOOL span", async () => {
    clearSpans();
    const before = server.requests.length;
    const lookupOrder = agents.tool({
      name: "lookup_order",
      description: "Look up an order by ID.",
      parameters: z.object({ orderId: z.string() }),
      execute: async ({ orderId }) =>
        api.manualSpan({ spanName: "order_db.query", spanKind: api.SpanKindValues.RETRIEVER }, async () =>
          JSON.stringify({ orderId, status: "shipped", total: 42.5 }),
        ),
    });
    const support = new agents.Agent({ name: "SupportAgent", instructions: "Use tools.", tools: [lookupOrder], model: "gpt-4o-mini" });
    let rawTotals: number[] = [];
    const out = await api.agentSpan(
      { agentId: "support-agent", agentName: "Support Agent", spanName: "support-agent.run", sessionId: "conv-1", userId: "u-1" },
      async (span) => {
        const r = await agents.run(support, "Where is order ABC-123?", { maxTurns: 4 });
        span.setOutput(String(r.finalOutput));
        rawTotals = r.rawResponses.map((x: any) => x.usage.totalTokens);
        return r.finalOutput;
      },
    );
    expect(out).toBe('Done: {"orderId":"ABC-123","status":"shipped","total":42.5}');

    const spans = await treeOf("support-agent.run", 7);
    const outer = one(spans, (s) => s.name === "support-agent.run");
    const workflow = one(spans, (s) => s.name === "Agent workflow");
    const agent = one(spans, (s) => s.name === "SupportAgent");
    const tool = one(spans, (s) => s.name === "lookup_order");
    const inner = one(spans, (s) => s.name === "order_db.query");
    expect(outer.parentSpanId).toBeUndefined();
    expect(workflow.parentSpanId).toBe(outer.spanId);
    expect(kindOf(workflow)).toBe("CHAIN");
    expect(agent.parentSpanId).toBe(workflow.spanId);
    expect(kindOf(agent)).toBe("AGENT");
    expect(agent.attributes).toMatchObject({ "agent.name": "SupportAgent", "agent.id": "support-agent", "session.id": "conv-1", "user.id": "u-1" });
    const kids = childrenOf(spans, agent);
    expect(kids.map(kindOf).sort()).toEqual(["LLM", "LLM", "TOOL"]);
    expect(tool.parentSpanId).toBe(agent.spanId);
    expect(tool.attributes).toMatchObject({
      "openinference.span.kind": "TOOL",
      "tool.name": "lookup_order",
      "input.value": '{"orderId":"ABC-123"}',
      "output.value": '{"orderId":"ABC-123","status":"shipped","total":42.5}',
      "agent.id": "support-agent",
    });
    expect(inner.parentSpanId).toBe(tool.spanId); // tool code runs in the TOOL span's context
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);

    const reqs = requestsSince(before);
    expectOneLLMPerRequest(spans, reqs);
    const [first, second] = byKind(spans, "LLM").sort((a, b) => (a.attributes["llm.response.id"] < b.attributes["llm.response.id"] ? -1 : 1));
    expect(first!.attributes).toMatchObject({
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.provider": "openai",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "Use tools.",
      "llm.input_messages.1.message.role": "user",
      "llm.input_messages.1.message.content": "Where is order ABC-123?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "lookup_order",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"orderId":"ABC-123"}',
      "llm.tools.0.tool.json_schema": expect.stringContaining("lookup_order"),
      "agent.name": "SupportAgent",
    });
    expect(second!.attributes).toMatchObject({
      "llm.input_messages.3.message.role": "tool",
      "llm.input_messages.3.message.tool_call_id": first!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"],
      "llm.output_messages.0.message.content": 'Done: {"orderId":"ABC-123","status":"shipped","total":42.5}',
      "output.value": 'Done: {"orderId":"ABC-123","status":"shipped","total":42.5}',
    });
    expect(reqs).toHaveLength(2);
    // token counts: one per model call, the very numbers the SDK got back
    expect([first!, second!].map((s) => s.attributes["llm.token_count.total"])).toEqual(rawTotals);
    expect(byKind(spans, "AGENT").concat(byKind(spans, "CHAIN"), byKind(spans, "TOOL")).every((s) => s.attributes["llm.token_count.total"] === undefined)).toBe(true);
    for (const s of spans) expect(s.status.code).not.toBe(2);
    // the app's own processor still gets the SDK's spans
    expect(sdkSeen).toContain("function");
  });

  it("keeps concurrent runs in their own trees (each under its own agentSpan)", async () => {
    clearSpans();
    const mk = (name: string) =>
      new agents.Agent({
        name,
        instructions: "Use tools.",
        model: "gpt-4o-mini",
        tools: [
          agents.tool({
            name: `tool_${name}`,
            description: "Look up.",
            parameters: z.object({ orderId: z.string() }),
            execute: async ({ orderId }) => {
              await new Promise((r) => setTimeout(r, 20));
              return api.manualSpan({ spanName: `inner_${name}` }, async () => `${name}:${orderId}`);
            },
          }),
        ],
      });
    const runOne = (name: string) => api.agentSpan({ agentId: `id-${name}`, spanName: `outer_${name}` }, () => agents.run(mk(name), `hi ${name}`));
    const [x, y] = await Promise.all([runOne("Alpha"), runOne("Beta")]);
    expect(x.finalOutput).toBe("Done: Alpha:ABC-123");
    expect(y.finalOutput).toBe("Done: Beta:ABC-123");
    await treeOf("outer_Alpha", 7);
    const spans = await treeOf("outer_Beta", 7);
    for (const name of ["Alpha", "Beta"]) {
      const all = readSpans().slice(seen);
      const outer = one(all, (s) => s.name === `outer_${name}`);
      const tree = all.filter((s) => s.traceId === outer.traceId);
      expect(tree).toHaveLength(7);
      const agent = one(tree, (s) => s.name === name);
      const tool = one(tree, (s) => s.name === `tool_${name}`);
      expect(tool.parentSpanId).toBe(agent.spanId);
      expect(one(tree, (s) => s.name === `inner_${name}`).parentSpanId).toBe(tool.spanId);
      for (const s of tree) expect(s.attributes["agent.id"]).toBe(`id-${name}`);
    }
    expect(spans.length).toBe(7);
  });

  it("the openai integration is active: a direct model call outside the SDK gets its own LLM span", async () => {
    clearSpans();
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL });
    const r = await client.responses.create({ model: "gpt-4o-mini", input: "direct" });
    expect(r.output_text).toBe("Echo: direct");
    await tracing.forceFlush();
    const deadline = Date.now() + 10_000;
    let spans = readSpans().slice(seen);
    while (spans.length === 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      spans = readSpans().slice(seen);
    }
    // so the absence of provider spans inside agent runs is the dedupe at work
    expect(spans.map(kindOf)).toEqual(["LLM"]);
    expect(spans[0]!.attributes["openai_agents.span_type"]).toBeUndefined();
  });

  it("maps the SDK's custom spans (withCustomSpan inside a tool) to CHAIN spans under the TOOL", async () => {
    clearSpans();
    const t = agents.tool({
      name: "enrich",
      description: "Enrich.",
      parameters: z.object({ orderId: z.string() }),
      execute: async ({ orderId }) =>
        agents.withCustomSpan(async () => `enriched ${orderId}`, { data: { name: "crm.lookup", data: { source: "crm" } } }),
    });
    const a = new agents.Agent({ name: "CustomAgent", instructions: "Use tools.", tools: [t], model: "gpt-4o-mini" });
    const r = await agents.run(a, "enrich ABC-123");
    expect(r.finalOutput).toBe("Done: enriched ABC-123");
    const spans = await treeOf("Agent workflow", 6);
    const custom = one(spans, (s) => s.name === "crm.lookup");
    expect(kindOf(custom)).toBe("CHAIN");
    expect(custom.parentSpanId).toBe(one(spans, (s) => s.name === "enrich").spanId);
    expect(custom.attributes["input.value"]).toBe('{"source":"crm"}');
  });

  it("records a handoff as a CHAIN naming both agents, with both agents under one workflow", async () => {
    clearSpans();
    const before = server.requests.length;
    const refunds = new agents.Agent({ name: "RefundsAgent", instructions: "Handle refunds.", model: "gpt-4o-mini" });
    const triage = new agents.Agent({ name: "TriageAgent", instructions: "Route.", handoffs: [refunds], model: "gpt-4o-mini" });
    const r = await agents.run(triage, "refund please", { maxTurns: 4 });
    expect(r.lastAgent?.name).toBe("RefundsAgent");
    const spans = await treeOf("Agent workflow", 6);
    const workflow = one(spans, (s) => s.name === "Agent workflow");
    expect(workflow.parentSpanId).toBeUndefined();
    const triageSpan = one(spans, (s) => s.name === "TriageAgent");
    const refundsSpan = one(spans, (s) => s.name === "RefundsAgent");
    expect(triageSpan.parentSpanId).toBe(workflow.spanId);
    expect(refundsSpan.parentSpanId).toBe(workflow.spanId);
    const handoff = one(spans, (s) => s.name === "handoff TriageAgent -> RefundsAgent");
    expect(kindOf(handoff)).toBe("CHAIN");
    expect(handoff.parentSpanId).toBe(triageSpan.spanId);
    expect(handoff.attributes).toMatchObject({ "openai_agents.handoff.from_agent": "TriageAgent", "openai_agents.handoff.to_agent": "RefundsAgent" });
    expect(childrenOf(spans, refundsSpan).map(kindOf)).toEqual(["LLM"]);
    expectOneLLMPerRequest(spans, requestsSince(before));
  });

  it("traces a streamed run, ending spans when the stream is consumed", async () => {
    clearSpans();
    const before = server.requests.length;
    const lookup = agents.tool({ name: "lookup_order", description: "Look up.", parameters: z.object({ orderId: z.string() }), execute: async ({ orderId }) => `order ${orderId} shipped` });
    const a = new agents.Agent({ name: "StreamingAgent", instructions: "Use tools.", tools: [lookup], model: "gpt-4o-mini" });
    const stream = await agents.run(a, "status?", { stream: true });
    let text = "";
    for await (const ev of stream.toTextStream()) text += ev;
    await stream.completed;
    expect(text).toBe("Done: order ABC-123 shipped");
    expect(requestsSince(before).every((r: any) => r.body.stream === true)).toBe(true);
    const spans = await treeOf("Agent workflow", 5);
    const agent = one(spans, (s) => s.name === "StreamingAgent");
    expect(childrenOf(spans, agent).map(kindOf).sort()).toEqual(["LLM", "LLM", "TOOL"]);
    const llm = byKind(spans, "LLM");
    expect(llm.some((s) => s.attributes["llm.output_messages.0.message.content"] === "Done: order ABC-123 shipped")).toBe(true);
    expectOneLLMPerRequest(spans, requestsSince(before));
  });

  it("marks a tool that throws as an ERROR TOOL span while the run carries on", async () => {
    clearSpans();
    const boom = agents.tool({
      name: "check_inventory",
      description: "Check stock.",
      parameters: z.object({ sku: z.string() }),
      execute: async () => {
        throw new Error("inventory service unavailable");
      },
    });
    const a = new agents.Agent({ name: "StockAgent", instructions: "Check stock.", tools: [boom], model: "gpt-4o-mini" });
    const r = await agents.run(a, "Is SKU-1 in stock?");
    expect(String(r.finalOutput)).toMatch(/^Done: /);
    const spans = await treeOf("Agent workflow", 5);
    const tool = one(spans, (s) => s.name === "check_inventory");
    expect(kindOf(tool)).toBe("TOOL");
    expect(tool.status.code).toBe(2);
    expect(tool.events.map((e) => e.name)).toContain("exception");
    expect(one(spans, (s) => s.name === "StockAgent").status.code).toBe(1);
  });

  it("records guardrails with their outcome, and ends the workflow span when a tripwire fails the run", async () => {
    clearSpans();
    const a = new agents.Agent({
      name: "GuardedAgent",
      instructions: "Be polite.",
      model: "gpt-4o-mini",
      inputGuardrails: [{ name: "no_secrets", execute: async ({ input }: any) => ({ outputInfo: {}, tripwireTriggered: String(JSON.stringify(input)).includes("password") }) }],
    });
    await expect(agents.run(a, "my password is hunter2")).rejects.toBeInstanceOf(agents.InputGuardrailTripwireTriggered);
    const spans = await treeOf("Agent workflow", 3);
    const workflow = one(spans, (s) => s.name === "Agent workflow");
    const guard = one(spans, (s) => s.name === "no_secrets");
    expect(kindOf(guard)).toBe("GUARDRAIL");
    expect(guard.attributes["guardrail.triggered"]).toBe(true);
    expect(workflow.status.code).toBe(2);
    expect(one(spans, (s) => s.name === "GuardedAgent").status.code).toBe(2);
  });

  it("maps the chat-completions model's generation spans to LLM spans, still one per call", async () => {
    clearSpans();
    const before = server.requests.length;
    const client = new OpenAI({ apiKey: "sk-test", baseURL: server.baseURL });
    const model = new agents.OpenAIChatCompletionsModel(client as any, "gpt-4o-mini");
    const lookup = agents.tool({ name: "lookup_order", description: "Look up.", parameters: z.object({ orderId: z.string() }), execute: async ({ orderId }) => `order ${orderId} shipped` });
    const a = new agents.Agent({ name: "ChatAgent", instructions: "Use tools.", tools: [lookup], model });
    const r = await agents.run(a, "status of ABC-123?");
    expect(r.finalOutput).toBe("Done: order ABC-123 shipped");
    const spans = await treeOf("Agent workflow", 5);
    const reqs = requestsSince(before, "/v1/chat/completions");
    expect(reqs).toHaveLength(2);
    expectOneLLMPerRequest(spans, reqs);
    const llm = byKind(spans, "LLM");
    const last = llm.find((s) => s.attributes["llm.output_messages.0.message.content"] === "Done: order ABC-123 shipped")!;
    expect(last.attributes).toMatchObject({
      "llm.model_name": "gpt-4o-mini-2024-07-18",
      "llm.finish_reason": "stop",
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "lookup_order",
      "llm.input_messages.3.message.role": "tool",
    });
    expect(last.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
  });
});
