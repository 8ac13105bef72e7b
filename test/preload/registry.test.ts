/**
 * What the registry-driven hooks patch, skip and report: allow and deny lists, an SDK version
 * outside the supported range, a patch that throws, and an app with no SDK at all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, node, ROOT, besidesStartLine } from "../helpers/run";
import { useServers } from "../helpers/servers";

const APPS = path.join(FIXTURES, "apps/doors");
const servers = useServers();
const env = (extra: Record<string, string>) => servers.env({ CATALYST_BATCHING: "simple", ...extra });
const systemsOf = (marker: string) => servers.llmSpans(marker).map((s) => s.attributes["llm.system"]).sort();

describe("allowlist and denylist", () => {
  it("CATALYST_INSTRUMENTATIONS patches only what it names", async () => {
    const marker = `allow-${Date.now()}`;
    const r = await node(["--import", "@inference/tracing/register", path.join(APPS, "both-sdks.mjs")], {
      env: env({ CATALYST_SERVICE_NAME: marker, CATALYST_INSTRUMENTATIONS: "anthropic", CATALYST_DEBUG: "1" }),
    });
    expect(r.code).toBe(0);
    await servers.waitForLLM(marker);
    await new Promise((res) => setTimeout(res, 300));
    expect(systemsOf(marker)).toEqual(["anthropic"]);
    expect(r.stderr).toMatch(/integrations: anthropic$/m);
  });

  it("CATALYST_DISABLED_INSTRUMENTATIONS patches all but what it names (package names work too)", async () => {
    const marker = `deny-${Date.now()}`;
    const r = await node(["--import", "@inference/tracing/register", path.join(APPS, "both-sdks.mjs")], {
      env: env({ CATALYST_SERVICE_NAME: marker, CATALYST_DISABLED_INSTRUMENTATIONS: "@anthropic-ai/sdk" }),
    });
    expect(r.code).toBe(0);
    await servers.waitForLLM(marker);
    await new Promise((res) => setTimeout(res, 300));
    expect(systemsOf(marker)).toEqual(["openai"]);
  });
});

/** A throwaway project with a fake `openai` package, inside the repo so our package resolves. */
function fakeProject(name: string, version: string, indexJs: string): string {
  const dir = path.join(ROOT, "test-output", `${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "node_modules/openai"), { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, dependencies: { openai: version } }));
  fs.writeFileSync(path.join(dir, "node_modules/openai/package.json"), JSON.stringify({ name: "openai", version, main: "index.js" }));
  fs.writeFileSync(path.join(dir, "node_modules/openai/index.js"), indexJs);
  fs.writeFileSync(
    path.join(dir, "app.cjs"),
    `const OpenAI = require("openai");\nconst c = new OpenAI();\nc.chat.completions.create({ model: "m" }).then((r) => console.log("result", JSON.stringify(r)));\n`,
  );
  return dir;
}

const FAKE_SDK = `
class Completions { create(body) { return Promise.resolve({ id: "fake", model: body.model }); } }
class Chat { constructor() { this.completions = new Completions(); } }
class OpenAI { constructor() { this.chat = new Chat(); } }
OpenAI.Chat = Chat; Chat.Completions = Completions; OpenAI.OpenAI = OpenAI; OpenAI.default = OpenAI;
module.exports = OpenAI;
`;

describe("versions and faults", () => {
  it("leaves a version outside the supported range alone, with one warning line (no debug needed)", async () => {
    const dir = fakeProject("old-sdk", "2.0.0", FAKE_SDK);
    const r = await node(["--require", "@inference/tracing/register", path.join(dir, "app.cjs")], { env: env({}), cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('result {"id":"fake","model":"m"}\n');
    expect(r.stderr.match(/warning: openai@2\.0\.0 is outside the versions of OpenAI we support \(>=[^)]+\): it is not traced/g)).toHaveLength(1);
  });

  it("catches a patch that throws: reported once in the debug log, the module loads unpatched", async () => {
    const throwing = FAKE_SDK + `Object.defineProperty(OpenAI, "Chat", { get() { throw new Error("exotic SDK shape"); } });\n`;
    const dir = fakeProject("weird-sdk", "6.0.0", throwing);
    const r = await node(["--require", "@inference/tracing/register", path.join(dir, "app.cjs")], { env: env({ CATALYST_DEBUG: "1" }), cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('result {"id":"fake","model":"m"}\n');
    expect(r.stderr).toMatch(/OpenAI: patching openai \(cjs\) failed, the module loads unpatched: Error: exotic SDK shape/);
  });

  it("an app with no supported SDK installed gets no noise", async () => {
    const r = await node(["--import", "@inference/tracing/register", path.join(APPS, "trivial.mjs")], { env: env({}) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("ok\n");
    expect(besidesStartLine(r.stderr)).toBe("");
  });
});
