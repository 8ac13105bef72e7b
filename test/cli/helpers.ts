/** Running the real CLI (bin/cli.js) and the fixture agent through the preload, as subprocesses. */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { ROOT, cleanEnv, node, type RunResult } from "../helpers/run";

export const CLI = path.join(ROOT, "bin", "cli.js");
export const AGENT = path.join(ROOT, "fixtures", "apps", "local-view-agent", "agent.mjs");

export interface OpenAIMock {
  baseURL: string;
  close(): Promise<void>;
}
export async function startOpenAIMock(): Promise<OpenAIMock> {
  // @ts-expect-error plain ESM fixture without types
  const { startMockOpenAI } = await import("../../fixtures/mock-providers/openai.mjs");
  return startMockOpenAI();
}

/** `inference-tracing <args>`; resolves with exit code and output. */
export function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return node([CLI, ...args], { env: { NO_COLOR: "1", ...env }, timeoutMs: 30_000 });
}

/** The fixture agent through the zero-code preload, exporting to `endpoint` (or as told by env). */
export function runAgent(env: Record<string, string | undefined>, preload = true): Promise<RunResult> {
  return node(preload ? ["--import", "@inference/tracing/register", AGENT] : [AGENT], {
    env: { CATALYST_BATCHING: "simple", ...env },
    timeoutMs: 45_000,
  });
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  waitFor(pattern: RegExp, stream?: "stdout" | "stderr", timeoutMs?: number): Promise<RegExpExecArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A long-running CLI command (serve, tail). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv({ NO_COLOR: "1", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (d) => {
    out += d;
    for (const w of [...waiters]) w();
  });
  child.stderr!.on("data", (d) => {
    err += d;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, stream = "stdout", timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stream === "stdout" ? out : err);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern} on ${stream}\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop(signal = "SIGINT") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** `serve` on a free port; resolves once it listens. */
export async function startServe(dataDir: string, extra: string[] = []): Promise<Proc & { url: string }> {
  const p = startCli(["serve", "--port", "0", "--data-dir", dataDir, ...extra]);
  const m = await p.waitFor(/OTLP\/HTTP\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/traces/);
  return Object.assign(p, { url: m[1]! });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}
