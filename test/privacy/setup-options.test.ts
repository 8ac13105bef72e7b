/**
 * Privacy options through setup(), end to end to the real OTLP receiver: privacy flags as an
 * option, the user's scrub function, and secret-named fields in a manual TOOL span's input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { one } from "../helpers/spans";

let receiver: Receiver;
let api: typeof import("../../src/index");
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  process.env.OPENINFERENCE_HIDE_OUTPUTS = "true"; // the option below wins
  api = await import("../../src/index");
  tracing = await api.setup({
    batching: "simple",
    privacy: { hideOutputs: false, hideLLMTools: true },
    scrub: (key, value) => {
      if (key === "user.id") return undefined;
      return typeof value === "string" ? value.replace(/[\w.]+@[\w.]+/g, "<email>") : value;
    },
  });
});
afterAll(async () => {
  await tracing?.shutdown();
  await receiver?.close();
});

describe("privacy through setup()", () => {
  it("applies option flags over env, secret-field redaction and the scrub function", async () => {
    await api.agentSpan({ agentId: "a1", userId: "u-42", sessionId: "s1" }, async () => {
      await api.manualSpan(
        {
          spanName: "send_mail",
          spanKind: api.SpanKindValues.TOOL,
          toolName: "send_mail",
          input: { to: "jane@example.com", smtp: { password: "p4ssw0rd!", port: 25 }, api_key: "k-123" },
          attributes: { "llm.tools.0.tool.json_schema": '{"name":"send_mail"}' },
        },
        async (span) => span.setOutput("sent to jane@example.com"),
      );
    });
    await tracing.forceFlush();
    await receiver.waitForSpans((s) => s.some((x) => x.name === "send_mail"));
    const tool = one(receiver.spans, (s) => s.name === "send_mail");
    expect(JSON.parse(tool.attributes["input.value"])).toEqual({
      to: "<email>",
      smtp: { password: "__REDACTED__", port: 25 },
      api_key: "__REDACTED__",
    });
    expect(tool.attributes["output.value"]).toBe("sent to <email>");
    expect(tool.attributes["llm.tools.0.tool.json_schema"]).toBeUndefined();
    expect(tool.attributes["user.id"]).toBeUndefined();
    expect(tool.attributes["session.id"]).toBe("s1");
    expect(JSON.stringify(receiver.spans)).not.toContain("p4ssw0rd");
  });
});
