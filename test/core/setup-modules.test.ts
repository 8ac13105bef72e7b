/** setup({ modules, autoInstrument }), setup() after the app's imports, and setup() under the preload. */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, node } from "../helpers/run";
import { useServers } from "../helpers/servers";

const APPS = path.join(FIXTURES, "apps/setup-api");
const servers = useServers();
const env = (marker: string, extra: Record<string, string> = {}) => servers.env({ CATALYST_SERVICE_NAME: marker, ...extra });
const llmSystems = (marker: string) => servers.llmSpans(marker).map((s) => s.attributes["llm.system"]).sort();

describe("setup({ modules, autoInstrument })", () => {
  it("autoInstrument: false patches only the modules listed", async () => {
    const marker = `explicit-${Date.now()}`;
    const r = await node([path.join(APPS, "explicit-modules.cjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ openai: { patched: true, formats: ["explicit"], version: "undefined" } });
    await servers.waitForLLM(marker, 1);
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
    await servers.waitForLLM(marker, 2);
    expect(llmSystems(marker)).toEqual(["anthropic", "openai"]);
  });

  it("setup() after the app's own ESM imports patches the copy already loaded, and a second call returns the same handle", async () => {
    const marker = `after-${Date.now()}`;
    const r = await node([path.join(APPS, "after-imports.mjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: after imports true true esm\n");
    await servers.waitForLLM(marker, 1);
  });

  it("setup() under the preload returns the preload's instance: one span per call", async () => {
    const marker = `both-${Date.now()}`;
    const r = await node(["--import", "@inference/tracing/register", path.join(APPS, "after-imports.mjs")], { env: env(marker) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: after imports true true esm\n");
    await servers.waitForLLM(marker, 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(llmSystems(marker)).toEqual(["openai"]);
  });
});
