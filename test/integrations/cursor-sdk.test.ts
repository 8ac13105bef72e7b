/**
 * Cursor SDK, zero-code: the real @cursor/sdk cloud runtime pointed (CURSOR_BACKEND_URL, the SDK's
 * own setting) at a local stand-in for the Cursor Cloud Agents API (REST + Server-Sent Events,
 * fixtures/mock-providers/cursor-cloud.mjs), run as a subprocess under the preload.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { node } from "../helpers/run";
import { fixtureApp } from "../helpers/sdk-project";
import { byKind, childrenOf, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockCursorCloud } from "../../fixtures/mock-providers/cursor-cloud.mjs";

const APP = fixtureApp("cursor-cloud/app.js");
const PRELOAD = ["--import", "@inference/tracing/register"];

let receiver: Receiver;
let mock: any;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mock = await startMockCursorCloud();
});
afterAll(async () => {
  await receiver.close();
  await mock.close();
});

async function traced(args: string[] = [], extra: Record<string, string> = {}) {
  receiver.clear();
  const r = await node([...PRELOAD, APP, ...args], {
    env: { CURSOR_BACKEND_URL: mock.url, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", ...extra },
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "Cursor agent run"), 10_000);
  return { r, spans };
}
const plain = (args: string[] = [], extra: Record<string, string> = {}) =>
  node([APP, ...args], { env: { CURSOR_BACKEND_URL: mock.url, ...extra }, timeoutMs: 60_000 });

describe("a streamed Cursor cloud run through the zero-code preload", () => {
  let spans: ReceivedSpan[];
  let stdout: string;
  let agentId: string;
  let runId: string;
  beforeAll(async () => {
    const t = await traced();
    spans = t.spans;
    stdout = t.r.stdout;
    agentId = [...mock.agents.keys()].at(-1);
    runId = [...mock.runs.keys()].at(-1);
  }, 90_000);

  it("leaves the app's output unchanged", async () => {
    const p = await plain();
    expect(p.code).toBe(0);
    expect(stdout).toBe(p.stdout);
    expect(stdout).toContain("result: finished Found 2 files: README.md, app.js in 1500ms");
  }, 90_000);

  it("records the run as an AGENT span: agent id, run id, model, prompt, final text, status, usage, duration", () => {
    const run = one(byKind(spans, "AGENT"), () => true, "AGENT span");
    expect(run.parentSpanId).toBeFalsy();
    expect(run.attributes).toMatchObject({
      "agent.id": agentId,
      "agent.name": "repo-helper",
      "session.id": agentId,
      "cursor.run.id": runId,
      "llm.model_name": "composer-1",
      "input.value": "List the files in this repo",
      "output.value": "Found 2 files: README.md, app.js",
      "cursor.run.status": "finished",
      "cursor.run.duration_ms": 1500,
      "llm.token_count.prompt": 1600,
      "llm.token_count.completion": 85,
      "llm.token_count.total": 1685,
      "llm.token_count.prompt_details.cache_read": 400,
      "agent.tool_call_count": 2,
    });
    expect(run.status.code).toBe(1);
    expect(JSON.stringify(run.attributes)).not.toContain("key_test_123");
  });

  it("records each tool call once, as a TOOL span under the run (shell: command in, stdout out, exit code)", () => {
    const run = one(byKind(spans, "AGENT"), () => true);
    const tools = byKind(spans, "TOOL");
    expect(tools.map((t) => t.name).sort()).toEqual(["read", "shell"]);
    expect(tools.every((t) => t.parentSpanId === run.spanId)).toBe(true);
    const shell = tools.find((t) => t.name === "shell")!;
    expect(shell.attributes).toMatchObject({
      "tool.name": "shell",
      "tool_call.id": "call_shell_1",
      "input.value": "ls",
      "output.value": "README.md\napp.js\n",
      "cursor.shell.exit_code": 0,
    });
    expect(shell.status.code).toBe(1);
    const read = tools.find((t) => t.name === "read")!;
    expect(read.attributes["input.value"]).toBe('{"path":"README.md"}');
    expect(JSON.parse(read.attributes["output.value"])).toEqual({ content: "# Demo\n", totalLines: 1, fileSize: 7 });
    expect(childrenOf(spans, shell)).toHaveLength(0);
  });
});

describe("Cursor SDK: other shapes and failures", () => {
  it("a CommonJS app under --require gets the same tree, with unchanged output", async () => {
    const cjs = fixtureApp("cursor-cloud/app.cjs");
    receiver.clear();
    const r = await node(["--require", "@inference/tracing/register", cjs], {
      env: { CURSOR_BACKEND_URL: mock.url, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple" },
      timeoutMs: 60_000,
    });
    const p = await node([cjs], { env: { CURSOR_BACKEND_URL: mock.url }, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(p.stdout);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "Cursor agent run"), 10_000);
    const run = one(byKind(spans, "AGENT"), () => true);
    expect(run.attributes["output.value"]).toBe("Found 2 files: README.md, app.js");
    expect(byKind(spans, "TOOL").map((t) => t.name).sort()).toEqual(["read", "shell"]);
  }, 90_000);

  it("a run the app only wait()s on still gets its TOOL spans (from the SDK's onDelta updates)", async () => {
    const { r, spans } = await traced([], { WAIT_ONLY: "1" });
    expect(r.stdout).toBe("result: finished Found 2 files: README.md, app.js\n");
    expect(byKind(spans, "TOOL").map((t) => t.name).sort()).toEqual(["read", "shell"]);
    const run = one(byKind(spans, "AGENT"), () => true);
    expect(run.attributes["llm.token_count.total"]).toBe(1685);
  }, 90_000);

  it("a shell step with a non-zero exit code is an ERROR TOOL span; the run itself finishes OK", async () => {
    const { spans } = await traced(["run a failing command"]);
    const shell = one(byKind(spans, "TOOL"), () => true);
    expect(shell.status.code).toBe(2);
    expect(shell.status.message).toBe("exit code 2: cat: missing.txt: no such file");
    expect(shell.attributes["cursor.shell.exit_code"]).toBe(2);
    expect(shell.attributes["output.value"]).toBe("cat: missing.txt: no such file");
    expect(one(byKind(spans, "AGENT"), () => true).status.code).toBe(1);
  }, 90_000);

  it("a run that ends in error: AGENT span ERROR with the run's error message and code", async () => {
    const { r, spans } = await traced(["crash please"]);
    const p = await plain(["crash please"]);
    expect(r.stdout).toBe(p.stdout);
    const run = one(byKind(spans, "AGENT"), () => true);
    expect(run.status).toMatchObject({ code: 2, message: "model overloaded" });
    expect(run.attributes["cursor.run.status"]).toBe("error");
    expect(run.attributes["cursor.error.code"]).toBe("internal");
  }, 90_000);

  it("Agent.prompt (create + send + wait in one call) is one AGENT span with the result and usage", async () => {
    const { r, spans } = await traced([], { ONE_SHOT: "1" });
    expect(r.stdout).toBe("result: finished Found 2 files: README.md, app.js\n");
    const run = one(byKind(spans, "AGENT"), () => true);
    expect(run.attributes).toMatchObject({
      "input.value": "List the files in this repo",
      "output.value": "Found 2 files: README.md, app.js",
      "llm.token_count.total": 1685,
      "cursor.run.status": "finished",
    });
  }, 90_000);

  it("with every extractor failing, the app's output is unchanged and the run span still ends", async () => {
    const p = await plain();
    const { r, spans } = await traced([], { CATALYST_TEST_FAULTS: "cursor.runInput,cursor.onDelta,cursor.stream,cursor.toolOutput,cursor.runOutput" });
    expect(r.stdout).toBe(p.stdout);
    const run = one(byKind(spans, "AGENT"), () => true);
    expect(run.attributes["inference.tracing.incomplete"]).toBe(true);
    expect(run.status.code).toBe(1);
  }, 90_000);
});
