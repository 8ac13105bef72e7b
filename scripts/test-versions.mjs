#!/usr/bin/env node
// `npm run test:versions`: the version matrix, run before a release and after SDK releases (CI keeps
// testing the versions pinned in the lockfile). For every integration in the registry it installs the
// oldest version of the declared range and the newest published version of each major in the range,
// each into a temporary project of its own, and runs that integration's zero-code tests against it
// (CATALYST_TEST_SDK_DIR names the project; the tests copy their fixture apps into it) on Node 20,
// 22, 24, 26 and Bun, where the SDK's `engines` allow the runtime. It writes docs/version-matrix.json
// (package, version, runtime, result) and docs/version-matrix.md, and the README's "versions tested"
// cells; test/versions/version-matrix.test.ts checks the registry's ranges and the README against them.
//
//   npm run test:versions                         every integration, every runtime
//   npm run test:versions -- --only aiSdk,openai  some integrations (the others keep their entries)
//   npm run test:versions -- --runtimes node22,bun
//   npm run test:versions -- --versions ai=7.0.0  exactly these versions (no range bounds computed;
//                                                 several as ai=6.0.0|7.0.0, packages comma-separated)
//   npm run test:versions -- --dry-run            print what would be installed and run
//   npm run test:versions -- --render-only        rewrite docs/version-matrix.md and the README cells from the JSON
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const semver = require("semver");
const ALL_RUNTIMES = ["node20", "node22", "node24", "node26", "bun"];
const MATRIX_JSON = path.join(ROOT, "docs", "version-matrix.json");
const MATRIX_MD = path.join(ROOT, "docs", "version-matrix.md");
const README = path.join(ROOT, "README.md");
const WORK = path.join(os.tmpdir(), "inference-tracing-versions");

const major = (v) => semver.major(v);
const ZERO_CODE = (name) => `test/integrations/${name}.test.ts`;

/**
 * What each integration's zero-code tests need besides the SDK: `files` to run, `with(version)` the
 * packages installed beside it at a matching version, `link` the other packages its fixture apps
 * import, linked from this repository's node_modules (the pinned versions).
 */
const RECIPES = {
  openai: { files: [ZERO_CODE("openai-anthropic-zero-code")], with: () => [], link: ["@anthropic-ai/sdk"] },
  anthropic: { files: [ZERO_CODE("openai-anthropic-zero-code")], with: () => [], link: ["openai"] },
  // zod 4: @openai/agents-core's peer range (@openai/agents itself names none) accepts it from 0.2
  openaiAgents: { files: [ZERO_CODE("openai-agents-zero-code")], with: () => ["zod@^4"], link: [] },
  aiSdk: { files: [ZERO_CODE("ai-sdk-zero-code")], with: (v) => [`@ai-sdk/openai@^${{ 4: 1, 5: 2, 6: 3, 7: 4 }[major(v)]}`, "zod@^4"], link: [] },
  // LangChain 0.3's partners: the newest @langchain/openai 0.x and LangGraph 0.x whose peer ranges accept the
  // @langchain/core (resolveCompanions); before core 0.3.58 that is @langchain/openai 0.3, on openai 4
  langchain: {
    files: [ZERO_CODE("langchain")],
    with: (v) => (major(v) >= 1 ? ["@langchain/openai@^1", "@langchain/langgraph@^1", "zod@^4"] : ["@langchain/openai@<1", "@langchain/langgraph@<1", "zod@^3"]),
    link: [],
  },
  langgraph: {
    files: [ZERO_CODE("langchain")],
    with: (v) => (major(v) >= 1 ? ["@langchain/core@^1", "@langchain/openai@^1", "zod@^4"] : ["@langchain/core@^0.3", "@langchain/openai@<1", "zod@^3"]),
    link: [],
  },
  langsmith: { files: [ZERO_CODE("langsmith")], with: () => [], link: ["openai", "@langchain/core", "@langchain/openai", "@langchain/langgraph", "zod"] },
  // @livekit/rtc-node is a peer of @livekit/agents that npm leaves out here: named, at a version its peer range accepts
  livekitAgents: { files: [ZERO_CODE("livekit-agents")], with: (v) => [`@livekit/agents-plugin-openai@${v}`, "@livekit/rtc-node@<1", "zod@^3"], link: [] },
  claudeAgentSdk: { files: [ZERO_CODE("claude-agent-sdk-zero-code")], with: () => ["zod@^4"], link: [] },
  elevenlabs: { files: [ZERO_CODE("elevenlabs")], with: () => [], link: ["ws"] },
  cursorSdk: { files: [ZERO_CODE("cursor-sdk")], with: () => [], link: [] },
  piAi: { files: [ZERO_CODE("pi-ai-zero-code")], with: () => [], link: [] },
  // the MCP server's tool asks OpenAI
  mcp: { files: [ZERO_CODE("mcp-zero-code")], with: () => [], link: ["openai"] },
  // one test file for both SDKs: it runs the apps of the one installed (pointedPackage()); its explicit-helper test loads the other
  googleGenai: { files: [ZERO_CODE("google-mistral-zero-code")], with: () => [], link: ["@mistralai/mistralai"] },
  mistral: { files: [ZERO_CODE("google-mistral-zero-code")], with: () => [], link: ["@google/genai"] },
  // the Bedrock apps use the runtime and the agent runtime clients
  bedrock: { files: [ZERO_CODE("bedrock-zero-code")], with: () => [], link: ["@aws-sdk/client-bedrock-agent-runtime"] },
  bedrockAgent: { files: [ZERO_CODE("bedrock-zero-code")], with: () => [], link: ["@aws-sdk/client-bedrock-runtime"] },
};

