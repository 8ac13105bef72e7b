/** `npm run demo` builds only when a source changed since the last complete build. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { node, ROOT } from "../helpers/run";
// @ts-expect-error plain ESM build script without types
import { changedSinceBuild, stampFile } from "../../scripts/build-inputs.mjs";

describe("the build with --if-changed", () => {
  it("does nothing when dist/ is newer than every source (the test run has just built it)", async () => {
    const before = fs.statSync(path.join(ROOT, "dist/index.js")).mtimeMs;
    const r = await node([path.join(ROOT, "scripts/build.mjs"), "--if-changed"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("build is up to date (no source changed since the last build)\n");
    expect(fs.statSync(path.join(ROOT, "dist/index.js")).mtimeMs).toBe(before);
    expect(fs.existsSync(stampFile(ROOT))).toBe(true);
  });

  it("names what changed since a build, and builds when there was none", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stamp-"));
    const stamp = path.join(dir, ".build-stamp");
    expect(changedSinceBuild(ROOT, stamp)).toBe("dist/ (never built)");
    fs.writeFileSync(stamp, "");
    const longAgo = new Date(Date.UTC(2000, 0, 1));
    fs.utimesSync(stamp, longAgo, longAgo);
    expect(changedSinceBuild(ROOT, stamp)).toMatch(/^(package\.json|src\/)/);
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(stamp, later, later);
    expect(changedSinceBuild(ROOT, stamp)).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
