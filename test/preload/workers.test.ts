/**
 * Worker threads of the app: traced only with CATALYST_WORKERS=on (each worker then starts its own
 * tracing and export); never Node's own loader-hooks thread, where --require preloads run again.
 * The app's output is the same either way.
 */
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, run, besidesStartLine } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const app = path.join(FIXTURES, "apps/workers/app.cjs");
const EXPECTED_STDOUT = "main: Echo: from main\nworker: Echo: from worker\n";
let receiver: Receiver;
let mock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockOpenAI();
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});
beforeEach(() => receiver.clear());

async function traced(runtime: RuntimeName, door: string, env: Record<string, string>) {
  const r = await run(runtimePath(runtime), [door, "@inference/tracing/register", app], {
    env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, ...env },
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(EXPECTED_STDOUT);
  // with an endpoint set nothing is printed but where traces go, once, from any thread
  expect(r.stderr.match(/traces →/g)).toHaveLength(1);
  expect(besidesStartLine(r.stderr)).toBe("");
  return r;
}
const prompts = () => receiver.spans.map((s) => s.attributes["llm.input_messages.0.message.content"]).sort();

describe("worker threads", () => {
  it("are left alone by default: the main thread's call is traced, the worker's is not", async () => {
    await traced("node20", "--require", { WORKER_FILE: "job.cjs" });
    await receiver.waitForSpans((s) => s.length >= 1);
    await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
    expect(prompts()).toEqual(["from main"]);
  });

  const runtimes = selectedRuntimes().filter((r) => r !== "bun");
  it.each(
    runtimes.flatMap((rt) => [
      [rt, "--require", "job.cjs"],
      [rt, "--import", "job.mjs"],
    ]),
  )("with CATALYST_WORKERS=on (%s %s, a %s worker) the worker's call is traced too", async (runtime, door, job) => {
    await traced(runtime as RuntimeName, door, { WORKER_FILE: job, CATALYST_WORKERS: "on" });
    await receiver.waitForSpans((s) => s.length >= 2);
    expect(prompts()).toEqual(["from main", "from worker"]);
    for (const s of receiver.spans) expect(s.attributes["openinference.span.kind"]).toBe("LLM");
  });

  it("in the off-thread loader mode, each worker's loader thread is not mistaken for an app thread", async () => {
    await traced("node20", "--require", { WORKER_FILE: "job.mjs", CATALYST_WORKERS: "on", CATALYST_ESM_MODE: "loader" });
    await receiver.waitForSpans((s) => s.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(prompts()).toEqual(["from main", "from worker"]);
  });

  it("print one start line per process, and the worker's trace on the console like the main thread's", async () => {
    const r = await run(process.execPath, ["--require", "@inference/tracing/register", app], {
      env: { OPENAI_BASE_URL: mock.baseURL, WORKER_FILE: "job.cjs", CATALYST_WORKERS: "on" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(EXPECTED_STDOUT);
    expect(r.stderr.match(/traces →/g)).toHaveLength(1);
    expect(r.stderr.match(/^◆ trace /gm)).toHaveLength(2);
  });
});
