/**
 * Never a silent no-op, through the doors: a supported SDK outside the declared range gets one
 * warning line; an SDK we patch whose calls then record no span (fixtures/packages/changed-ai: an
 * `ai` whose generateText ignores the telemetry AI SDK 6 honoured, as AI SDK 7 did) is reported once
 * on stderr — at exit, or a moment after its third call — naming the package, version and where to
 * report it. The app's output and exit code stay the same.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, node } from "../helpers/run";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A project with the changed SDK as node_modules/ai at `version`, and the app. */
function project(version: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "never-silent-"));
  dirs.push(dir);
  const sdk = path.join(dir, "node_modules", "ai");
  fs.cpSync(path.join(FIXTURES, "packages", "changed-ai"), sdk, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(sdk, "package.json"), "utf8"));
  fs.writeFileSync(path.join(sdk, "package.json"), JSON.stringify({ ...pkg, version }));
  fs.mkdirSync(path.join(dir, "node_modules", "@inference"), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, "node_modules", "@inference", "tracing"), "dir");
  fs.copyFileSync(path.join(FIXTURES, "apps", "changed-sdk", "app.cjs"), path.join(dir, "app.cjs"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "changed-sdk-app", private: true }));
  return dir;
}

const run = (dir: string, preload: boolean, env: Record<string, string> = {}) =>
  node([...(preload ? ["--require", "@inference/tracing/register"] : []), path.join(dir, "app.cjs")], { cwd: dir, env: { CATALYST_CONSOLE: "off", ...env }, timeoutMs: 60_000 });

const ourLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("[@inference/tracing]"));
const SILENT = /Vercel AI SDK \(ai@6\.99\.0\) is patched and saw (\d+) calls?, but recorded no span: this version is not traced\. Please report it to .+ with the output of `npx @inference\/tracing doctor`\./;

describe("never a silent no-op", () => {
  it("a version outside the declared range: one warning line, not patched, the app unchanged", async () => {
    const dir = project("8.0.0");
    const plain = await run(dir, false, { CALLS: "2" });
    const traced = await run(dir, true, { CALLS: "2" });
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.code).toBe(plain.code);
    const warnings = ourLines(traced.stderr).filter((l) => l.includes("warning"));
    expect(warnings).toEqual(["[@inference/tracing] warning: ai@8.0.0 is outside the versions of Vercel AI SDK we support (^6.0.0 || ^7.0.0): it is not traced; the app runs unchanged."]);
  });

  it("patched, calls seen, no span: said once at exit, without a debug flag", async () => {
    const dir = project("6.99.0");
    const plain = await run(dir, false);
    const traced = await run(dir, true, { CATALYST_DEBUG: "1" });
    expect(traced.stdout).toBe(plain.stdout);
    expect(traced.code).toBe(0);
    expect(traced.stderr).toContain("patched ai@6.99.0 (cjs)");
    const silent = ourLines(traced.stderr).filter((l) => SILENT.test(l));
    expect(silent).toHaveLength(1);
    expect(SILENT.exec(silent[0]!)![1]).toBe("1");
    // without the debug flag too
    const quiet = await run(dir, true);
    expect(ourLines(quiet.stderr).filter((l) => SILENT.test(l))).toHaveLength(1);
  });

  it("a long-running process hears it while it runs: a moment after the third call", async () => {
    const dir = project("6.99.0");
    // the app waits after its calls, then dies without exit handlers: only a warning printed while it ran shows
    const traced = await run(dir, true, { CALLS: "3", KILL_AFTER_MS: "4000" });
    expect(traced.signal).toBe("SIGKILL");
    expect(traced.stdout).toBe("Echo: question 0\nEcho: question 1\nEcho: question 2\n");
    const silent = ourLines(traced.stderr).filter((l) => SILENT.test(l));
    expect(silent).toHaveLength(1);
    expect(SILENT.exec(silent[0]!)![1]).toBe("3");
  });
});
