/**
 * Spans are never lost because the process ended, and the process ends exactly as it would
 * without us: natural exit, signals with and without an app handler, process.exit(), crashes.
 */
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";
import { FIXTURES, node, type RunResult } from "../helpers/run";
import { useServers } from "../helpers/servers";

const APPS = path.join(FIXTURES, "apps/doors");
const servers = useServers();
const PRELOAD = ["--import", "@inference/tracing/register"];
const baseEnv = () => servers.env();
const waitForLLM = (marker: string) => servers.waitForLLM(marker);

/** Start the server app, make one request, then send `signal`. */
async function serverStoppedBy(signal: NodeJS.Signals, traced: boolean, extraEnv: Record<string, string> = {}, requestPath = "/"): Promise<RunResult & { marker: string }> {
  const marker = `srv-${signal}-${traced}-${Math.random().toString(36).slice(2, 8)}`;
  let sent = false;
  const r = await node([...(traced ? PRELOAD : []), path.join(APPS, "server.mjs")], {
    env: { ...baseEnv(), CATALYST_SERVICE_NAME: marker, ...extraEnv },
    onStdout: (text: string, child: ChildProcess) => {
      const m = /listening (\d+)/.exec(text);
      if (!m || sent) return;
      sent = true;
      fetch(`http://127.0.0.1:${m[1]}${requestPath}`)
        // "/slow" answers its headers while its model call is still streaming
        .then((res) => (requestPath === "/slow" ? undefined : res.text()))
        .then(() => child.kill(signal));
    },
  });
  return { ...r, marker };
}

describe("signals", () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    it(`${signal} with no app handler: spans flushed, then the process dies of ${signal} as it would untraced`, async () => {
      const bare = await serverStoppedBy(signal, false);
      const traced = await serverStoppedBy(signal, true);
      expect(bare.signal).toBe(signal);
      expect(traced.signal).toBe(signal);
      expect(traced.code).toBe(bare.code);
      expect(traced.stdout.replace(/\d+/, "N")).toBe(bare.stdout.replace(/\d+/, "N"));
      // default batching (1 s delay): only the signal-time flush can have sent this span
      await waitForLLM(traced.marker);
    });
  }

  it("SIGTERM during a streamed model call: the open LLM span is ended, marked incomplete, and exported", async () => {
    const bare = await serverStoppedBy("SIGTERM", false, {}, "/slow");
    const traced = await serverStoppedBy("SIGTERM", true, {}, "/slow");
    expect(bare.signal).toBe("SIGTERM");
    expect(traced.signal).toBe("SIGTERM");
    expect(traced.stdout.replace(/\d+/, "N")).toBe(bare.stdout.replace(/\d+/, "N"));
    const [llm] = await waitForLLM(traced.marker);
    expect(llm!.attributes["inference.tracing.incomplete"]).toBe(true);
    expect(llm!.attributes["inference.tracing.end_reason"]).toBe("SIGTERM");
    expect(llm!.attributes["llm.streaming"]).toBe(true);
  });

  it("SIGTERM with a short shutdown budget while the stream's token estimate is still loading: the span is sent without it", async () => {
    // the tokenizer needs ~0.5 s of CPU to load, so a 500 ms budget cannot wait for it: the flush
    // gives asynchronous steps half its budget, then sends what the synchronous transforms made
    const traced = await serverStoppedBy("SIGTERM", true, { CATALYST_SHUTDOWN_TIMEOUT_MS: "500" }, "/slow");
    expect(traced.signal).toBe("SIGTERM");
    const [llm] = await waitForLLM(traced.marker);
    expect(llm!.attributes["inference.tracing.end_reason"]).toBe("SIGTERM");
    expect(traced.stderr).not.toMatch(/not confirmed/);
  });

  it("SIGTERM with the app's own handler: we flush, the app decides how to exit", async () => {
    const bare = await serverStoppedBy("SIGTERM", false, { APP_HANDLES_SIGTERM: "1" });
    const traced = await serverStoppedBy("SIGTERM", true, { APP_HANDLES_SIGTERM: "1" });
    expect(bare.code).toBe(7);
    expect(traced.code).toBe(7);
    expect(traced.signal).toBeNull();
    expect(traced.stdout.replace(/\d+/, "N")).toBe(bare.stdout.replace(/\d+/, "N"));
    expect(traced.stdout).toContain("app: closed");
    await waitForLLM(traced.marker);
  });
});

describe("exits", () => {
  it("natural exit: flushed, and nothing of ours keeps the finished process alive", async () => {
    const marker = `natural-${Date.now()}`;
    const started = Date.now();
    const r = await node([...PRELOAD, path.join(APPS, "esm-app.mjs")], { env: { ...baseEnv(), CATALYST_SERVICE_NAME: marker } });
    expect(r.code).toBe(0);
    // not a speed check: a timer of ours holding the process would keep it 30 s (a stitched run's
    // idle end) or a back-off; the bound leaves room for a loaded machine's start-up
    expect(Date.now() - started).toBeLessThan(25_000);
    await waitForLLM(marker);
  });

  it("process.exit(): exit code unchanged; `await flush()` first delivers the spans", async () => {
    const bare = await node([path.join(APPS, "exit-app.mjs")], { env: baseEnv() });
    const marker = `exit-${Date.now()}`;
    const r = await node([...PRELOAD, path.join(APPS, "exit-app.mjs")], { env: { ...baseEnv(), CATALYST_SERVICE_NAME: marker, FLUSH_FIRST: "1" } });
    expect(bare.code).toBe(3);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(bare.stdout);
    await waitForLLM(marker);
  });

  it("process.exit() in the middle of a stream: exit code unchanged; the open LLM span is ended, marked incomplete, and sent at exit", async () => {
    const env = { ...baseEnv(), EXIT_MID_STREAM: "1" };
    const bare = await node([path.join(APPS, "exit-app.mjs")], { env });
    const marker = `exit-mid-${Date.now()}`;
    const r = await node([...PRELOAD, path.join(APPS, "exit-app.mjs")], { env: { ...env, CATALYST_SERVICE_NAME: marker } });
    expect(bare.code).toBe(4);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe(bare.stdout);
    const [llm] = await waitForLLM(marker);
    expect(llm!.attributes["inference.tracing.incomplete"]).toBe(true);
    expect(llm!.attributes["inference.tracing.end_reason"]).toBe("process exit");
    expect(llm!.attributes["llm.model_name"]).toBeDefined();
  });

  it("an uncaught exception: same message, same exit code, no crash listeners added", async () => {
    const bare = await node([path.join(APPS, "crash.mjs")], { env: baseEnv() });
    const marker = `crash-${Date.now()}`;
    const r = await node([...PRELOAD, path.join(APPS, "crash.mjs")], { env: { ...baseEnv(), CATALYST_SERVICE_NAME: marker, CATALYST_BATCHING: "simple" } });
    expect(bare.code).toBe(1);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(bare.stdout);
    expect(r.stdout).toContain("listeners: 0 0");
    expect(r.stderr).toContain("Error: app crashed on purpose");
  });
});
