/** ElevenLabs through setup({ modules }) in-process: the explicit door, on the ESM namespace. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockElevenLabs } from "../../fixtures/mock-providers/elevenlabs-ws.mjs";

let receiver: Receiver;
let mock: any;
let tracing: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockElevenLabs();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  if (typeof (globalThis as any).WebSocket === "undefined") {
    // like a browser's WebSocket: one message per task
    const { WebSocket } = await import("ws");
    (globalThis as any).WebSocket = class extends WebSocket {
      constructor(url: string, protocols?: string | string[], options?: object) {
        super(url, protocols, { allowSynchronousEvents: false, ...options });
      }
    };
  }
});
afterAll(async () => {
  await tracing?.shutdown();
  await receiver.close();
  await mock.close();
});

describe("setup({ modules: { elevenlabs } })", () => {
  it("patches the ESM namespace's classes in place and traces a conversation", async () => {
    const el = await import("@elevenlabs/client");
    const { setup } = await import("../../src/index");
    const originalText = el.TextConversation;
    tracing = await setup({ batching: "simple", modules: { elevenlabs: el } });
    expect(el.TextConversation).toBe(originalText); // same class, only its static startSession is wrapped
    expect(tracing.installResults.find((r: any) => r.key === "elevenlabs")?.patched).toBe(true);

    const seen: string[] = [];
    const conversation = await el.Conversation.startSession({
      textOnly: true,
      agentId: "agent_inproc",
      origin: mock.origin,
      clientTools: { get_weather: ({ city }: { city: string }) => `rain in ${city}` },
      onMessage: ({ message }: { message: string }) => seen.push(message),
    });
    expect(conversation).toBeInstanceOf(el.TextConversation);
    expect(typeof conversation.sendFeedback).toBe("function");
    await new Promise((r) => setTimeout(r, 100));
    conversation.sendUserMessage("weather in Oslo");
    while (!seen.includes("Here you go: rain in Oslo")) await new Promise((r) => setTimeout(r, 20));
    await conversation.endSession();
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "ElevenLabs conversation"));
    const agent = one(byKind(spans, "AGENT"), () => true);
    expect(agent.attributes["agent.id"]).toBe("agent_inproc");
    expect(agent.attributes["session.id"]).toBe(conversation.getId());
    const tool = one(byKind(spans, "TOOL"), () => true);
    expect(tool.attributes["output.value"]).toBe("rain in Oslo");
    expect(tool.traceId).toBe(agent.traceId);
  }, 30_000);
});