const USAGE = `usage: npm run test:versions -- [--only <keys>] [--runtimes ${ALL_RUNTIMES.join(",")}] [--versions <pkg>=<v>|<v>,…] [--dry-run] [--render-only] [--no-build]`;
let args;
try {
  ({ values: args } = parseArgs({
    options: {
      only: { type: "string" },
      runtimes: { type: "string" },
      versions: { type: "string" },
      "dry-run": { type: "boolean" },
      "render-only": { type: "boolean" },
      "no-build": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const unknownRuntimes = (args.runtimes?.split(",") ?? []).filter((r) => !ALL_RUNTIMES.includes(r));
if (unknownRuntimes.length > 0) {
  console.error(`unknown runtime ${unknownRuntimes.join(", ")}: the runtimes are ${ALL_RUNTIMES.join(", ")}\n${USAGE}`);
  process.exit(2);
}

function log(line) {
  process.stderr.write(`[test:versions] ${line}\n`);
}

function sh(cmd, argv, opts = {}) {
  return execFileSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, ...opts });
}

/**
 * The versions to test (stable releases only): the oldest in the range (in each of its `||`
 * alternatives, when it names majors one by one), and the newest of each major in it.
 */
function versionsToTest(published, range) {
  const stable = published.filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.satisfies(v, range)).sort(semver.compare);
  if (stable.length === 0) return [];
  const out = new Set();
  for (const alternative of range.split("||")) {
    const oldest = stable.find((v) => semver.satisfies(v, alternative));
    if (oldest) out.add(oldest);
  }
  const byMajor = new Map();
  for (const v of stable) byMajor.set(major(v), v);
  for (const v of byMajor.values()) out.add(v);
  return [...out].sort(semver.compare);
}

/**
 * The package as npm would install it (`npm pack` of this build, unpacked), its dependencies taken from
 * this repository: the projects use this copy, so rebuilding the repository during a long run changes nothing.
 */
function packTracing() {
  const dir = path.join(WORK, `tracing-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  const tarball = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT }))[0].filename;
  sh("tar", ["-xzf", path.join(dir, tarball), "-C", dir]);
  const copy = path.join(dir, "package");
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
  return copy;
}
let tracingCopy;

/** A peer range accepts a version (a range npm's semver cannot read accepts everything, as npm would not check it). */
function peerAccepts(range, version) {
  if (!range || !semver.validRange(range, { loose: true })) return true;
  return semver.satisfies(version, range, { loose: true });
}

/**
 * `npm view` of one package: its published versions within `range` (stable, newest first) with their
 * peer dependencies. (Asked for versions and peers at once, npm drops the peers of long lists; its text
 * output of the peers alone names each version: `name@1.2.3 { 'peer': '>=1' }`.)
 */
const peersCache = new Map();
function withPeers(name, range) {
  const key = `${name}@${range}`;
  if (!peersCache.has(key)) peersCache.set(key, lookUpPeers(name, range));
  return peersCache.get(key);
}
function lookUpPeers(name, range) {
  const versions = [JSON.parse(sh("npm", ["view", `${name}@${range}`, "version", "--json"]).trim() || "[]")].flat();
  const text = sh("npm", ["view", `${name}@${range}`, "peerDependencies"]);
  const peersOf = new Map();
  const chunks = versions.length === 1 ? [[versions[0], text]] : [...text.matchAll(/^\S+@(\S+) (\{[^}]*\})/gm)].map((m) => [m[1], m[2]]);
  for (const [version, body] of chunks) peersOf.set(version, Object.fromEntries([...body.matchAll(/'([^']+)': '([^']*)'/g)].map((m) => [m[1], m[2]])));
  return versions
    .filter((v) => semver.valid(v) && !semver.prerelease(v))
    .sort(semver.rcompare)
    .map((version) => ({ name, version, peers: peersOf.get(version) ?? {} }));
}

/**
 * The companions at versions that agree with the SDK and with each other: for each `name@range`, the
 * newest published version whose peer ranges accept the packages chosen before it and whose version
 * theirs accept (the newest companion of a range often asks for a newer SDK than the oldest tested).
 * When none fits, the range as given (npm then installs with --legacy-peer-deps, and the matrix says so).
 */
function resolveCompanions(pkg, version, specs) {
  const chosen = withPeers(pkg, version).slice(0, 1);
  for (const spec of specs) {
    const at = spec.lastIndexOf("@");
    const [name, range] = [spec.slice(0, at), spec.slice(at + 1)];
    const fits = (c) => chosen.every((o) => peerAccepts(c.peers[o.name], o.version) && peerAccepts(o.peers[name], c.version));
    chosen.push(withPeers(name, range).find(fits) ?? { name, version: range, peers: {} });
  }
  return chosen.slice(1).map((c) => `${c.name}@${c.version}`);
}

/** A temporary project with the SDK at `version`, its companions, and links to @inference/tracing and the pinned rest. */
function makeProject(pkg, version, recipe) {
  const dir = path.join(WORK, `${pkg.replace("/", "+")}@${version}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const specs = [`${pkg}@${version}`, ...resolveCompanions(pkg, version, recipe.with(version))];
  const deps = Object.fromEntries(specs.map((s) => [s.slice(0, s.lastIndexOf("@")), s.slice(s.lastIndexOf("@") + 1)]));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "version-matrix-project", private: true, versionMatrix: { package: pkg, version }, dependencies: deps }, null, 2));
  // installed as a user would: without the npm settings `npm run` hands down from this repository
  // (its .npmrc sets legacy-peer-deps, which would leave an SDK's peers such as zod uninstalled)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  const install = (extra) => spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...extra], { cwd: dir, encoding: "utf8", env });
  let r = install([]);
  let note;
  if (r.status !== 0 && /ERESOLVE/.test(r.stderr)) {
    note = "installed with --legacy-peer-deps";
    r = install(["--legacy-peer-deps"]);
  }
  if (r.status !== 0) return { dir, error: `npm install failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}` };
  const link = (name, to) => {
    const at = path.join(dir, "node_modules", name);
    if (fs.existsSync(at)) return;
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.symlinkSync(to, at, "dir");
  };
  link("@inference/tracing", tracingCopy);
  for (const name of recipe.link) link(name, path.join(ROOT, "node_modules", name));
  const installed = (name) => JSON.parse(fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"));
  const companions = Object.fromEntries(specs.slice(1).map((s) => s.slice(0, s.lastIndexOf("@"))).map((n) => [n, installed(n).version]));
  return { dir, engines: installed(pkg).engines?.node, companions, note };
}

function nodeMajorAllowed(engines, m) {
  if (!engines) return true;
  try {
    return semver.satisfies(`${m}.99.0`, engines) || semver.satisfies(`${m}.0.0`, engines);
  } catch {
    return true;
  }
}

const runtimeVersions = new Map();
/** The runtime's own version, for the matrix (Node from `npx node@N`, Bun from the bun package). */
function runtimeVersion(runtime) {
  if (!runtimeVersions.has(runtime)) {
    // as test/helpers/runtimes.ts finds them: this Node for its own major, `npx node@N` for the others
    const bin =
      runtime === "bun"
        ? path.join(ROOT, "node_modules", ".bin", "bun")
        : runtime === `node${process.versions.node.split(".")[0]}`
          ? process.execPath
          : sh("npx", ["-y", `node@${runtime.slice(4)}`, "-p", "process.execPath"], { timeout: 300_000 }).trim().split("\n").pop();
    runtimeVersions.set(runtime, sh(bin, ["--version"]).trim().replace(/^v/, ""));
  }
  return runtimeVersions.get(runtime);
}

/** One runtime's zero-code tests against one project: pass, fail, or none (no test ran). */
function runTests(files, project, runtime) {
  const out = path.join(project, `vitest-${runtime}.json`);
  // Bun's tests are the ones named for it; the Node runtimes run all the others
  const pattern = runtime === "bun" ? "[Bb]un\\b" : "^(?!.*[Bb]un\\b)";
  const r = spawnSync("npx", ["vitest", "run", ...files, "-t", pattern, "--reporter=json", `--outputFile=${out}`], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CATALYST_TEST_SDK_DIR: project, CATALYST_TEST_RUNTIMES: runtime },
    maxBuffer: 64 << 20,
  });
  let report;
  try {
    report = JSON.parse(fs.readFileSync(out, "utf8"));
  } catch {
    return { result: "fail", failures: [`vitest did not report (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ")}`] };
  }
  const failures = report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName));
  if (report.numFailedTests > 0 || report.numFailedTestSuites > 0) return { result: "fail", failures: failures.length ? failures : ["a test file failed to run"] };
  return { result: report.numPassedTests > 0 ? "pass" : "none", tests: report.numPassedTests };
}

