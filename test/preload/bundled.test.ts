/** A bundled app (one esbuild file, no node_modules loads) traced through instrument(). */
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, node, ROOT, besidesStartLine } from "../helpers/run";
import { useServers } from "../helpers/servers";

const servers = useServers();
const outDir = path.join(ROOT, "test-output", `bundled-${process.pid}`);
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe("bundled apps", () => {
  it("instrument(OpenAI) traces a bundle in which no load hook can fire", async () => {
    const outfile = path.join(outDir, "app.cjs");
    await build({ entryPoints: [path.join(FIXTURES, "apps/bundled/app.mjs")], bundle: true, platform: "node", format: "cjs", outfile, logLevel: "silent" });
    const text = fs.readFileSync(outfile, "utf8");
    // the SDK really is inside the bundle, not loaded from node_modules
    expect(text).toMatch(/\/\/ node_modules\/openai\//);
    const r = await node([outfile], { env: servers.env({ CATALYST_SERVICE_NAME: "bundled" }), cwd: outDir });
    expect(besidesStartLine(r.stderr)).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Echo: bundled true\n");
    const [span] = await servers.waitForLLM("bundled");
    expect(span!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
  });
});
