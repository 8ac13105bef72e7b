import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, one } from "../helpers/spans";

let receiver: Receiver;
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;
let api: typeof import("../../src/index");

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  process.env.CATALYST_OTLP_TOKEN = "tok_secret_123456";
  process.env.CATALYST_SERVICE_NAME = "core-test";
  process.env.CATALYST_ENVIRONMENT = "test";
  api = await import("../../src/index");
  tracing = await api.setup({ serviceVersion: "9.9.9", batching: "simple" });
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
});

describe("setup() exporting over OTLP/HTTP", () => {
  it("sends agent and manual spans with identity, resource and the bearer token", async () => {
    const out = await api.agentSpan(
      { agentId: "support-agent", agentName: "Support Agent", sessionId: "conv-1", userId: "u-1", role: "support", system: "openai", metadata: { tier: "gold" }, tags: ["a", "b"] },
      async (span) => {
        span.setInput({ ticket: 1 });
        const r = await api.manualSpan(
          { spanName: "lookup_order.tool", spanKind: api.SpanKindValues.TOOL, toolName: "lookup_order", toolCallId: "call_1", input: { id: "ABC" } },
          async (t) => {
            t.setOutput("shipped");
            return 7;
          },
        );
        span.setOutput("done");
        return r * 6;
      },
    );
    expect(out).toBe(42);
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans((s) => s.length >= 2);
    const agent = one(spans, (s) => s.attributes["openinference.span.kind"] === "AGENT");
    const tool = one(byKind(spans, "TOOL"), () => true);
    expect(agent.name).toBe("Support Agent");
    expect(agent.attributes).toMatchObject({
      "agent.id": "support-agent",
      "agent.name": "Support Agent",
      "agent.role": "support",
      "session.id": "conv-1",
      "user.id": "u-1",
      "gen_ai.system": "openai",
      metadata: '{"tier":"gold"}',
      "tag.tags": ["a", "b"],
      "input.value": '{"ticket":1}',
      "input.mime_type": "application/json",
      "output.value": "done",
      "output.mime_type": "text/plain",
    });
    expect(tool.parentSpanId).toBe(agent.spanId);
    expect(tool.traceId).toBe(agent.traceId);
    expect(tool.attributes).toMatchObject({
      "tool.name": "lookup_order",
      "tool_call.id": "call_1",
      "agent.id": "support-agent",
      "session.id": "conv-1",
      "output.value": "shipped",
    });
    expect(agent.status.code).toBe(1);
    expect(agent.resource["service.name"]).toBe("core-test");
    expect(agent.resource["service.version"]).toBe("9.9.9");
    expect(agent.resource["deployment.environment"]).toBe("test");
    expect(receiver.requests[0]!.headers["authorization"]).toBe("Bearer tok_secret_123456");
    expect(receiver.requests[0]!.url).toBe("/v1/traces");
  });

  it("returns the same handle on a second setup() call", async () => {
    const again = await api.setup({ serviceName: "ignored" });
    expect(again).toBe(tracing);
    expect(again.installResults.map((r) => r.key)).toContain("openai");
  });

  it("rethrows the very same error and marks the span ERROR with an exception event", async () => {
    receiver.clear();
    const boom = new Error("tool exploded");
    await expect(
      api.manualSpan({ spanName: "failing", spanKind: api.SpanKindValues.TOOL, toolName: "x" }, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(() =>
      api.manualSpan({ spanName: "sync-fail" }, () => {
        throw boom;
      }),
    ).toThrow(boom);
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans((s) => s.length >= 2);
    for (const name of ["failing", "sync-fail"]) {
      const s = one(spans, (x) => x.name === name);
      expect(s.status).toEqual({ code: 2, message: "tool exploded" });
      expect(s.events.map((e) => e.name)).toContain("exception");
      expect(s.events[0]!.attributes["exception.message"]).toBe("tool exploded");
    }
  });
});