function readMatrix() {
  try {
    return JSON.parse(fs.readFileSync(MATRIX_JSON, "utf8"));
  } catch {
    return { integrations: [] };
  }
}

function markdown(matrix) {
  const lines = [
    "# Version matrix",
    "",
    "Written by `npm run test:versions` (scripts/test-versions.mjs): for each integration, the oldest version of its",
    "declared range and the newest published version of each major in it, installed into a temporary project and run",
    "through that integration's zero-code tests on each runtime the SDK supports. CI tests the versions pinned in",
    "package-lock.json; this matrix is run before a release and after SDK releases.",
    "`test/versions/version-matrix.test.ts` checks that every declared range is covered by passing runs and that the",
    "README's integration table lists these versions.",
    "",
    `| package | range | version | ${ALL_RUNTIMES.join(" | ")} | tested with | checked |`,
    `|---|---|---|${ALL_RUNTIMES.map(() => "---").join("|")}|---|---|`,
  ];
  for (const e of matrix.integrations) {
    for (const v of [...new Set(e.runs.map((r) => r.version))].sort(semver.compare)) {
      const runs = e.runs.filter((r) => r.version === v);
      const cell = (rt) => {
        const r = runs.find((x) => x.runtime === rt);
        if (!r) return "—";
        return { pass: `✓ ${r.runtimeVersion ?? ""}`.trim(), fail: "✗", none: "n/a", unsupported: "engines", "install-failed": "install ✗" }[r.result] ?? r.result;
      };
      const companions = Object.entries(runs[0]?.companions ?? {}).map(([n, ver]) => `${n} ${ver}`).join(", ");
      lines.push(`| \`${e.package}\` | \`${e.range.replace(/\|/g, "\\|")}\` | ${v} | ${ALL_RUNTIMES.map(cell).join(" | ")} | ${companions || "—"} | ${e.checked} |`);
    }
  }
  const failed = matrix.integrations.flatMap((e) => e.runs.filter((r) => r.result === "fail" || r.result === "install-failed").map((r) => ({ ...r, package: e.package })));
  if (failed.length > 0) {
    lines.push("", "## Failures", "");
    for (const f of failed) lines.push(`- \`${f.package}@${f.version}\` on ${f.runtime}: ${(f.failures ?? []).slice(0, 3).join("; ")}`);
  }
  lines.push("", "`✓` passed (with the runtime's version), `✗` failed, `n/a` no zero-code test for that runtime, `engines` the SDK does not support that runtime, `—` not run on that runtime (the matrix was run with `--runtimes` naming others; not a failure).", "");
  return lines.join("\n");
}

