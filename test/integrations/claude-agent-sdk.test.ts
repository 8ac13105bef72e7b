/**
 * Claude Agent SDK, in process: the real SDK drives its real CLI (the platform binary), which
 * calls the mock Anthropic server through ANTHROPIC_BASE_URL; spans come back through the real
 * OTLP receiver. The module is an ESM namespace here (read-only), so the explicit
 * wrapClaudeAgentSdkQuery() path is the one under test; the zero-code path is in
 * claude-agent-sdk-zero-code.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
import { scriptAgentToolCall } from "./claude-agent-sdk-helpers";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

let receiver: Receiver;
let mock: any;
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let api: typeof import("../../src/index");
let sdk: typeof import("@anthropic-ai/claude-agent-sdk");
let z: typeof import("zod").z;
let configDir: string;
let otel: typeof import("@opentelemetry/api");
/** The active span id seen inside each in-process MCP tool handler call. */
const handlerSpanIds: (string | undefined)[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockAnthropic();
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), "cas-test-"));
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  api = await import("../../src/index");
  tracing = await api.setup({ batching: "simple" });
  sdk = await import("@anthropic-ai/claude-agent-sdk");
  z = (await import("zod")).z;
  otel = await import("@opentelemetry/api");
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
  await mock.close();
  fs.rmSync(configDir, { recursive: true, force: true });
});

function baseOptions(extra: Record<string, unknown> = {}) {
  const weather = sdk.tool("get_weather", "Get the weather for a city", { city: z.string() }, async (a: { city: string }) => {
    handlerSpanIds.push(otel.trace.getActiveSpan()?.spanContext().spanId);
    return { content: [{ type: "text" as const, text: `Sunny in ${a.city}` }] };
  });
  return {
    model: "claude-sonnet-4-5",
    tools: [],
    mcpServers: { wx: sdk.createSdkMcpServer({ name: "wx", version: "1.0.0", tools: [weather] }) },
    allowedTools: ["mcp__wx__get_weather"],
    persistSession: false,
    env: {
      ...process.env,
      NODE_OPTIONS: "",
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: "sk-test",
      CLAUDE_CONFIG_DIR: configDir,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    },
    ...extra,
  } as any;
}

async function spansOfTrace(agentPred: (s: ReceivedSpan) => boolean) {
  await tracing.forceFlush();
  const all = await receiver.waitForSpans((s) => s.some((x) => x.name === "claude_agent_sdk.query" && agentPred(x)), 15000);
  const agent = one(all, (s) => s.name === "claude_agent_sdk.query" && agentPred(s), "agent span");
  return { agent, spans: all.filter((s) => s.traceId === agent.traceId) };
}

