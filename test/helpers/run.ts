/** Start real subprocesses (node, other Node majors, bun) and collect what they print. */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
export const FIXTURES = path.join(ROOT, "fixtures");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  /** Called once the child printed this text on stdout (e.g. to send it a signal). */
  onStdout?: (text: string, child: import("node:child_process").ChildProcess) => void;
}

/** Environment for a traced child: no inherited CATALYST_*, OTEL_* or NODE_OPTIONS leaks. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (/^(CATALYST_|OTEL_|OTLP_|OPENINFERENCE_)/.test(k) || k === "NODE_OPTIONS" || k === "SERVICE_NAME") continue;
    if (k.startsWith("VITEST") || k === "NODE_ENV") continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      // the version matrix's project (CATALYST_TEST_SDK_DIR), so a door there resolves that project's copy of us
      cwd: options.cwd ?? process.env.CATALYST_TEST_SDK_DIR ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`timed out after ${options.timeoutMs ?? 30000}ms: ${command} ${args.join(" ")}\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A Node subprocess, on the first Node runtime CATALYST_TEST_RUNTIMES selects (the machine's Node
 * by default): `CATALYST_TEST_RUNTIMES=node24` runs every such test on Node 24.
 */
export const node = (args: string[], options?: RunOptions) => run(selectedNode(), args, options);

function selectedNode(): string {
  // a lazy import: runtimes.ts imports this file
  const { runtimePath, selectedRuntimes } = require("./runtimes") as typeof import("./runtimes");
  const first = selectedRuntimes().find((r) => r !== "bun");
  return first ? runtimePath(first) : process.execPath;
}
export const BUN = path.join(ROOT, "node_modules", ".bin", "bun");

/** What a traced process printed on stderr besides our one start line ("traces → …", which says where traces go). */
export const besidesStartLine = (stderr: string) => stderr.replace(/^\[@inference\/tracing\] traces → .*\n/m, "");
