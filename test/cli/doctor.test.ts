/**
 * `inference-tracing doctor`, run as the real CLI from an app's folder. The apps are small folders
 * whose node_modules link real installed SDKs from this repository (the pinned openai and its 5.x
 * alias, AI SDK 6 and 7), nested the way npm nests a second copy.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { ROOT, node } from "../helpers/run";

const CLI = path.join(ROOT, "bin", "cli.js");
let receiver: Receiver;
let refusing: http.Server;
let refusingUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  refusing = http.createServer((req, res) => {
    req.resume();
    res.writeHead(401).end();
  });
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", () => r()));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
});
afterAll(async () => {
  await receiver?.close();
  await new Promise((r) => refusing?.close(r));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** An app folder: package.json, source files, and node_modules entries linked to real packages here. */
function app(pkg: object, files: Record<string, string>, links: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-app-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  for (const [at, to] of Object.entries(links)) {
    const where = path.join(dir, "node_modules", at);
    fs.mkdirSync(path.dirname(where), { recursive: true });
    fs.symlinkSync(to, where, "dir");
  }
  return dir;
}
const repoPackage = (name: string) => path.join(ROOT, "node_modules", name);
const versionOf = (name: string) => JSON.parse(fs.readFileSync(path.join(repoPackage(name), "package.json"), "utf8")).version;

function doctor(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return node([CLI, "doctor", ...args], { cwd: dir, env: { NO_COLOR: "1", ...env }, timeoutMs: 30_000 });
}

describe("doctor", () => {
  it("a well set-up app: every copy of every SDK, the ESM mechanism, a reachable endpoint; exit 0", async () => {
    const dir = app(
      { name: "good-app", type: "module", scripts: { start: "node --import @inference/tracing/register app.mjs" } },
      { "app.mjs": 'import { generateText } from "ai";\nimport OpenAI from "openai";\n' },
      {
        "@inference/tracing": ROOT,
        ai: repoPackage("ai-v7"),
        openai: repoPackage("openai"),
        // a framework carrying its own, older openai
        "some-framework/node_modules/openai": repoPackage("openai-v5"),
      },
    );
    fs.writeFileSync(path.join(dir, "node_modules", "some-framework", "package.json"), JSON.stringify({ name: "some-framework", version: "1.0.0" }));
    receiver.clear();
    const r = await doctor(dir, ["--json"], { CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_OTLP_TOKEN: "doctor-secret-token" });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.preload).toMatchObject({ loaded: true, how: ['package.json script "start"'] });
    const copies = report.sdks.map((s: any) => [s.package, s.version, s.nested, s.builds.join("+"), s.inRange]);
    expect(copies).toEqual([
      ["ai", versionOf("ai-v7"), false, "esm", true],
      ["openai", versionOf("openai-v5"), true, "cjs+esm", true],
      ["openai", versionOf("openai"), false, "cjs+esm", true],
    ]);
    // AI SDK 7 is traced through its registerTelemetry(): no loader needed
    expect(report.esm.mode).toBe("eager");
    expect(report.endpoint).toMatchObject({ url: `${receiver.url}/v1/traces`, reachable: true, status: 200 });
    // the token went to the endpoint's export route, and nowhere else
    const withToken = receiver.requests.filter((q) => q.headers.authorization === "Bearer doctor-secret-token");
    expect(withToken.map((q) => `${q.method} ${q.url}`)).toEqual(["POST /v1/traces"]);
    expect(receiver.requests.filter((q) => q.url !== "/v1/traces").every((q) => q.headers.authorization === undefined)).toBe(true);
    expect(r.stdout).not.toContain("doctor-secret-token");
  });

  it("an app with problems: each named with its fix, exit 1", async () => {
    const dir = app(
      { name: "bad-app", scripts: { start: "node server.js" } },
      {
        "server.js": 'const OpenAI = require("openai");\nconst { generateText } = require("ai");\n',
        "src/chat.js": 'async function ask(client) {\n  return client.chat.completions.create({\n    model: "gpt-4o-mini",\n    stream: true,\n    messages: [],\n  });\n}\n',
        "node_modules/ai/package.json": JSON.stringify({ name: "ai", version: "8.0.0", main: "index.js" }),
      },
      { "@inference/tracing": ROOT, openai: repoPackage("openai") },
    );
    const r = await doctor(dir, [], { CATALYST_OTLP_ENDPOINT: refusingUrl });
    expect(r.code).toBe(1);
    const problems = r.stdout.slice(r.stdout.indexOf("problems:"));
    expect(problems).toContain("`npm start` runs `node server.js`, which does not load @inference/tracing/register");
    expect(problems).toContain("Fix: Start the app with `node --import @inference/tracing/register server.js`");
    expect(problems).toMatch(/ai@8\.0\.0 \(node_modules\/ai\) is outside the versions we support \(\^6\.0\.0 \|\| \^7\.0\.0\)/);
    expect(problems).toContain(`the endpoint ${refusingUrl}/v1/traces refuses the export (HTTP 401): it needs a token`);
    expect(problems).toContain("Fix: Set CATALYST_OTLP_TOKEN");
    expect(problems).toContain("src/chat.js:4: a streamed OpenAI chat completion without stream_options.include_usage");
    expect(problems.match(/Fix: /g)).toHaveLength(4);

    // the opt-in that asks for usage makes that one go away
    const json = JSON.parse((await doctor(dir, ["--json"], { CATALYST_OTLP_ENDPOINT: refusingUrl, CATALYST_OPENAI_INCLUDE_USAGE: "on" })).stdout);
    expect(json.problems.map((p: any) => p.what).join("\n")).not.toContain("include_usage");
  });

  it("NODE_OPTIONS loads the preload; AI SDK 6 on this Node needs import-in-the-middle", async () => {
    const dir = app({ name: "v6-app", type: "module", scripts: { start: "node app.mjs" } }, { "app.mjs": 'import { streamText } from "ai";\n' }, { "@inference/tracing": ROOT, ai: repoPackage("ai") });
    const r = await doctor(dir, ["--json"], { NODE_OPTIONS: "--import @inference/tracing/register" });
    const report = JSON.parse(r.stdout);
    expect(report.preload).toMatchObject({ loaded: true, how: ["NODE_OPTIONS"] });
    // the doctor runs on Node 20 here: no in-thread hooks, so the off-thread loader
    expect(report.esm.mode).toBe(process.versions.node.startsWith("20.") ? "loader" : "sync");
    expect(report.esm.why).toContain("the app imports ai");
    expect(report.localView.running).toBe(false);
    expect(r.code).toBe(0);
  });
});
