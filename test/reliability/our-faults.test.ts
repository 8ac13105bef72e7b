/**
 * Our own faults: every integration's fixture app runs three times as a real subprocess:
 * without tracing, traced, and traced with CATALYST_TEST_FAULTS=1 (every attribute extractor
 * and stream accumulator throws). With faults on, the app must print exactly the same stdout,
 * the same non-agent stderr, and exit with the same code; the spans must still end and be
 * exported, marked inference.tracing.incomplete.
 *
 * Apps are discovered: fixtures/apps/<dir>/app.{js,mjs,cjs} for every integration folder, plus
 * the zero-code door apps. Each run gets fresh mock provider servers and a fresh receiver.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { startOtlpReceiver } from "../helpers/receiver";
import { FIXTURES, node, type RunResult } from "../helpers/run";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

const APPS_DIR = path.join(FIXTURES, "apps");
/** Folders whose apps are not plain "run and exit" programs (servers, crashes, exit codes on purpose, setup() in code). */
const SKIP_DIRS = new Set(["core"]);
/** Apps this runner cannot drive with the two mock providers, and where their fault mode is covered instead. */
const SKIP_APPS: Record<string, string> = {
  bundled: "the agent is bundled inside the app (it prints its own trace trees): not a zero-code app",
  "changed-sdk": "runs against a changed copy of the AI SDK its own test links as node_modules/ai; covered in test/core/never-silent.test.ts",
  "claude-agent-sdk-basic": "needs the Claude Code CLI config dir and its mock; fault mode covered in test/integrations/claude-agent-sdk-zero-code.test.ts",
  "claude-agent-sdk-cjs": "needs the Claude Code CLI config dir and its mock; fault mode covered in test/integrations/claude-agent-sdk-zero-code.test.ts",
};
const DOOR_APPS = ["esm-app.mjs", "cjs-app.cjs", "both-sdks.mjs"];
/** Endpoints this runner provides; an app that names another *_URL / *_ENDPOINT / *_ORIGIN needs servers of its own. */
const PROVIDED = new Set(["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"]);

function needsOtherServers(file: string): string | undefined {
  const names = new Set(fs.readFileSync(file, "utf8").match(/\b[A-Z][A-Z0-9_]*_(?:URL|ENDPOINT|ORIGIN)\b/g) ?? []);
  const other = [...names].filter((n) => !PROVIDED.has(n));
  return other.length ? `needs servers of its own (${other.join(", ")})` : undefined;
}

function discoverApps(): { app: string; skip?: string }[] {
  const apps: { app: string; skip?: string }[] = [];
  for (const dir of fs.readdirSync(APPS_DIR).sort()) {
    if (SKIP_DIRS.has(dir)) continue;
    const full = path.join(APPS_DIR, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    const entries = ["app.js", "app.mjs", "app.cjs"].map((n) => path.join(full, n)).filter((f) => fs.existsSync(f));
    // one app of a folder naming its own servers (e.g. in a comment) speaks for the folder
    const needs = entries.map(needsOtherServers).find(Boolean);
    for (const app of entries) apps.push({ app, skip: SKIP_APPS[dir] ?? needs });
  }
  for (const name of DOOR_APPS) {
    const p = path.join(APPS_DIR, "doors", name);
    if (fs.existsSync(p)) apps.push({ app: p });
  }
  return apps;
}

interface Outcome extends RunResult {
  spans: ReceivedSpan[];
}

async function runApp(app: string, mode: "plain" | "traced" | "faults"): Promise<Outcome> {
  const openai = await startMockOpenAI();
  const anthropic = await startMockAnthropic();
  const receiver = await startOtlpReceiver();
  try {
    const env: Record<string, string> = {
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_API_KEY: "sk-test-key",
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: "sk-ant-test-key",
    };
    if (mode !== "plain") Object.assign(env, { CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" });
    if (mode === "faults") env.CATALYST_TEST_FAULTS = "1";
    const args = mode === "plain" ? [app] : ["--import", "@inference/tracing/register", app];
    const r = await node(args, { env, timeoutMs: 60_000 });
    return { ...r, spans: [...receiver.spans] };
  } finally {
    await Promise.all([openai.close(), anthropic.close(), receiver.close()]);
  }
}

const appStderr = (s: string) =>
  s
    .split("\n")
    .filter((l) => !l.startsWith("[@inference/tracing]"))
    .join("\n");

const apps = discoverApps();

describe("fault injection (CATALYST_TEST_FAULTS=1) across every fixture app", () => {
  it("found the fixture apps", () => {
    expect(apps.some((a) => a.app.includes("reliability-openai") && !a.skip)).toBe(true);
    expect(apps.some((a) => a.app.includes("openai-esm") && !a.skip)).toBe(true);
    expect(apps.filter((a) => !a.skip).length).toBeGreaterThanOrEqual(3);
  });

  for (const { app, skip } of apps) {
    const label = path.relative(APPS_DIR, app);
    if (skip) {
      it.skip(`${label}: skipped, ${skip}`, () => {});
      continue;
    }
    it(`${label}: same output, errors and exit code; spans still end, marked incomplete`, async () => {
      const plain = await runApp(app, "plain");
      const traced = await runApp(app, "traced");
      const faults = await runApp(app, "faults");

      // the app behaves exactly as without tracing
      expect(faults.code).toBe(plain.code);
      expect(faults.signal).toBe(plain.signal);
      expect(faults.stdout).toBe(plain.stdout);
      expect(appStderr(faults.stderr)).toBe(appStderr(plain.stderr));
      expect(traced.stdout).toBe(plain.stdout);

      // our faults stay in the debug log: nothing printed to the app's stderr about them
      expect(faults.stderr).not.toMatch(/InjectedFault|injected fault/);

      // the spans still end and are exported; those whose attributes failed are marked
      if (traced.spans.length > 0) {
        expect(faults.spans.length).toBeGreaterThan(0);
        // as many of the app's calls ended as in the traced run (their kinds may be missing where the
        // extractor failed); a stitched run is derived from the tools a call offered, which a failed
        // extractor never saw, so its spans may be absent
        const calls = (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes["inference.run.kind"] !== "stitched");
        expect(calls(faults.spans).length).toBe(calls(traced.spans).length);
        expect(faults.spans.some((s) => s.attributes["inference.tracing.incomplete"] === true)).toBe(true);
      }
    });
  }
});
