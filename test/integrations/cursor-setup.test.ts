/** Cursor SDK through instrumentCursorSdk() in-process (the explicit door), against the local Cursor Cloud API stand-in. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { byKind, one } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockCursorCloud } from "../../fixtures/mock-providers/cursor-cloud.mjs";

let receiver: Receiver;
let mock: any;
let tracing: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockCursorCloud();
  process.env.CATALYST_OTLP_ENDPOINT = receiver.url;
  process.env.CURSOR_BACKEND_URL = mock.url;
});
afterAll(async () => {
  await tracing?.shutdown();
  await receiver.close();
  await mock.close();
});

describe("instrumentCursorSdk(module)", () => {
  it("wraps Agent's statics in place; the agent and run keep every SDK method", async () => {
    const sdk = await import("@cursor/sdk");
    const { setup } = await import("../../src/index");
    const { instrumentCursorSdk } = await import("../../src/subpaths/cursor-sdk");
    tracing = await setup({ batching: "simple" });
    const result = instrumentCursorSdk(sdk);
    expect(result?.patched).toBe(true);
    instrumentCursorSdk(sdk); // idempotent

    const agent = await sdk.Agent.create({ apiKey: "key_secret_abc", model: { id: "composer-1" }, cloud: { repos: [] } });
    for (const m of ["send", "close", "reload", "listArtifacts", "getUsage"]) expect(typeof (agent as any)[m]).toBe("function");
    const run = await agent.send("List the files in this repo");
    for (const m of ["stream", "wait", "cancel", "conversation", "onDidChangeStatus", "supports"]) expect(typeof (run as any)[m]).toBe("function");
    const r = await run.wait();
    expect(r.status).toBe("finished");
    agent.close();
    await tracing.forceFlush();
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "Cursor agent run"));
    const span = one(byKind(spans, "AGENT"), () => true);
    expect(span.attributes["cursor.run.id"]).toBe(run.id);
    expect(byKind(spans, "TOOL").map((t) => t.name).sort()).toEqual(["read", "shell"]);
    expect(JSON.stringify(spans)).not.toContain("key_secret_abc");
  }, 30_000);
});
