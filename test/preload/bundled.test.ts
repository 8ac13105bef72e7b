/** A bundled app (one esbuild file, no node_modules loads) traced through instrument(). */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node, ROOT } from "../helpers/run";
// @ts-expect-error plain ESM fixture
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

let receiver: Receiver;
let openai: { baseURL: string; close(): Promise<void> };
const outDir = path.join(ROOT, "test-output", `bundled-${process.pid}`);
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  openai = await startMockOpenAI();
});
afterAll(async () => {
  await receiver.close();
  await openai.close();
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe("bundled apps", () => {
  it("instrument(OpenAI) traces a bundle in which no load hook can fire", async () => {
    const outfile = path.join(outDir, "app.cjs");
    await build({ entryPoints: [path.join(FIXTURES, "apps/bundled/app.mjs")], bundle: true, platform: "node", format: "cjs", outfile, logLevel: "silent" });
    const text = fs.readFileSync(outfile, "utf8");
    // the SDK really is inside the bundle, not loaded from node_modules
    expect(text).toMatch(/\/\/ node_modules\/openai\//);
    const r = await node([outfile], { env: { OPENAI_BASE_URL: openai.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_SERVICE_NAME: "bundled" }, cwd: outDir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: bundled true\n");
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.attributes["openinference.span.kind"] === "LLM"));
    expect(spans.find((s) => s.attributes["openinference.span.kind"] === "LLM")!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
  });
});
