/**
 * The Amazon Bedrock Agents integration in process: the real @aws-sdk/client-bedrock-agent-runtime
 * (newest, and 3.468.0, the oldest of the declared range) against the mock Bedrock server
 * (InvokeAgent as an event stream of chunk and trace events), spans read from the real OTLP receiver.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Agents from "@aws-sdk/client-bedrock-agent-runtime";
import { startTracing, type Tracing } from "./openai/tracing";
import { byKind, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockBedrock } from "../../fixtures/mock-providers/bedrock.mjs";

const require = createRequire(import.meta.url);
const AgentsOldest = require("bedrock-agent-runtime-v3-oldest");

let mock: any;
let t: Tracing;
const config = () => ({ region: "us-east-1", endpoint: mock.url, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "agent-secret-key" }, maxAttempts: 1 });

beforeAll(async () => {
  mock = await startMockBedrock();
  t = await startTracing({ bedrockAgent: Agents });
  const { instrumentBedrockAgent } = await import("../../dist/subpaths/bedrock-agent.js");
  instrumentBedrockAgent(AgentsOldest);
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

/** Children in the order they started (the receiver sees them in the order they were exported). */
const startedChildren = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  childrenOf(spans, parent).sort((a: any, b: any) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));

async function readAll(completion: AsyncIterable<any>): Promise<{ text: string; events: any[] }> {
  const events: any[] = [];
  let text = "";
  for await (const e of completion) {
    events.push(e);
    if (e.chunk) text += new TextDecoder().decode(e.chunk.bytes);
  }
  return { text, events };
}