describe("Claude Agent SDK via wrapClaudeAgentSdkQuery", () => {
  it("traces a tool-using run: AGENT > LLM per turn + TOOL per tool_use, usage once per turn, cost, session", async () => {
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    expect(query.name).toBe(sdk.query.name);
    const q = query({ prompt: "What's the weather in Paris?", options: baseOptions() });
    // the SDK's own object, with every method still there
    const proto = Object.getPrototypeOf(q);
    for (const m of ["interrupt", "setModel", "setPermissionMode", "supportedModels", "mcpServerStatus", "streamInput"]) {
      expect(typeof (q as any)[m]).toBe("function");
      expect((q as any)[m]).toBe(proto[m]);
    }
    const messages: any[] = [];
    for await (const m of q) messages.push(m);
    const result = messages.find((m) => m.type === "result");
    expect(result.subtype).toBe("success");

    const { agent, spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    expect(agent.attributes).toMatchObject({
      "openinference.span.kind": "AGENT",
      "session.id": result.session_id,
      "llm.cost.total": result.total_cost_usd,
      "claude_agent_sdk.num_turns": result.num_turns,
      "claude_agent_sdk.result.subtype": "success",
      "input.value": "What's the weather in Paris?",
      "output.value": result.result,
      "agent.llm_call_count": 2,
      "agent.tool_call_count": 1,
    });
    expect(agent.status.code).toBe(1);

    const llms = byKind(spans, "LLM");
    const tools = byKind(spans, "TOOL");
    expect(llms).toHaveLength(2);
    expect(tools).toHaveLength(1);
    for (const s of [...llms, ...tools]) expect(s.parentSpanId).toBe(agent.spanId);

    // usage: the SDK repeats each API message once per content block; count it once per message id
    const assistantById = new Map<string, any>();
    for (const m of messages) if (m.type === "assistant") assistantById.set(m.message.id, m.message.usage);
    expect(assistantById.size).toBe(2);
    expect(messages.filter((m) => m.type === "assistant").length).toBeGreaterThan(2);
    const promptSum = llms.reduce((n, s) => n + s.attributes["llm.token_count.prompt"], 0);
    const expectedPrompt = [...assistantById.values()].reduce((n, u) => n + u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens, 0);
    expect(promptSum).toBe(expectedPrompt);
    expect(promptSum).toBe(result.usage.input_tokens + result.usage.cache_read_input_tokens + result.usage.cache_creation_input_tokens);
    const first = llms.find((s) => s.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"])!;
    expect(first.attributes).toMatchObject({
      "llm.model_name": "claude-sonnet-4-5",
      "llm.token_count.prompt_details.cache_read": 50,
      "llm.token_count.prompt_details.cache_write": 100,
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "What's the weather in Paris?",
      "llm.output_messages.0.message.role": "assistant",
      "llm.output_messages.0.message.content": "Let me check.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "mcp__wx__get_weather",
    });
    const second = llms.find((s) => s !== first)!;
    // the second turn's input is the tool result (not the whole history again)
    expect(second.attributes["llm.input_messages.0.message.role"]).toBe("tool");
    expect(second.attributes["llm.input_messages.0.message.content"]).toBe("Sunny in sample city");
    expect(second.attributes["llm.input_messages.1.message.role"]).toBeUndefined();
    // thinking kept apart from the text
    expect(second.attributes["llm.output_messages.0.message.content"]).toMatch(/^Done: Sunny in sample city/);
    expect(second.attributes["llm.output_messages.0.message.contents.0.message_content.type"]).toBe("thinking");
    expect(second.attributes["llm.output_messages.0.message.contents.0.message_content.text"]).toBe("Thinking it over.");
    expect(second.attributes["llm.output_messages.0.message.contents.1.message_content.type"]).toBe("text");

    const tool = tools[0]!;
    expect(tool.name).toBe("mcp__wx__get_weather");
    expect(tool.attributes).toMatchObject({
      "tool.name": "mcp__wx__get_weather",
      "tool.parameters": '{"city":"sample city"}',
      "output.value": "Sunny in sample city",
    });
    expect(tool.attributes["tool_call.id"]).toBe(first.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
    expect(tool.status.code).toBe(1);
    // the in-process MCP tool handler ran inside the run's AGENT span context
    expect(handlerSpanIds.at(-1)).toBe(agent.spanId);
  }, 90_000);

  it("instrument() patches query/startup/prewarm on a mutable module object; on the read-only namespace it follows the CLI process", async () => {
    const { instrumentClaudeAgentSdk } = await import("../../src/subpaths/claude-agent-sdk");
    const PATCHED = Symbol.for("@inference/tracing.patched");
    const ns = instrumentClaudeAgentSdk(sdk);
    expect(ns?.patched).toBe(true);
    expect((sdk.query as any)[PATCHED]).toBeUndefined();

    // the plain, unwrapped query(): traced from the CLI's stream-json conversation
    const messages: any[] = [];
    const q = sdk.query({ prompt: "Weather via the tap m12", options: baseOptions() });
    expect(Object.getOwnPropertySymbols(q)).toEqual([]);
    for await (const m of q) messages.push(m);
    const result = messages.find((m) => m.type === "result");
    const { agent, spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    expect(agent.attributes).toMatchObject({
      "claude_agent_sdk.entry": "cli-process",
      "input.value": "Weather via the tap m12",
      "llm.model_name": "claude-sonnet-4-5",
      "llm.cost.total": result.total_cost_usd,
      "agent.llm_call_count": 2,
      "agent.tool_call_count": 1,
    });
    expect(byKind(spans, "LLM")).toHaveLength(2);
    expect(one(byKind(spans, "TOOL"), () => true).attributes["output.value"]).toBe("Sunny in sample city");
    const promptSum = byKind(spans, "LLM").reduce((n, s) => n + s.attributes["llm.token_count.prompt"], 0);
    expect(promptSum).toBe(result.usage.input_tokens + result.usage.cache_read_input_tokens + result.usage.cache_creation_input_tokens);

    const mod: any = { ...sdk };
    const r = instrumentClaudeAgentSdk(mod);
    expect(r?.patched).toBe(true);
    for (const name of ["query", "startup", "prewarm"]) {
      expect(mod[name]).not.toBe((sdk as any)[name]);
      expect(mod[name][PATCHED]).toBe((sdk as any)[name]);
      expect(mod[name].name).toBe((sdk as any)[name].name);
    }
    const again = mod.query;
    instrumentClaudeAgentSdk(mod);
    expect(mod.query).toBe(again);
    expect(api.wrapClaudeAgentSdkQuery(again)).toBe(again);
  });

  it("gives exact per-turn output tokens with includePartialMessages, and for a single-turn run from the result", async () => {
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    const messages: any[] = [];
    for await (const m of query({ prompt: "Weather with partials", options: baseOptions({ includePartialMessages: true }) })) messages.push(m);
    expect(messages.some((m) => m.type === "stream_event")).toBe(true);
    const result = messages.find((m) => m.type === "result");
    const { spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    const llms = byKind(spans, "LLM");
    expect(llms).toHaveLength(2);
    for (const s of llms) expect(s.attributes["claude_agent_sdk.usage.output_exact"]).toBe(true);
    expect(llms.reduce((n, s) => n + s.attributes["llm.token_count.completion"], 0)).toBe(result.usage.output_tokens);

    const single: any[] = [];
    for await (const m of query({ prompt: "Just say hi", options: baseOptions({ tools: [], mcpServers: {}, allowedTools: [] }) })) single.push(m);
    const r2 = single.find((m) => m.type === "result");
    expect(r2.num_turns).toBe(1);
    const one1 = await spansOfTrace((s) => s.attributes["session.id"] === r2.session_id);
    const [llm] = byKind(one1.spans, "LLM");
    expect(llm!.attributes["llm.token_count.completion"]).toBe(r2.usage.output_tokens);
    expect(llm!.attributes["llm.token_count.completion"]).toBeGreaterThan(1);
  }, 90_000);

  it("streaming input: one AGENT span for the session, each turn gets the user message it answered", async () => {
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sent: any[] = [];
    async function* input() {
      const first = { type: "user", message: { role: "user", content: "first streamed m8" }, parent_tool_use_id: null, session_id: "" };
      sent.push(first);
      yield first as any;
      await gate;
      const second = { type: "user", message: { role: "user", content: [{ type: "text", text: "second streamed m9" }] }, parent_tool_use_id: null, session_id: "" };
      sent.push(second);
      yield second as any;
    }
    const messages: any[] = [];
    for await (const m of query({ prompt: input(), options: baseOptions({ tools: [], mcpServers: {}, allowedTools: [] }) })) {
      messages.push(m);
      if (m.type === "result") release();
    }
    const results = messages.filter((m) => m.type === "result");
    expect(results).toHaveLength(2);
    // the CLI received exactly what the app streamed
    const userTexts = mock.requests.flatMap((r: any) => JSON.stringify(r.body.messages ?? []).match(/(first|second) streamed m[89]/g) ?? []);
    expect(userTexts).toContain("first streamed m8");
    expect(userTexts).toContain("second streamed m9");
    const { agent, spans } = await spansOfTrace((s) => s.attributes["session.id"] === results[1].session_id && s.attributes["input.value"] === "first streamed m8");
    const llms = byKind(spans, "LLM").sort((a, b) => (a.attributes["input.value"] < b.attributes["input.value"] ? -1 : 1));
    expect(llms.map((s) => s.attributes["input.value"])).toEqual(["first streamed m8", "second streamed m9"]);
    for (const s of llms) expect(s.parentSpanId).toBe(agent.spanId);
    expect(byKind(spans, "AGENT")).toHaveLength(1);
  }, 90_000);

  it("startup() pre-warmed queries are traced too (patched through a mutable module object)", async () => {
    const { instrumentClaudeAgentSdk } = await import("../../src/subpaths/claude-agent-sdk");
    const mod: any = { ...sdk };
    instrumentClaudeAgentSdk(mod);
    const warm = await mod.startup({ options: baseOptions({ tools: [], mcpServers: {}, allowedTools: [] }) });
    expect(typeof warm.close).toBe("function");
    const q = warm.query("Warm hello m11");
    expect(typeof q.interrupt).toBe("function");
    const messages: any[] = [];
    for await (const m of q) messages.push(m);
    const result = messages.find((m: any) => m.type === "result");
    const { agent, spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    expect(agent.attributes["claude_agent_sdk.entry"]).toBe("startup");
    expect(agent.attributes["input.value"]).toBe("Warm hello m11");
    expect(byKind(spans, "LLM")).toHaveLength(1);
  }, 90_000);

  it("marks a failing tool as an error and keeps going", async () => {
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    const messages: any[] = [];
    const opts = baseOptions({ allowedTools: ["mcp__wx__always_fails"] });
    // a server whose only tool fails
    opts.mcpServers = {
      wx: sdk.createSdkMcpServer({
        name: "wx",
        version: "1.0.0",
        tools: [sdk.tool("always_fails", "A tool that fails", { reason: z.string() }, async () => ({ content: [{ type: "text" as const, text: "the tool broke" }], isError: true }))],
      }),
    };
    for await (const m of query({ prompt: "Try the tool", options: opts })) messages.push(m);
    const result = messages.find((m) => m.type === "result");
    const { spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    const tool = one(byKind(spans, "TOOL"), () => true, "tool span");
    expect(tool.attributes["tool.name"]).toBe("mcp__wx__always_fails");
    expect(tool.status.code).toBe(2);
    expect(tool.status.message).toContain("the tool broke");
  }, 90_000);

  it("nests a subagent's turns and tools under the Agent tool call that started it", async () => {
    scriptAgentToolCall(mock, { description: "Check weather", prompt: "Find the weather in Oslo", subagent_type: "forecaster" });
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    const messages: any[] = [];
    const opts = baseOptions({
      tools: ["Agent"],
      allowedTools: ["mcp__wx__get_weather", "Agent"],
      agents: { forecaster: { description: "Weather subagent", prompt: "You forecast weather.", tools: ["mcp__wx__get_weather"] } },
    });
    for await (const m of query({ prompt: "Weather in Oslo, via your forecaster", options: opts })) messages.push(m);
    const result = messages.find((m) => m.type === "result");
    const { agent, spans } = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    const agentTool = one(spans, (s) => s.name === "Agent", "Agent tool span");
    expect(agentTool.parentSpanId).toBe(agent.spanId);
    expect(agentTool.attributes["claude_agent_sdk.subagent_type"]).toBe("forecaster");
    const sub = one(spans, (s) => s.name === "subagent forecaster", "subagent span");
    expect(sub.parentSpanId).toBe(agentTool.spanId);
    expect(sub.attributes["openinference.span.kind"]).toBe("AGENT");
    const subChildren = childrenOf(spans, sub);
    const subTool = one(subChildren, (s) => s.attributes["openinference.span.kind"] === "TOOL", "subagent tool");
    expect(subTool.attributes["tool.name"]).toBe("mcp__wx__get_weather");
    expect(byKind(subChildren, "LLM").length).toBeGreaterThanOrEqual(2);
    for (const s of byKind(subChildren, "LLM")) expect(s.attributes["claude_agent_sdk.parent_tool_use_id"]).toBe("toolu_agent_call");
    // the subagent's messages carry its parent_tool_use_id; none of its turns hang off the main agent
    const subMsgIds = new Set(messages.filter((m) => m.type === "assistant" && m.parent_tool_use_id).map((m) => m.message.id));
    expect(subMsgIds.size).toBe(byKind(subChildren, "LLM").length);
  }, 90_000);

  it("ends the AGENT span when the app stops early, and an API error marks it failed", async () => {
    const query = api.wrapClaudeAgentSdkQuery(sdk.query);
    const q = query({ prompt: "Stop early", options: baseOptions({ tools: [], mcpServers: {}, allowedTools: [] }) });
    let sessionId: string | undefined;
    for await (const m of q as AsyncIterable<any>) {
      if (m.type === "system" && m.subtype === "init") {
        sessionId = m.session_id;
        break;
      }
    }
    expect(sessionId).toBeTruthy();
    const early = await spansOfTrace((s) => s.attributes["session.id"] === sessionId);
    expect(early.agent.attributes["openinference.span.kind"]).toBe("AGENT");

    // the SDK yields an error result, then its iterator throws: the app sees exactly that
    const messages: any[] = [];
    let thrown: unknown;
    try {
      for await (const m of query({ prompt: "Fail please", options: baseOptions({ model: "error-400", tools: [], mcpServers: {}, allowedTools: [] }) })) messages.push(m);
    } catch (err) {
      thrown = err;
    }
    expect(String(thrown)).toContain("mock error 400");
    const result = messages.find((m) => m.type === "result");
    expect(result.is_error).toBe(true);
    const failed = await spansOfTrace((s) => s.attributes["session.id"] === result.session_id);
    expect(failed.agent.status.code).toBe(2);
    expect(failed.agent.status.message).toContain("mock error 400");
    expect(failed.agent.events.some((e) => e.name === "exception")).toBe(true);
    expect(failed.agent.attributes["claude_agent_sdk.result.is_error"]).toBe(true);
  }, 90_000);
});