/**
 * The README's "versions tested" cells: the versions that passed and the range, then whatever the
 * cell said after a "; " (how it was tested), kept. test/versions/version-matrix.test.ts checks the same text.
 */
function updateReadme(matrix) {
  const lines = fs.readFileSync(README, "utf8").split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Integrations"));
  for (const e of matrix.integrations) {
    const at = lines.findIndex((l, k) => k > start && l.startsWith("| ") && l.includes(`(\`${e.package}\`)`));
    if (at === -1) continue;
    const cells = lines[at].split(/(?<!\\)\|/);
    const passed = [...new Set(e.runs.filter((r) => r.result === "pass").map((r) => r.version))].sort(semver.compare);
    const old = cells[4].trim();
    const note = old.includes("; ") ? old.slice(old.indexOf("; ")) : "";
    cells[4] = ` ${passed.join(", ")} (range \`${e.range.replace(/\|/g, "\\|")}\`)${note} `;
    lines[at] = cells.join("|");
  }
  fs.writeFileSync(README, lines.join("\n"));
}

function writeOut(matrix) {
  fs.writeFileSync(MATRIX_JSON, JSON.stringify(matrix, null, 2) + "\n");
  fs.writeFileSync(MATRIX_MD, markdown(matrix));
  updateReadme(matrix);
}