describe.each([
  ["newest", Agents],
  ["3.468.0 (oldest)", AgentsOldest],
] as const)("InvokeAgent, %s", (_name, SDK: any) => {
  const client = () => new SDK.BedrockAgentRuntimeClient(config());

  it("an AGENT span with its trace: model calls (LLM), action group (TOOL), knowledge base (RETRIEVER)", async () => {
    let read: { text: string; events: any[] } = { text: "", events: [] };
    let out: any;
    // events a few milliseconds apart, so that the children's start times tell their order
    mock.chunkDelayMs = 3;
    const spans = await t
      .spansAfter(async () => {
        out = await client().send(new SDK.InvokeAgentCommand({ agentId: "AGENT1", agentAliasId: "ALIAS1", sessionId: "sess-42", inputText: "Weather in Paris?", enableTrace: true }));
        read = await readAll(out.completion);
      }, 6)
      .finally(() => (mock.chunkDelayMs = 0));
    expect(read.text).toBe("It is 21°C and clear in Paris. Enjoy the Louvre!");
    expect(read.events.filter((e) => e.trace)).toHaveLength(12);
    expect(out.sessionId).toBe("sess-42");
    const agent = one(spans, (s) => s.attributes["openinference.span.kind"] === "AGENT");
    expect(agent.name).toBe("Bedrock InvokeAgent");
    expect(agent.attributes).toMatchObject({
      "agent.name": "AGENT1",
      "aws.bedrock.agent.id": "AGENT1",
      "aws.bedrock.agent.alias_id": "ALIAS1",
      "session.id": "sess-42",
      "input.value": "Weather in Paris?",
      "output.value": read.text,
      "agent.llm_call_count": 3,
      "agent.tool_call_count": 1,
    });
    const children = startedChildren(spans, agent);
    expect(children.map((s) => `${s.attributes["openinference.span.kind"]}:${s.name}`)).toEqual([
      "LLM:Pre-processing model",
      "LLM:Orchestration model",
      "TOOL:get_weather",
      "RETRIEVER:Knowledge base KB12345678",
      "LLM:Orchestration model",
    ]);
    const [pre, first, tool, kb, last] = children as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan];
    expect(pre.attributes).toMatchObject({ "llm.provider": "aws", "llm.token_count.prompt": 120, "llm.token_count.completion": 12, "output.value": "<category>D</category>" });
    // the model of each step (foundationModel) is a later addition to the trace: older SDKs drop it
    if (SDK === Agents) expect(pre.attributes).toMatchObject({ "llm.system": "anthropic", "llm.model_name": "anthropic.claude-3-5-haiku-20241022-v1:0" });
    else expect(pre.attributes["llm.model_name"]).toBeUndefined();
    expect(JSON.parse(pre.attributes["llm.invocation_parameters"])).toMatchObject({ temperature: 0, maximumLength: 2048 });
    expect(first.attributes).toMatchObject({
      "llm.input_messages.0.message.role": "system",
      "llm.input_messages.0.message.content": "You are a travel assistant with tools.",
      "llm.input_messages.1.message.content": "Weather in Paris?",
      "llm.output_messages.0.message.content": "I should check the weather.",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "WeatherTools__get_weather",
      "llm.finish_reason": "tool_use",
      "llm.token_count.total": 340,
    });
    if (SDK === Agents) expect(typeof first.attributes["llm.cost.total"]).toBe("number");
    expect(tool.attributes).toMatchObject({ "tool.name": "get_weather", "aws.bedrock.agent.action_group": "WeatherTools", "output.value": '{"temperature": 21, "sky": "clear"}' });
    expect(JSON.parse(tool.attributes["input.value"])).toEqual({ city: "Paris" });
    expect(kb.attributes).toMatchObject({
      "input.value": "Paris travel tips",
      "aws.bedrock.knowledge_base.id": "KB12345678",
      "retrieval.documents.0.document.content": "Visit the Louvre early in the morning.",
      "retrieval.documents.0.document.id": "s3://travel-kb/paris.md",
      "retrieval.documents.1.document.content": "The metro is the fastest way around.",
    });
    expect(last.attributes["llm.input_messages.3.message.role"]).toBe("tool");
    expect(last.attributes["llm.output_messages.0.message.content"]).toBe(read.text);
    for (const c of children) {
      expect(c.traceId).toBe(agent.traceId);
      expect(c.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(JSON.stringify(spans)).not.toContain("agent-secret-key");
  });

  it("without enableTrace: the AGENT span alone, with the answer", async () => {
    const spans = await t.spansAfter(async () => {
      const out = await client().send(new SDK.InvokeAgentCommand({ agentId: "AGENT1", agentAliasId: "ALIAS1", sessionId: "s2", inputText: "hi" }));
      await readAll(out.completion);
    });
    expect(spans.filter((s) => s.attributes["openinference.span.kind"])).toHaveLength(1);
    expect(byKind(spans, "AGENT")[0]!.attributes["output.value"]).toBe("It is 21°C and clear in Paris. Enjoy the Louvre!");
  });

  it("errors keep the SDK's exception; the span has the status and the name", async () => {
    let caught: any;
    const spans = await t.spansAfter(async () => {
      try {
        await client().send(new SDK.InvokeAgentCommand({ agentId: "error-403", agentAliasId: "A", sessionId: "s", inputText: "x" }));
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(SDK.AccessDeniedException);
    const s = byKind(spans, "AGENT")[0]!;
    expect(s.status.code).toBe(2);
    expect(s.attributes["http.response.status_code"]).toBe(403);
    expect(s.attributes["error.type"]).toBe("AccessDeniedException");
  });
});

describe("InvokeAgent inside the app's own agent", () => {
  it("the app's session wins; an early break ends the agent with what was read", async () => {
    mock.chunkDelayMs = 5;
    try {
      const spans = await t.spansAfter(
        () =>
          t.api.agentSpan({ agentId: "app-agent", sessionId: "app-session" }, async () => {
            const out = await new Agents.BedrockAgentRuntimeClient(config()).send(new Agents.InvokeAgentCommand({ agentId: "AGENT1", agentAliasId: "ALIAS1", sessionId: "bedrock-session", inputText: "hi", enableTrace: true }));
            let n = 0;
            for await (const _ of out.completion!) if (++n === 4) break;
          }),
        3,
      );
      const agents = byKind(spans, "AGENT");
      const bedrock = agents.find((s) => s.name === "Bedrock InvokeAgent")!;
      const app = agents.find((s) => s !== bedrock)!;
      expect(bedrock.parentSpanId).toBe(app.spanId);
      expect(bedrock.attributes["session.id"]).toBe("app-session");
      expect(bedrock.attributes["aws.bedrock.agent.session_id"]).toBe("bedrock-session");
      expect(bedrock.events.map((e) => e.name)).toContain("stream.closed_early");
      // the four events read: pre-processing in and out, then the first orchestration model call, still open
      expect(startedChildren(spans, bedrock).map((s) => s.name)).toEqual(["Pre-processing model", "Orchestration model"]);
    } finally {
      mock.chunkDelayMs = 0;
    }
  });
});
