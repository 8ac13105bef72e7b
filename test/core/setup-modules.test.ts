/** setup({ modules, autoInstrument }), setup() after the app's imports, and setup() under the preload. */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
// @ts-expect-error plain ESM fixture
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const APPS = path.join(FIXTURES, "apps/setup-api");
let receiver: Receiver;
let openai: { baseURL: string; close(): Promise<void> };
let anthropic: { url: string; close(): Promise<void> };
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openai = await startMockOpenAI();
  anthropic = await startMockAnthropic();
});
afterAll(async () => {
  await receiver.close();
  await openai.close();
  await anthropic.close();
});

const env = (marker: string, extra: Record<string, string> = {}) => ({
  OPENAI_BASE_URL: openai.baseURL,
  ANTHROPIC_BASE_URL: anthropic.url,
  CATALYST_OTLP_ENDPOINT: receiver.url,
  CATALYST_SERVICE_NAME: marker,
  ...extra,
});
const llmSystems = (marker: string) =>
  receiver.spans.filter((s) => s.resource["service.name"] === marker && s.attributes["openinference.span.kind"] === "LLM").map((s) => s.attributes["llm.system"]).sort();

describe("setup({ modules, autoInstrument })", () => {
  it("autoInstrument: false patches only the modules listed", async () => {
    const marker = `explicit-${Date.now()}`;
    const r = await node([path.join(APPS, "explicit-modules.cjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ openai: { patched: true, formats: ["explicit"], version: "undefined" } });
    await receiver.waitForSpans(() => llmSystems(marker).length >= 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(llmSystems(marker)).toEqual(["openai"]);
  });

  it("autoInstrument: true also patches supported SDKs loaded later", async () => {
    const marker = `auto-${Date.now()}`;
    const r = await node([path.join(APPS, "explicit-modules.cjs")], { env: env(marker, { AUTO: "1" }) });
    expect(r.code).toBe(0);
    const results = JSON.parse(r.stdout);
    expect(results.anthropic).toMatchObject({ patched: true, formats: ["cjs"], version: "string" });
    expect(results.openai.patched).toBe(true);
    await receiver.waitForSpans(() => llmSystems(marker).length >= 2);
    expect(llmSystems(marker)).toEqual(["anthropic", "openai"]);
  });

  it("setup() after the app's own ESM imports patches the copy already loaded, and a second call returns the same handle", async () => {
    const marker = `after-${Date.now()}`;
    const r = await node([path.join(APPS, "after-imports.mjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: after imports true true esm\n");
    await receiver.waitForSpans(() => llmSystems(marker).length >= 1);
  });

  it("setup() under the preload returns the preload's instance: one span per call", async () => {
    const marker = `both-${Date.now()}`;
    const r = await node(["--import", "@inference/tracing/register", path.join(APPS, "after-imports.mjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: after imports true true esm\n");
    await receiver.waitForSpans(() => llmSystems(marker).length >= 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(llmSystems(marker)).toEqual(["openai"]);
  });
});
