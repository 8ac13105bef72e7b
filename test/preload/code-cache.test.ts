/**
 * The preload bundle's V8 code cache: made by the first traced start, used by the next ones,
 * and never a reason for an app to fail (a corrupt cache, an unwritable or foreign directory,
 * the switch turned off). Real subprocesses through --require and --import, real spans.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, run } from "../helpers/run";
import { useServers } from "../helpers/servers";

const servers = useServers();
const APP = path.join(FIXTURES, "apps/doors/cjs-app.cjs");

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "code-cache-test-"));
}

async function start(door: "--require" | "--import", extra: Record<string, string>) {
  const marker = `cc-${Math.random().toString(36).slice(2)}`;
  const r = await run(process.execPath, [door, "@inference/tracing/register", APP], {
    env: servers.env({ CATALYST_BATCHING: "simple", CATALYST_DEBUG: "1", CATALYST_SERVICE_NAME: marker, ...extra }),
    timeoutMs: 60_000,
  });
  expect(r.code).toBe(0);
  const status = /code cache: ([a-z ]+);/.exec(r.stderr)?.[1];
  return { r, marker, status };
}

/** The preload bundle's caches (the OpenTelemetry SDK bundle the first span loads has its own). */
const cacheFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith("preload.js-") && f.endsWith(".v8")) : []);

describe("the preload's code cache", () => {
  it("is created by the first start and used by the next, through either door; the app is traced both times", async () => {
    const dir = path.join(tempDir(), "cache");
    const first = await start("--require", { CATALYST_CODE_CACHE_DIR: dir });
    expect(first.status).toBe("created");
    expect(cacheFiles(dir).length).toBe(1);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    // the span the app made loaded the OpenTelemetry SDK bundle, which got a cache of its own
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("otel-sdk.bundle.js-")).length).toBe(1);
    const second = await start("--import", { CATALYST_CODE_CACHE_DIR: dir });
    expect(second.status).toBe("used");
    expect(second.r.stdout).toBe(first.r.stdout);
    await servers.waitForLLM(first.marker, 1);
    await servers.waitForLLM(second.marker, 1);
  });

  it("is written by a script that is done before its first tick too (written as it exits)", async () => {
    const dir = path.join(tempDir(), "cache");
    // a CommonJS one-liner through --require: nothing of Node's keeps this process for another tick
    const startTrivial = () =>
      run(process.execPath, ["--require", "@inference/tracing/register", "-e", 'console.log("ok")'], { env: { CATALYST_DEBUG: "1", CATALYST_CONSOLE: "off", CATALYST_CODE_CACHE_DIR: dir }, timeoutMs: 60_000 });
    const first = await startTrivial();
    expect(first.code).toBe(0);
    expect(first.stderr).toContain("code cache: created");
    expect(cacheFiles(dir).length).toBe(1);
    const second = await startTrivial();
    expect(second.stderr).toContain("code cache: used");
    expect(second.stdout).toBe(first.stdout);
  });

  it("keeps the newest few caches of the bundle (other installs, other Node versions) and removes older ones", async () => {
    const dir = path.join(tempDir(), "cache");
    fs.mkdirSync(dir, { mode: 0o700 });
    const stale = Array.from({ length: 10 }, (_, i) => `preload.js-${String(i).padStart(8, "0")}.v8`);
    stale.forEach((f, i) => {
      fs.writeFileSync(path.join(dir, f), "old");
      const t = new Date(Date.now() - (i + 1) * 60_000);
      fs.utimesSync(path.join(dir, f), t, t);
    });
    fs.writeFileSync(path.join(dir, "unrelated.txt"), "left alone");
    const first = await start("--require", { CATALYST_CODE_CACHE_DIR: dir });
    expect(first.status).toBe("created");
    const left = cacheFiles(dir);
    expect(left.length).toBe(8);
    // the new cache and the 7 most recent stale ones survive
    expect(left.filter((f) => !stale.includes(f)).length).toBe(1);
    expect(left.filter((f) => stale.includes(f)).sort()).toEqual(stale.slice(0, 7));
    expect(fs.existsSync(path.join(dir, "unrelated.txt"))).toBe(true);
  });

  it("a corrupt cache file is rejected by V8 and replaced; the app runs as usual", async () => {
    const dir = path.join(tempDir(), "cache");
    await start("--require", { CATALYST_CODE_CACHE_DIR: dir });
    const [file] = cacheFiles(dir);
    fs.writeFileSync(path.join(dir, file!), Buffer.from("not a V8 code cache at all".repeat(100)));
    const bad = await start("--require", { CATALYST_CODE_CACHE_DIR: dir });
    expect(bad.status).toBe("rejected");
    await servers.waitForLLM(bad.marker, 1);
    const again = await start("--require", { CATALYST_CODE_CACHE_DIR: dir });
    expect(again.status).toBe("used");
  });

  it("a directory others can write to is not trusted, an unusable one is ignored, and CATALYST_CODE_CACHE=off turns it off", async () => {
    const open = tempDir();
    fs.chmodSync(open, 0o777);
    const shared = await start("--require", { CATALYST_CODE_CACHE_DIR: open });
    expect(shared.status).toBe("unavailable");
    expect(cacheFiles(open)).toEqual([]);

    const notADir = path.join(tempDir(), "file");
    fs.writeFileSync(notADir, "x");
    const broken = await start("--require", { CATALYST_CODE_CACHE_DIR: notADir });
    expect(broken.status).toBe("unavailable");

    const dir = path.join(tempDir(), "cache");
    const off = await start("--import", { CATALYST_CODE_CACHE_DIR: dir, CATALYST_CODE_CACHE: "off" });
    expect(off.status).toBe("off");
    expect(fs.existsSync(dir)).toBe(false);
    for (const r of [shared, broken, off]) await servers.waitForLLM(r.marker, 1);
  });
});
