/**
 * Every zero-code door, on every runtime: real subprocesses running small apps written as users
 * write them (no tracing code) with the real openai package against the mock OpenAI server.
 * Each app must print exactly what it prints untraced, and its model calls must reach the OTLP
 * receiver as LLM spans.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, run, type RunResult } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
import { useServers } from "../helpers/servers";

const APPS = path.join(FIXTURES, "apps/doors");
const servers = useServers();
const env = (extra: Record<string, string> = {}) => servers.env({ CATALYST_BATCHING: "simple", CATALYST_DEBUG: "1", ...extra });

/** Run `args` on `runtime`, untraced (no preload flags) and traced, and return both. */
async function traced(runtime: RuntimeName, preload: string[], app: string, extraEnv: Record<string, string> = {}) {
  const bin = runtimePath(runtime);
  const bare = await run(bin, [app], { env: env(extraEnv), timeoutMs: 60_000 });
  const marker = `run-${Math.random().toString(36).slice(2)}`;
  const result = await run(bin, [...preload, app], { env: env({ ...extraEnv, CATALYST_SERVICE_NAME: marker }), timeoutMs: 60_000 });
  return { bare, result, marker };
}

const llmSpansOf = (marker: string, count: number) => servers.waitForLLM(marker, count);

function expectSameOutput(bare: RunResult, result: RunResult) {
  expect(bare.code).toBe(0);
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(bare.stdout);
}

for (const runtime of selectedRuntimes()) {
  const isBun = runtime === "bun";
  describe(`zero-code doors on ${runtime}`, () => {
    beforeAll(() => {
      runtimePath(runtime); // resolve (download) once, outside the individual tests' time
    }, 240_000);

    if (!isBun) {
      it("--import: an ESM app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "esm-app.mjs"));
        expectSameOutput(bare, result);
        const [span] = await llmSpansOf(marker, 1);
        expect(span!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
        expect(result.stderr).toMatch(/patched openai@\S+ \(esm\)/);
      });

      it("--require: a CommonJS app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--require", "@inference/tracing/register"], path.join(APPS, "cjs-app.cjs"));
        expectSameOutput(bare, result);
        await llmSpansOf(marker, 1);
        expect(result.stderr).toMatch(/patched openai@\S+ \(cjs\)/);
      });

      it("--import: a CommonJS app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "cjs-app.cjs"));
        expectSameOutput(bare, result);
        await llmSpansOf(marker, 1);
      });

      it("NODE_OPTIONS=--import: an ESM app, and a child process it forks is traced too", async () => {
        const { bare, result, marker } = await traced(runtime, [], path.join(APPS, "fork-parent.mjs"), {
          NODE_OPTIONS: "--import @inference/tracing/register",
        });
        // the bare run had NODE_OPTIONS too: compare with a truly bare run instead
        const truly = await run(runtimePath(runtime), [path.join(APPS, "fork-parent.mjs")], {
          env: { OPENAI_BASE_URL: servers.openai.baseURL },
        });
        expect(bare.code).toBe(0);
        expect(result.stdout).toBe(truly.stdout);
        await llmSpansOf(marker, 1);
      });

      it("mixed: an ESM app using a CommonJS library that requires openai (both copies traced)", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "mixed-esm-app.mjs"));
        expectSameOutput(bare, result);
        const spans = await llmSpansOf(marker, 2);
        expect(spans).toHaveLength(2);
        expect(result.stderr).toMatch(/patched openai@\S+ \(cjs\)/);
        expect(result.stderr).toMatch(/patched openai@\S+ \(esm\)/);
      });

      it("mixed: a CommonJS app importing an ESM library that imports openai", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "mixed-cjs-app.cjs"));
        expectSameOutput(bare, result);
        await llmSpansOf(marker, 1);
      });

      it("both provider SDKs in one ESM app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "both-sdks.mjs"));
        expectSameOutput(bare, result);
        const spans = await llmSpansOf(marker, 2);
        expect(spans.map((s) => s.attributes["llm.system"]).sort()).toEqual(["anthropic", "openai"]);
      });

      it("a deep import of an SDK class shares the patched prototype", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register"], path.join(APPS, "deep-import.mjs"));
        expectSameOutput(bare, result);
        expect(result.stdout).toContain("same class: true");
        await llmSpansOf(marker, 1);
      });

      it("starting twice (NODE_OPTIONS plus a flag) gives one pipeline and one span per call", async () => {
        const { bare, result, marker } = await traced(runtime, ["--import", "@inference/tracing/register", "--require", "@inference/tracing/register"], path.join(APPS, "esm-app.mjs"), {
          NODE_OPTIONS: "--import @inference/tracing/register",
        });
        expectSameOutput(bare, result);
        await llmSpansOf(marker, 1);
        await new Promise((r) => setTimeout(r, 300));
        expect(servers.receiver.spans.filter((s) => s.resource["service.name"] === marker)).toHaveLength(1);
      });
    } else {
      it("bun --preload: a TypeScript ESM app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--preload", "@inference/tracing/register"], path.join(APPS, "ts-app.ts"));
        expectSameOutput(bare, result);
        const [span] = await llmSpansOf(marker, 1);
        expect(span!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
        // under Bun the SDK's ES module is imported (awaited by the preload), not require()d
        expect(result.stderr).toMatch(/patched openai@\S+ \(esm\)/);
        expect(result.stderr).toMatch(/loaded 1 supported SDK\(s\) in \d+ ms \(import\)/);
      });

      it("bun --preload: a CommonJS app", async () => {
        const { bare, result, marker } = await traced(runtime, ["--preload", "@inference/tracing/register"], path.join(APPS, "cjs-app.cjs"));
        expectSameOutput(bare, result);
        await llmSpansOf(marker, 1);
      });

      it("bunfig.toml preload", async () => {
        // a project folder inside the repository, so the package resolves as it would for a user
        fs.mkdirSync(path.join(ROOT, "test-output"), { recursive: true });
        const dir = fs.mkdtempSync(path.join(ROOT, "test-output", "bunfig-"));
        fs.writeFileSync(path.join(dir, "bunfig.toml"), `preload = ["@inference/tracing/register"]\n`);
        const marker = `bunfig-${Date.now()}`;
        const result = await run(runtimePath("bun"), [path.join(APPS, "ts-app.ts")], { env: env({ CATALYST_SERVICE_NAME: marker }), cwd: dir });
        expect(result.code).toBe(0);
        expect(result.stdout).toBe("Echo: bun door\n");
        await llmSpansOf(marker, 1);
        fs.rmSync(dir, { recursive: true, force: true });
      });
    }
  });
}
