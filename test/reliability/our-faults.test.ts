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
const DOOR_APPS = ["esm-app.mjs", "cjs-app.cjs", "both-sdks.mjs"];

function discoverApps(): string[] {
  const apps: string[] = [];
  for (const dir of fs.readdirSync(APPS_DIR).sort()) {
    if (SKIP_DIRS.has(dir)) continue;
    const full = path.join(APPS_DIR, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const name of ["app.js", "app.mjs", "app.cjs"]) if (fs.existsSync(path.join(full, name))) apps.push(path.join(full, name));
  }
  for (const name of DOOR_APPS) {
    const p = path.join(APPS_DIR, "doors", name);
    if (fs.existsSync(p)) apps.push(p);
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
    expect(apps.some((a) => a.includes("reliability-openai"))).toBe(true);
    expect(apps.length).toBeGreaterThanOrEqual(3);
  });

  for (const app of apps) {
    const label = path.relative(APPS_DIR, app);
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
        // as many spans ended as in the traced run (their kinds may be missing where the extractor failed)
        expect(faults.spans.length).toBe(traced.spans.length);
        expect(faults.spans.some((s) => s.attributes["inference.tracing.incomplete"] === true)).toBe(true);
      }
    });
  }
});
