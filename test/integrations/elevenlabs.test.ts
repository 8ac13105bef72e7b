/**
 * ElevenLabs Agents, zero-code: the real @elevenlabs/client in a text-only conversation against a
 * local WebSocket server speaking the conversation protocol (fixtures/mock-providers/elevenlabs-ws.mjs),
 * run as a subprocess under the preload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node } from "../helpers/run";
import { fixtureApp } from "../helpers/sdk-project";
import { byKind, byName, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockElevenLabs } from "../../fixtures/mock-providers/elevenlabs-ws.mjs";

const APP = fixtureApp("elevenlabs-text/app.js");
const PRELOAD = ["--import", "@inference/tracing/register"];

let receiver: Receiver;
let mock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockElevenLabs();
});
afterAll(async () => {
  await receiver.close();
  await mock.close();
});

const appEnv = (extra: Record<string, string> = {}) => ({ ELEVENLABS_ORIGIN: mock.origin, ...extra });

async function traced(extra: Record<string, string> = {}, until = (s: ReceivedSpan[]) => s.some((x) => x.name === "ElevenLabs conversation")) {
  receiver.clear();
  const r = await node([...PRELOAD, APP], {
    env: { ...appEnv(extra), CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" },
    timeoutMs: 60_000,
  });
  const spans = await receiver.waitForSpans(until, 10_000);
  return { r, spans };
}
async function plain(extra: Record<string, string> = {}) {
  return node([APP], { env: appEnv(extra), timeoutMs: 60_000 });
}

describe("ElevenLabs conversation through the zero-code preload", () => {
  let spans: ReceivedSpan[];
  let stdout: string;
  beforeAll(async () => {
    const t = await traced();
    expect(t.r.code, t.r.stderr).toBe(0);
    spans = t.spans;
    stdout = t.r.stdout;
  }, 60_000);

  it("leaves the app's output unchanged", async () => {
    const p = await plain();
    expect(p.code).toBe(0);
    // conversation ids are numbered per connection by the server: compare the rest
    const norm = (s: string) => s.replace(/conv_\d+/g, "conv_N");
    expect(norm(stdout)).toBe(norm(p.stdout));
    expect(stdout).toContain("ai: Here you go: sunny in Paris");
  }, 60_000);

  it("records the conversation as one AGENT span: agent id, conversation id as session.id, status", () => {
    const agent = one(byKind(spans, "AGENT"), () => true, "AGENT span");
    expect(agent.name).toBe("ElevenLabs conversation");
    expect(agent.parentSpanId).toBeFalsy();
    const conversationId = /connected: (conv_\d+)/.exec(stdout)![1];
    expect(agent.attributes).toMatchObject({
      "agent.id": "agent_demo",
      "session.id": conversationId,
      "user.id": "user-7",
      "elevenlabs.disconnect_reason": "user",
      "elevenlabs.turn_count": 3,
    });
    expect(agent.status.code).toBe(1);
  });

  it("records a CHAIN span per agent response with that turn's transcript only", () => {
    const agent = one(byKind(spans, "AGENT"), () => true);
    const turns = byName(spans, "elevenlabs.turn").sort((a, b) => a.attributes["elevenlabs.turn.index"] - b.attributes["elevenlabs.turn.index"]);
    expect(turns).toHaveLength(3);
    expect(turns.every((t) => t.parentSpanId === agent.spanId && t.attributes["openinference.span.kind"] === "CHAIN")).toBe(true);
    expect(turns[0]!.attributes["output.value"]).toBe("Hello! How can I help?");
    expect(turns[0]!.attributes["input.value"]).toBeUndefined();
    expect(turns[1]!.attributes).toMatchObject({ "input.value": "What's the weather in Paris?", "output.value": "Here you go: sunny in Paris" });
    expect(turns[2]!.attributes).toMatchObject({ "input.value": "Thanks!", "output.value": "Echo: Thanks!" });
    // identity flows to every child
    for (const t of turns) expect(t.attributes["session.id"]).toBe(agent.attributes["session.id"]);
  });

  it("records the client tool call as a TOOL span under its turn: name, call id, parameters, result", () => {
    const tool = one(byKind(spans, "TOOL"), () => true, "TOOL span");
    const turn = spans.find((s) => s.spanId === tool.parentSpanId)!;
    expect(turn.name).toBe("elevenlabs.turn");
    expect(turn.attributes["input.value"]).toBe("What's the weather in Paris?");
    expect(tool.name).toBe("get_weather");
    expect(tool.attributes).toMatchObject({
      "tool.name": "get_weather",
      "input.value": '{"city":"Paris"}',
      "input.mime_type": "application/json",
      "output.value": "sunny in Paris",
      "elevenlabs.tool.side": "client",
    });
    expect(tool.attributes["tool_call.id"]).toMatch(/^toolu_conv_\d+_1$/);
    expect(tool.status.code).toBe(1);
    expect(childrenOf(spans, tool)).toHaveLength(0);
  });
});

describe("ElevenLabs: errors, secrets, server tools, long sessions", () => {
  it("a failing client tool: TOOL span ERROR with the SDK's error result and the exception; app output unchanged", async () => {
    const { r, spans } = await traced({ TOOL_FAILS: "1" });
    const p = await plain({ TOOL_FAILS: "1" });
    expect(r.stdout.replace(/conv_\d+/g, "")).toBe(p.stdout.replace(/conv_\d+/g, ""));
    const tool = one(byKind(spans, "TOOL"), () => true);
    expect(tool.status.code).toBe(2);
    expect(tool.status.message).toBe("Client tool execution failed: no forecast for Paris");
    expect(tool.events.some((e) => e.name === "exception" && e.attributes["exception.message"] === "no forecast for Paris")).toBe(true);
  }, 60_000);

  it("never records the signature of a signed URL", async () => {
    const signed = `${mock.url}?agent_id=agent_signed&conversation_signature=SECRET_SIG_123`;
    const { r, spans } = await traced({ ELEVENLABS_SIGNED_URL: signed, MESSAGES: "hello" });
    expect(r.code, r.stderr).toBe(0);
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.attributes["agent.id"]).toBe("agent_signed");
    expect(JSON.stringify(spans)).not.toContain("SECRET_SIG_123");
    expect(mock.connections.at(-1).url).toContain("SECRET_SIG_123"); // the SDK did use it
  }, 60_000);

  it("server-side tools and an agent-ended call (end_call)", async () => {
    const { r, spans } = await traced({ MESSAGES: "please transfer me|bye" });
    expect(r.stdout).toContain("disconnected: agent");
    const tools = byKind(spans, "TOOL");
    expect(tools.map((t) => t.name).sort()).toEqual(["end_call", "transfer_to_agent"]);
    for (const t of tools) expect(t.attributes["elevenlabs.tool.side"]).toBe("server");
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.attributes["elevenlabs.disconnect_reason"]).toBe("agent");
    expect(agent.status.code).toBe(1);
  }, 60_000);

  it("a server error closes the conversation: AGENT span ERROR with the server's message", async () => {
    const { r, spans } = await traced({ MESSAGES: "crash" });
    expect(r.stdout).toContain("disconnected: error");
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.status.code).toBe(2);
    expect(agent.status.message).toBe("agent pipeline crashed");
    expect(agent.events.some((e) => e.name === "exception" && e.attributes["exception.message"] === "agent pipeline crashed")).toBe(true);
  }, 60_000);

  it("a connection that never opens: AGENT span ERROR, and the app fails exactly as without tracing", async () => {
    const env = { ELEVENLABS_ORIGIN: "ws://127.0.0.1:9" };
    const p = await node([APP], { env, timeoutMs: 60_000 });
    const { r, spans } = await traced(env);
    expect(r.code).toBe(p.code);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe(p.stdout);
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.status.code).toBe(2);
  }, 60_000);

  it("a long conversation is a span per turn, each small", async () => {
    const messages = Array.from({ length: 40 }, (_, i) => `message number ${i}`).join("|");
    const { r, spans } = await traced({ MESSAGES: messages });
    expect(r.code).toBe(0);
    const turns = byName(spans, "elevenlabs.turn");
    expect(turns).toHaveLength(41);
    for (const t of turns) expect(Object.keys(t.attributes).length).toBeLessThan(20);
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(Object.keys(agent.attributes).length).toBeLessThan(20);
  }, 60_000);

  it("with every extractor failing, the app's output is unchanged (the conversation runs untraced)", async () => {
    receiver.clear();
    const r = await node([...PRELOAD, APP], {
      env: { ...appEnv({ CATALYST_TEST_FAULTS: "1" }), CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" },
      timeoutMs: 60_000,
    });
    const spans = receiver.spans;
    const p = await plain();
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/conv_\d+/g, "")).toBe(p.stdout.replace(/conv_\d+/g, ""));
    // beginSession itself faults: the conversation runs untraced rather than half-traced
    expect(byName(spans, "ElevenLabs conversation")).toHaveLength(0);
  }, 60_000);

  it("with only the per-event extractors failing, spans are marked incomplete and still exported", async () => {
    const { r, spans } = await traced({ CATALYST_TEST_FAULTS: "elevenlabs.incoming,elevenlabs.endSession,elevenlabs.toolOutput" });
    expect(r.code).toBe(0);
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.attributes["inference.tracing.incomplete"]).toBe(true);
  }, 60_000);
});
