/**
 * What `npm install @inference/tracing` gets: the packed file list (from `npm pack --dry-run`,
 * after the build), checked against what users need: the built code, the doors, the CLI, the
 * docs every README link points to, the licence; no source maps, sources, tests or fixtures.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/run";

let files: string[] = [];
let unpackedSize = 0;

beforeAll(() => {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const [pack] = JSON.parse(execFileSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  files = (pack.files as { path: string }[]).map((f) => f.path).sort();
  unpackedSize = pack.unpackedSize;
}, 180_000);

/** Every packed file matches one of these; anything else is shipped by mistake. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^(register\.mjs|register\.cjs|register\.d\.ts|register\.bun\.mjs|loader\.mjs)$/,
  /^bin\/cli\.js$/,
  /^docs\/[\w/-]+\.md$/,
  /^docs\/version-matrix\.json$/, // doctor compares installed SDKs with it
  /^dist\/[\w/.-]+\.(js|d\.ts|jsc)$/,
];

describe("the npm package", () => {
  it("ships only what users need", () => {
    const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    expect(unexpected).toEqual([]);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    // the tarball stays small: the code, the bundles (bundle-runtime.js, for bundles that start tracing themselves, is 0.4 MB;
    // Bun's preload with its bytecode 1.8 MB) and the docs; raised from 4.5 MB when serve took metrics and the Usage view
    expect(unpackedSize).toBeLessThan(4_800_000);
  });

  it("has the entry points, the CLI, the web view and the collector's worker", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    const targets = new Set<string>([pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>)]);
    const walk = (v: unknown): void => {
      if (typeof v === "string") targets.add(v);
      else if (v && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(pkg.exports);
    for (const t of targets) expect(files, t).toContain(path.posix.normalize(t));
    for (const f of ["dist/preload.js", "dist/otel-sdk.bundle.js", "dist/cli/main.js", "dist/local/web/app.js", "dist/local/decode-worker.js", "LICENSE"]) expect(files).toContain(f);
  });

  it("carries every document the README links to", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)#\s]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(files, link).toContain(path.posix.normalize(link));
  });

  it("says what it is: licence and keywords", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.license).toBe("MIT");
    expect(fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(pkg.keywords).toEqual(expect.arrayContaining(["opentelemetry", "openinference", "llm"]));
  });
});
