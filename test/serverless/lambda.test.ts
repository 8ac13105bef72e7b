/**
 * AWS Lambda, through a stand-in of its Node.js runtime (fixtures/lambda/runtime.mjs: the handler
 * is found from LAMBDA_TASK_ROOT and _HANDLER and loaded with a dynamic import(), as the real
 * runtime does), with the preload given in NODE_OPTIONS as a function's configuration gives it:
 *  - an ES module handler with no tracing code is traced with the preload alone;
 *  - wrapHandler(): the process is frozen (SIGSTOP) right after the runtime has the handler's
 *    answer, and the receiver already holds every span of that invocation.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, besidesStartLine, cleanEnv } from "../helpers/run";
import { useServers } from "../helpers/servers";
import { byKind } from "../helpers/spans";

const servers = useServers();
const RUNTIME = path.join(FIXTURES, "lambda/runtime.mjs");
const PRELOAD = `--import ${path.join(ROOT, "register.mjs")}`;

interface Lambda {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stdout has `count` answer lines. */
  answers(count: number): Promise<string[]>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill("SIGKILL");
});

function startLambda(fn: string, handler: string, env: Record<string, string>): Lambda {
  const child = spawn(process.execPath, [RUNTIME], {
    cwd: path.join(FIXTURES, "lambda", fn),
    env: cleanEnv({ LAMBDA_TASK_ROOT: path.join(FIXTURES, "lambda", fn), _HANDLER: handler, AWS_LAMBDA_FUNCTION_NAME: fn, ...servers.env(), ...env }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  const answers = async (count: number) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const lines = out.split("\n").filter((l) => /^(RESULT|ERROR) /.test(l));
      if (lines.length >= count) return lines;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no answer ${count}: stdout ${out} stderr ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stdout: () => out, stderr: () => err, answers };
}

/** Stopped by SIGSTOP: the state letter in /proc/<pid>/stat is T. */
async function frozen(child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the function did not freeze");
}

const llmOf = (service: string) => byKind(servers.receiver.spans.filter((s) => s.resource["service.name"] === service), "LLM");

describe("Lambda: an ES module handler loaded with import()", () => {
  it("is traced with the preload in NODE_OPTIONS alone", async () => {
    const lambda = startLambda("esm-zero-code", "index.handler", { NODE_OPTIONS: PRELOAD, LAMBDA_EVENTS: JSON.stringify([{ question: "zero code" }]) });
    const [answer] = await lambda.answers(1);
    expect(answer).toBe('RESULT 1 {"answer":"Echo: zero code"}');
    // no wrapHandler: the spans leave on the export timer
    await servers.receiver.waitForSpans(() => llmOf("esm-zero-code-function").length === 1, 10_000);
    const [span] = llmOf("esm-zero-code-function");
    expect(span!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
    expect(span!.attributes["llm.input_messages.0.message.content"]).toBe("zero code");
    expect(besidesStartLine(lambda.stderr())).toBe("");
  });
});

describe("Lambda: wrapHandler()", () => {
  it("an async handler: every span of the invocation is at the receiver when the process freezes after its answer", async () => {
    const events = [{ question: "first" }, { question: "second" }, { fail: "on purpose" }, { model: "error-500", question: "upstream" }];
    const lambda = startLambda("wrapped-esm", "index.handler", { NODE_OPTIONS: PRELOAD, LAMBDA_EVENTS: JSON.stringify(events), LAMBDA_FREEZE: "1" });
    const expected = [
      'RESULT 1 {"answer":"Echo: first"}',
      'RESULT 2 {"answer":"Echo: second"}',
      "ERROR 3 failed: on purpose",
      "ERROR 4 500 mock error 500",
    ];
    const spansPerInvocation = [1, 1, 0, 1];
    let llm = 0;
    for (let i = 0; i < events.length; i++) {
      const lines = await lambda.answers(i + 1);
      expect(lines[i]).toBe(expected[i]);
      await frozen(lambda.child);
      // frozen: nothing more can leave the process; what the receiver holds is what was exported
      llm += spansPerInvocation[i]!;
      const spans = llmOf("wrapped-esm-function");
      expect(spans).toHaveLength(llm);
      if (i === 3) expect(spans.at(-1)!.status.code).toBe(2);
      lambda.child.kill("SIGCONT");
    }
    expect(llmOf("wrapped-esm-function").map((s) => s.attributes["llm.input_messages.0.message.content"])).toEqual(["first", "second", "upstream"]);
  });

  it("a callback handler: the callback reaches the runtime once the spans are exported", async () => {
    const lambda = startLambda("wrapped-callback", "index.handler", { NODE_OPTIONS: PRELOAD, LAMBDA_EVENTS: JSON.stringify([{ question: "callback" }]), LAMBDA_FREEZE: "1" });
    const [answer] = await lambda.answers(1);
    expect(answer).toBe('RESULT 1 {"answer":"Echo: callback","request":"request-1"}');
    await frozen(lambda.child);
    const [span] = llmOf("wrapped-callback-function");
    expect(span!.attributes["llm.system"]).toBe("anthropic");
    expect(span!.attributes["llm.input_messages.0.message.content"]).toBe("callback");
  });
});

describe("per-request flush: setWaitUntil()", () => {
  /** The service under the preload; resolves with its port once it listens. */
  async function startService(env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", path.join(ROOT, "register.mjs"), path.join(FIXTURES, "serverless/wait-until.mjs")], {
      env: cleanEnv({ ...servers.env(), OPENAI_API_KEY: "sk-test", ...env }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    started.push(child);
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    const waitFor = async (pattern: RegExp) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} in: ${out}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const port = Number((await waitFor(/^PORT (\d+)$/m))[1]);
    return { child, port, waitFor };
  }

  const spansOf = (service: string) => servers.receiver.spans.filter((s) => s.resource["service.name"] === service);

  it("each request's spans are exported before the platform freezes the function (batch timer never runs)", async () => {
    const service = "wait-until-service";
    const fn = await startService({ GIVE_WAIT_UNTIL: "1", CATALYST_SERVICE_NAME: service });
    for (const [n, q] of [[1, "first"], [2, "second"]] as const) {
      expect(await (await fetch(`http://127.0.0.1:${fn.port}/?q=${q}`)).text()).toBe(`Echo: ${q}`);
      await fn.waitFor(new RegExp(`^FROZEN ${n}$`, "m"));
      await frozen(fn.child);
      // frozen: what the receiver holds is what left before the freeze — the request's root and its LLM span
      const llm = byKind(spansOf(service), "LLM");
      expect(llm.map((s) => s.attributes["llm.input_messages.0.message.content"])).toEqual(["first", "second"].slice(0, n));
      const root = spansOf(service).find((s) => s.spanId === llm.at(-1)!.parentSpanId);
      expect(root?.kind).toBe(2); // SERVER
      fn.child.kill("SIGCONT");
    }
  });

  it("without it, a function frozen after its response has exported nothing", async () => {
    const service = "no-wait-until-service";
    const fn = await startService({ CATALYST_SERVICE_NAME: service });
    expect(await (await fetch(`http://127.0.0.1:${fn.port}/?q=lost`)).text()).toBe("Echo: lost");
    await fn.waitFor(/^FROZEN 1$/m);
    await frozen(fn.child);
    await new Promise((r) => setTimeout(r, 1500));
    expect(spansOf(service)).toEqual([]);
  });
});
