/**
 * The ESM mechanisms one can force with CATALYST_ESM_MODE, on the machine's Node (20):
 * "loader" (import-in-the-middle through module.register) and "off".
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, node } from "../helpers/run";
import { useServers } from "../helpers/servers";

const APPS = path.join(FIXTURES, "apps/doors");
const servers = useServers();

const run = (mode: string, app: string, marker: string) =>
  node(["--import", "@inference/tracing/register", path.join(APPS, app)], {
    env: servers.env({ CATALYST_BATCHING: "simple", CATALYST_ESM_MODE: mode, CATALYST_SERVICE_NAME: marker, CATALYST_DEBUG: "1" }),
  });
const llm = servers.llmSpans;

describe("CATALYST_ESM_MODE", () => {
  it("loader: module.register with the allowlist traces ESM and mixed apps", async () => {
    for (const app of ["esm-app.mjs", "mixed-esm-app.mjs", "mixed-cjs-app.cjs"]) {
      const marker = `loader-${app}-${Date.now()}`;
      const r = await run("loader", app, marker);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/ESM mechanism: loader/);
      await servers.waitForLLM(marker, app === "mixed-esm-app.mjs" ? 2 : 1);
    }
  });

  it("off: ESM imports are left alone while require() is still traced", async () => {
    const esmMarker = `off-esm-${Date.now()}`;
    const r = await run("off", "esm-app.mjs", esmMarker);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: esm door\n");
    const cjsMarker = `off-cjs-${Date.now()}`;
    const r2 = await run("off", "cjs-app.cjs", cjsMarker);
    expect(r2.code).toBe(0);
    await servers.waitForLLM(cjsMarker);
    expect(llm(esmMarker)).toHaveLength(0);
  });

  it("auto: eager for an app importing openai, import-in-the-middle only for one importing an SDK that needs rebinding", async () => {
    const plain = await run("auto", "esm-app.mjs", `auto-openai-${Date.now()}`);
    expect(plain.stderr).toMatch(/ESM mechanism: eager/);
    const ai = await run("auto", "imports-ai.mjs", `auto-ai-${Date.now()}`);
    expect(ai.code).toBe(0);
    expect(ai.stdout).toBe("function\n");
    // Node 20 has no usable sync hooks: the module.register loader, for this app only
    expect(ai.stderr).toMatch(process.versions.node.startsWith("20.") ? /ESM mechanism: loader/ : /ESM mechanism: sync/);
    expect(ai.stderr).toMatch(/patched ai@\S+ \(esm\)/);
  });

  it("--experimental-loader @inference/tracing/loader (with the preload) is recognised and used", async () => {
    const marker = `cli-loader-${Date.now()}`;
    const r = await node(["--experimental-loader", "@inference/tracing/loader", "--import", "@inference/tracing/register", path.join(APPS, "esm-app.mjs")], {
      env: servers.env({ CATALYST_BATCHING: "simple", CATALYST_SERVICE_NAME: marker, CATALYST_DEBUG: "1" }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: esm door\n");
    expect(r.stderr).toMatch(/ESM mechanism: loader/);
    expect(r.stderr).not.toMatch(/already been initialized/);
    await servers.waitForLLM(marker);
  });

  it("a bad value warns once and falls back to the automatic choice", async () => {
    const marker = `bad-${Date.now()}`;
    const r = await run("sideways", "esm-app.mjs", marker);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: CATALYST_ESM_MODE="sideways" is not a mode \(expected "auto", "sync", "loader", "eager" or "off"\); using "auto"\./);
    await servers.waitForLLM(marker);
  });
});