async function main() {
  if (args["render-only"]) {
    writeOut(readMatrix());
    return;
  }
  if (!args["no-build"] && !args["dry-run"]) {
    log("building");
    spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  }
  const { INTEGRATIONS } = require(path.join(ROOT, "dist", "integrations", "registry.js"));
  const only = args.only?.split(",");
  const unknownKeys = (only ?? []).filter((k) => !INTEGRATIONS.some((i) => i.key === k || i.packages[0] === k));
  if (unknownKeys.length > 0) {
    console.error(`unknown integration ${unknownKeys.join(", ")}: the keys are ${INTEGRATIONS.map((i) => i.key).join(", ")}`);
    process.exit(2);
  }
  const runtimes = args.runtimes ? args.runtimes.split(",") : ALL_RUNTIMES;
  const forced = new Map((args.versions ?? "").split(",").filter(Boolean).map((kv) => kv.split("=")));
  fs.mkdirSync(WORK, { recursive: true });
  if (!args["dry-run"]) tracingCopy = packTracing();

  for (const i of INTEGRATIONS) {
    if (only && !only.includes(i.key) && !only.includes(i.packages[0])) continue;
    const pkg = i.packages[0];
    const recipe = RECIPES[i.key];
    if (!recipe) {
      log(`${i.key}: no recipe in scripts/test-versions.mjs (which zero-code tests to run): skipped`);
      continue;
    }
    const published = JSON.parse(sh("npm", ["view", pkg, "versions", "--json"]));
    const versions = forced.has(pkg) ? forced.get(pkg).split("|") : versionsToTest(published, i.versionRange);
    log(`${pkg} (${i.versionRange}): ${versions.join(", ")}`);
    if (args["dry-run"]) continue;
    const runs = [];
    for (const version of versions) {
      const project = makeProject(pkg, version, recipe);
      if (project.error) {
        log(`  ${version}: ${project.error}`);
        for (const runtime of runtimes) runs.push({ version, runtime, result: "install-failed", failures: [project.error] });
        continue;
      }
      // a version whose engines exclude every Node runtime asked for still runs once: on the oldest Node it allows
      const allowed = (runtime) => runtime === "bun" || nodeMajorAllowed(project.engines, Number(runtime.slice(4)));
      const fallback = runtimes.some((r) => r !== "bun" && allowed(r)) ? undefined : ALL_RUNTIMES.find((r) => r !== "bun" && allowed(r));
      if (fallback && runtimes.some((r) => r !== "bun")) log(`  ${version}: engines ${project.engines} exclude ${runtimes.join(", ")}: also run on ${fallback}`);
      for (const runtime of fallback && runtimes.some((r) => r !== "bun") ? [...runtimes, fallback] : runtimes) {
        if (!allowed(runtime)) {
          runs.push({ version, runtime, result: "unsupported", companions: project.companions });
          log(`  ${version} ${runtime}: not supported (engines ${project.engines})`);
          continue;
        }
        const started = Date.now();
        const r = runTests(recipe.files, project.dir, runtime);
        runs.push({ version, runtime, runtimeVersion: runtimeVersion(runtime), result: r.result, companions: project.companions, ...(project.note ? { note: project.note } : {}), ...(r.failures ? { failures: r.failures.slice(0, 5) } : {}) });
        log(`  ${version} ${runtime}: ${r.result}${r.tests ? ` (${r.tests} tests)` : ""} in ${Math.round((Date.now() - started) / 1000)} s${r.failures ? `: ${r.failures.slice(0, 2).join("; ")}` : ""}`);
      }
    }
    const entry = { key: i.key, package: pkg, range: i.versionRange, required: versionsToTest(published, i.versionRange), checked: new Date().toISOString().slice(0, 10), runs };
    // re-read: another invocation (`--only` others) may have written its entries meanwhile
    const matrix = readMatrix();
    // a partial run (some runtimes or forced versions) updates those rows and keeps the others
    const previous = matrix.integrations.find((e) => e.key === i.key);
    if (previous && (args.runtimes || forced.has(pkg)) && previous.range === i.versionRange) {
      entry.runs = [...previous.runs.filter((old) => !runs.some((n) => n.version === old.version && n.runtime === old.runtime)), ...runs];
    }
    matrix.integrations = [...matrix.integrations.filter((e) => e.key !== i.key), entry].sort(
      (a, b) => INTEGRATIONS.findIndex((x) => x.key === a.key) - INTEGRATIONS.findIndex((x) => x.key === b.key),
    );
    writeOut(matrix);
  }
  if (!args["dry-run"]) log(`wrote ${path.relative(ROOT, MATRIX_JSON)}, ${path.relative(ROOT, MATRIX_MD)} and the README's "versions tested" cells`);
}

await main();
