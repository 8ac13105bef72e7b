/**
 * A closed stderr (the reader of a pipe went away: `app 2>&1 | head -n 1`) must never crash the
 * app or change its exit code: everything the agent prints afterwards (the console tree, debug and
 * warning lines) is dropped instead of becoming an unhandled 'error' event. Real subprocesses in a
 * real shell pipeline, on every runtime.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, FIXTURES, ROOT } from "../helpers/run";
import { runtimePath, selectedRuntimes } from "../helpers/runtimes";

const APP = path.join(FIXTURES, "apps", "core", "closed-output.mjs");

/** Run `<command> 2>&1 | head -n 1` in bash; the app's own exit status and what head printed. */
function throughHead(command: string[], env: Record<string, string> = {}): Promise<{ status: number; firstLine: string }> {
  const quoted = command.map((a) => `'${a}'`).join(" ");
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      ["-c", `${quoted} 2>&1 | head -n 1; echo "status=\${PIPESTATUS[0]}"`],
      { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 },
      (err, stdout) => {
        if (err) return reject(err);
        const lines = stdout.trim().split("\n");
        resolve({ status: Number(/status=(\d+)/.exec(lines.at(-1) ?? "")?.[1]), firstLine: lines[0] ?? "" });
      },
    );
  });
}

describe("a closed stderr", () => {
  for (const runtime of selectedRuntimes()) {
    const exe = runtimePath(runtime);
    const door = runtime === "bun" ? ["--preload", "@inference/tracing/register"] : ["--import", "@inference/tracing/register"];
    it(`${runtime}: same exit status as untraced when the console tree, then debug lines, hit a closed pipe`, async () => {
      const plain = await throughHead([exe, APP]);
      expect(plain).toEqual({ status: 0, firstLine: "line one" });
      const tree = await throughHead([exe, ...door, APP]);
      expect(tree.status).toBe(0);
      expect(tree.firstLine).toContain("[@inference/tracing] traces → stderr");
      const debugLines = await throughHead([exe, ...door, APP], { CATALYST_DEBUG: "1", CATALYST_CONSOLE: "off" });
      expect(debugLines.status).toBe(0);
    }, 90_000);
  }
});
