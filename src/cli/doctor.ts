/**
 * `inference-tracing doctor [--json] [--dir DIR]`: is the app in this folder set up to be traced?
 * It looks, without running the app: which supported SDKs are installed (every copy, nested ones
 * included, with their ESM/CommonJS builds) and how their versions compare with the declared
 * ranges and the tested matrix (docs/version-matrix.json); which ESM mechanism this runtime would
 * use for the app; whether the app's start command loads the preload (package.json scripts,
 * NODE_OPTIONS, bunfig.toml); where traces go (the endpoint, probed with an empty export that
 * carries the token to that endpoint only, or the local view); and streamed OpenAI chat calls that
 * will have no token counts. Each problem comes with one sentence on how to fix it.
 * Exit code: 0 when nothing is wrong, 1 otherwise (2 for bad arguments).
 */
import fs = require("node:fs");
import http = require("node:http");
import https = require("node:https");
import path = require("node:path");
import { parseArgs } from "node:util";
import { parse as parseDotEnv } from "dotenv";
import { resolveConfig, type Config } from "../config";
import { chooseEsmMode, rebindingPackageImported } from "../hooks/esm-hook";
import { inVersionRange, parseVersion } from "../hooks/version-range";
import { INTEGRATIONS } from "../integrations/registry";
import type { Integration } from "../integrations/types";
import { TRACER_NAME } from "../package-info";

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface Problem {
  what: string;
  fix: string;
}

export interface SdkCopy {
  package: string;
  integration: string;
  version: string;
  dir: string;
  /** Inside another package's node_modules. */
  nested: boolean;
  builds: ("esm" | "cjs")[];
  inRange: boolean;
  /** What the version matrix says about this version. */
  tested: string;
}

export interface DoctorReport {
  ok: boolean;
  app: { dir: string; name?: string; entry?: string };
  runtime: string;
  preload: { loaded: boolean; how: string[] };
  sdks: SdkCopy[];
  esm: { mode: string; why: string };
  endpoint?: { url: string; reachable: boolean; status?: number; detail: string };
  localView: { running: boolean; url: string; detail: string };
  problems: Problem[];
}

const HELP = `Usage: inference-tracing doctor [--dir DIR] [--json]

Checks the app in DIR (default: the current folder) without running it: the supported SDKs installed
and their versions, the ESM mechanism this runtime would use, whether the start command loads
@inference/tracing/register, where traces go, and streamed OpenAI calls without token counts.
Exit code 0 when nothing is wrong, 1 otherwise.`;

const PRELOAD = `${TRACER_NAME}/register`;
const PRELOAD_FLAG = /(?:--import|--require|-r|--preload|--loader|--experimental-loader)[=\s]+["']?@inference\/tracing\/(?:register|loader)/;

export async function doctor(argv: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { json: { type: "boolean" }, dir: { type: "string" }, help: { type: "boolean", short: "h" } } }));
  } catch (err) {
    io.err(`inference-tracing doctor: ${(err as Error).message}`);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const report = await examine(path.resolve(values.dir ?? process.cwd()));
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else io.out(render(report));
  return report.ok ? 0 : 1;
}

/** Everything the doctor finds about the app in `start` (or the nearest folder above it with a package.json). */
export async function examine(start: string, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const problems: Problem[] = [];
  const appDir = nearestPackageDir(start) ?? start;
  const pkg = readJson(path.join(appDir, "package.json")) ?? {};
  const appEnv = { ...readDotEnv(appDir), ...env };
  const config = resolveConfig({}, appEnv);
  const entry = entryOf(appDir, pkg);

  if (config.disabled) problems.push({ what: "tracing is disabled (CATALYST_DISABLED or OTEL_SDK_DISABLED=true)", fix: "Unset CATALYST_DISABLED / OTEL_SDK_DISABLED to trace the app." });
  if (!findInstalled(appDir, TRACER_NAME)) problems.push({ what: `${TRACER_NAME} is not installed in this app`, fix: `Run \`npm install ${TRACER_NAME}\` in ${appDir}.` });

  const preload = preloadStatus(appDir, pkg, appEnv, entry);
  if (!preload.loaded) {
    const start = startCommand(pkg);
    problems.push({
      what: start ? `\`npm start\` runs \`${start}\`, which does not load ${PRELOAD}` : `nothing in package.json scripts, NODE_OPTIONS or bunfig.toml loads ${PRELOAD}`,
      fix: `Start the app with \`node --import ${PRELOAD} ${entry ? path.relative(appDir, entry) : "app.js"}\` (or set NODE_OPTIONS="--import ${PRELOAD}"; Bun: \`bun --preload ${PRELOAD}\`).`,
    });
  }

  const matrix = readMatrix();
  const sdks = installedSdks(appDir, matrix);
  for (const s of sdks) {
    const i = INTEGRATIONS.find((x) => x.key === s.integration)!;
    if (!s.inRange) {
      problems.push({
        what: `${s.package}@${s.version} (${path.relative(appDir, s.dir) || "."}) is outside the versions we support (${i.versionRange}): it will not be traced`,
        fix: `Install a version in ${i.versionRange}, or look for a newer ${TRACER_NAME} that supports ${s.package}@${s.version}.`,
      });
    }
  }
  const disabled = sdks.filter((s) => !isEnabled(config, INTEGRATIONS.find((x) => x.key === s.integration)!));
  for (const name of new Set(disabled.map((s) => s.package))) {
    problems.push({ what: `${name} is installed but its integration is turned off (CATALYST_INSTRUMENTATIONS / CATALYST_DISABLED_INSTRUMENTATIONS)`, fix: `Remove it from CATALYST_DISABLED_INSTRUMENTATIONS, or add it to CATALYST_INSTRUMENTATIONS, to trace it.` });
  }

  const esm = esmStatus(config, entry);
  const endpoint = config.tracesUrl ? await probeEndpoint(config) : undefined;
  if (endpoint && !endpoint.reachable) problems.push({ what: `the endpoint ${endpoint.url} ${endpoint.detail}`, fix: fixForEndpoint(endpoint) });
  if (config.tracesUrl && config.token && isPlainRemote(config.tracesUrl)) {
    problems.push({ what: `the token would be sent in clear text to ${config.tracesUrl}`, fix: "Use an https:// endpoint (or a collector on this machine) when a token is set." });
  }
  const localView = await probeLocalView(config);
  if (!config.tracesUrl && localView.running) {
    problems.push({ what: `a local view runs at ${localView.url}, but no endpoint sends traces to it`, fix: `Set CATALYST_OTLP_ENDPOINT=${localView.url} to see the app's traces there.` });
  }

  if (!config.openaiIncludeUsage && sdks.some((s) => s.package === "openai")) {
    for (const at of streamedChatCallsWithoutUsage(appDir)) {
      problems.push({
        what: `${at}: a streamed OpenAI chat completion without stream_options.include_usage: its span will have no token counts and no cost`,
        fix: "Add `stream_options: { include_usage: true }` to the call, or set CATALYST_OPENAI_INCLUDE_USAGE=on (the extra usage chunk is hidden from the app).",
      });
    }
  }

  return {
    ok: problems.length === 0,
    app: { dir: appDir, name: typeof pkg.name === "string" ? pkg.name : undefined, entry },
    runtime: process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`,
    preload,
    sdks,
    esm,
    endpoint,
    localView,
    problems,
  };
}

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function nearestPackageDir(start: string): string | undefined {
  for (let d = start; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "package.json"))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

function readDotEnv(dir: string): Record<string, string> {
  try {
    return parseDotEnv(fs.readFileSync(path.join(dir, ".env")));
  } catch {
    return {};
  }
}

const SCRIPT_FILE = /(?:^|\s)(?!-)((?:\.{0,2}\/)?[\w./@-]+\.(?:[cm]?js|[cm]?ts|tsx))(?=\s|$)/;

/** The app's entry script: the file the start script runs, else package.json main, else index.js. */
function entryOf(appDir: string, pkg: any): string | undefined {
  const start = startCommand(pkg);
  const fromScript = start !== undefined ? SCRIPT_FILE.exec(start)?.[1] : undefined;
  for (const candidate of [fromScript, pkg.main, "index.js", "index.mjs", "app.js", "server.js"]) {
    if (typeof candidate !== "string") continue;
    const file = path.resolve(appDir, candidate);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
  }
  return undefined;
}

function preloadStatus(appDir: string, pkg: any, env: NodeJS.ProcessEnv, entry: string | undefined): DoctorReport["preload"] {
  const how: string[] = [];
  for (const [name, script] of Object.entries(pkg.scripts ?? {})) if (typeof script === "string" && PRELOAD_FLAG.test(script)) how.push(`package.json script "${name}"`);
  if (PRELOAD_FLAG.test(env.NODE_OPTIONS ?? "")) how.push("NODE_OPTIONS");
  try {
    if (/preload\s*=\s*\[[^\]]*@inference\/tracing\/register/.test(fs.readFileSync(path.join(appDir, "bunfig.toml"), "utf8"))) how.push("bunfig.toml preload");
  } catch {
    /* no bunfig.toml */
  }
  // an app that calls setup() itself, first thing in its entry, needs no preload for CommonJS SDKs
  if (entry && /["']@inference\/tracing["']/.test(safeRead(entry)) && /\bsetup\s*\(/.test(safeRead(entry))) how.push(`setup() in ${path.relative(appDir, entry)}`);
  const start = startCommand(pkg);
  // the start script is what `npm start` runs: when it exists, it must be the one that loads us (or NODE_OPTIONS)
  const loaded = start !== undefined ? PRELOAD_FLAG.test(start) || how.some((h) => !h.startsWith("package.json")) : how.length > 0;
  return { loaded, how };
}

/** What `npm start` ends up running: the start script, through `npm run x` / `yarn x` / `pnpm x` to the script it names. */
function startCommand(pkg: any): string | undefined {
  let script = pkg.scripts?.start;
  for (let hops = 0; typeof script === "string" && hops < 5; hops++) {
    const next = /^\s*(?:npm run|yarn|pnpm(?: run)?)\s+([\w:.-]+)\s*$/.exec(script)?.[1];
    if (!next || typeof pkg.scripts?.[next] !== "string") return script;
    script = pkg.scripts[next];
  }
  return typeof script === "string" ? script : undefined;
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function isEnabled(config: Config, i: Integration): boolean {
  const named = (list: string[] | undefined) => !!list?.some((n) => n === i.key || i.packages.includes(n));
  if (named(config.disabledInstrumentations)) return false;
  return !config.instrumentations || named(config.instrumentations) || INTEGRATIONS.some((o) => o.uses?.includes(i.key) && named(config.instrumentations));
}

function findInstalled(appDir: string, name: string): boolean {
  for (let d = appDir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "node_modules", name, "package.json"))) return true;
    if (path.dirname(d) === d) return false;
  }
}

interface MatrixRun {
  version: string;
  runtime: string;
  result: string;
}
interface Matrix {
  integrations: { key: string; package: string; runs: MatrixRun[] }[];
}

function readMatrix(): Matrix | undefined {
  for (const file of [path.join(__dirname, "..", "..", "docs", "version-matrix.json"), path.join(__dirname, "..", "docs", "version-matrix.json")]) {
    const m = readJson(file);
    if (m?.integrations) return m;
  }
  return undefined;
}

function compareVersions(a: string, b: string): number {
  const x = parseVersion(a)?.parts ?? [0, 0, 0];
  const y = parseVersion(b)?.parts ?? [0, 0, 0];
  for (let k = 0; k < 3; k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
  return 0;
}

/** What the matrix says about one installed version. */
export function testedStatus(matrix: Matrix | undefined, key: string, version: string): string {
  const runs = matrix?.integrations.find((m) => m.key === key)?.runs.filter((r) => r.result === "pass") ?? [];
  const same = runs.filter((r) => r.version === version).map((r) => r.runtime);
  if (same.length > 0) return `tested (${[...new Set(same)].join(", ")})`;
  const tested = [...new Set(runs.map((r) => r.version))].sort(compareVersions);
  if (tested.length === 0) return "not in the tested matrix";
  const below = tested.filter((v) => compareVersions(v, version) < 0).pop();
  const above = tested.find((v) => compareVersions(v, version) > 0);
  if (below && above) return `between tested versions ${below} and ${above}`;
  if (above) return `older than the oldest tested (${above})`;
  const major = version.split(".")[0];
  return below!.split(".")[0] === major ? `newer than the newest tested ${major}.x (${below})` : `newer than the newest tested (${below}), a major never tested`;
}

/** Every copy of every supported SDK under the app's node_modules (nested and pnpm-stored ones too). */
function installedSdks(appDir: string, matrix: Matrix | undefined): SdkCopy[] {
  const wanted = new Map<string, Integration>();
  for (const i of INTEGRATIONS) for (const p of i.packages) if (!wanted.has(p)) wanted.set(p, i);
  const found: SdkCopy[] = [];
  const seen = new Set<string>();
  let budget = 50_000;
  const visitModules = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (--budget < 0) return;
      if (!e.isDirectory() && !e.isSymbolicLink()) continue;
      const full = path.join(dir, e.name);
      if (e.name === ".pnpm") {
        for (const stored of safeList(full)) visitModules(path.join(full, stored, "node_modules"), depth + 1);
      } else if (e.name.startsWith("@")) {
        for (const scoped of safeList(full)) visitPackage(path.join(full, scoped), `${e.name}/${scoped}`, depth);
      } else if (!e.name.startsWith(".")) visitPackage(full, e.name, depth);
    }
  };
  const visitPackage = (dir: string, name: string, depth: number): void => {
    // our own package: its folder holds no SDK of the app's (in this repository, a link to our dev dependencies)
    if (name === TRACER_NAME) return;
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    const i = wanted.get(name);
    if (i) {
      const json = readJson(path.join(real, "package.json"));
      if (json?.name === name && typeof json.version === "string") {
        const main = name === i.packages[0];
        found.push({
          package: name,
          integration: i.key,
          version: json.version,
          dir: real,
          nested: depth > 0,
          builds: buildsOf(json),
          inRange: !main || inVersionRange(json.version, i.versionRange),
          tested: main ? testedStatus(matrix, i.key, json.version) : "tested through its integration's main package",
        });
      }
    }
    if (depth < 8) visitModules(path.join(real, "node_modules"), depth + 1);
  };
  for (let d = appDir; ; d = path.dirname(d)) {
    visitModules(path.join(d, "node_modules"), 0);
    if (fs.existsSync(path.join(d, "package-lock.json")) || fs.existsSync(path.join(d, "pnpm-workspace.yaml")) || path.dirname(d) === d) break;
  }
  return found.sort((a, b) => a.package.localeCompare(b.package) || compareVersions(a.version, b.version));
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Which module formats a package ships, from its package.json. */
function buildsOf(json: any): ("esm" | "cjs")[] {
  const builds = new Set<"esm" | "cjs">();
  const visit = (target: unknown, condition?: string): void => {
    if (typeof target === "string") {
      if (target.endsWith(".d.ts") || target.endsWith(".d.mts") || target.endsWith(".d.cts")) return;
      if (condition === "import" || condition === "module" || target.endsWith(".mjs")) builds.add("esm");
      else if (condition === "require" || target.endsWith(".cjs")) builds.add("cjs");
      else builds.add(json.type === "module" ? "esm" : "cjs");
    } else if (Array.isArray(target)) target.forEach((t) => visit(t, condition));
    else if (target && typeof target === "object") for (const [k, v] of Object.entries(target)) visit(v, ["import", "require", "module"].includes(k) ? k : condition);
  };
  const root = json.exports && typeof json.exports === "object" && !Array.isArray(json.exports) && "." in json.exports ? json.exports["."] : json.exports;
  if (root !== undefined) visit(root);
  else {
    if (json.module) builds.add("esm");
    if (json.main || !json.module) builds.add(json.type === "module" ? "esm" : "cjs");
  }
  return [...builds].sort();
}

function esmStatus(config: Config, entry: string | undefined): DoctorReport["esm"] {
  const enabled = INTEGRATIONS.filter((i) => isEnabled(config, i));
  const mode = chooseEsmMode(config.esmMode, enabled, entry);
  const rebinding = rebindingPackageImported(enabled, entry);
  let why: string;
  if (config.esmMode !== "auto") why = `CATALYST_ESM_MODE=${config.esmMode}`;
  else if (mode === "eager") why = process.versions.bun ? "Bun has no loader hooks: the SDKs the app imports are loaded and patched at start" : rebinding ? `the app imports ${rebinding}, but this Node has no loader for it` : "the SDKs the app imports are loaded and patched at start (no loader)";
  else why = `the app imports ${rebinding}, whose ES module exports must be replaced to be traced: import-in-the-middle ${mode === "sync" ? "(in-thread hooks)" : "(off-thread loader)"}`;
  return { mode, why };
}

interface Probe {
  status?: number;
  error?: string;
}

function request(url: string, method: string, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<Probe> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (err) {
      resolve({ error: (err as Error).message });
      return;
    }
    // a redirect is not followed: the token must never reach another host
    const req = (u.protocol === "https:" ? https : http).request(u, { method, headers: { ...headers, ...(body ? { "Content-Length": String(body.length) } : {}) }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(body);
  });
}

/** An empty export (no spans) to the configured endpoint, with the headers and token meant for it, and nothing else. */
async function probeEndpoint(config: Config): Promise<NonNullable<DoctorReport["endpoint"]>> {
  const url = config.tracesUrl!;
  const json = config.protocol === "http/json";
  // an empty ExportTraceServiceRequest: zero bytes in protobuf, {} in JSON
  const body = Buffer.from(json ? "{}" : "");
  const r = await request(url, "POST", { ...config.headers, "Content-Type": json ? "application/json" : "application/x-protobuf" }, body, 5000);
  if (r.error) return { url, reachable: false, detail: `cannot be reached (${r.error})` };
  const status = r.status!;
  if (status >= 200 && status < 300) return { url, reachable: true, status, detail: `accepts exports (HTTP ${status})` };
  if (status === 401 || status === 403) return { url, reachable: false, status, detail: `refuses the export (HTTP ${status}): ${config.token ? "the token is not accepted" : "it needs a token"}` };
  if (status === 404) return { url, reachable: false, status, detail: "has no OTLP/HTTP trace route (HTTP 404)" };
  if (status === 415) return { url, reachable: false, status, detail: `does not accept ${json ? "JSON" : "protobuf"} (HTTP 415)` };
  return { url, reachable: status < 500, status, detail: `answered HTTP ${status}` };
}

function fixForEndpoint(e: NonNullable<DoctorReport["endpoint"]>): string {
  if (e.status === 401 || e.status === 403) return "Set CATALYST_OTLP_TOKEN to a token this endpoint accepts (or the headers it expects in CATALYST_OTLP_HEADERS).";
  if (e.status === 404) return "Point CATALYST_OTLP_ENDPOINT at the collector's OTLP/HTTP base URL (traces go to <endpoint>/v1/traces).";
  if (e.status === 415) return "Set CATALYST_OTLP_PROTOCOL to the encoding the collector accepts (http/protobuf or http/json).";
  if (e.status !== undefined) return "Check the collector's logs for why it refuses exports.";
  return "Start the collector (or `npx @inference/tracing serve` for a local one), or fix CATALYST_OTLP_ENDPOINT.";
}

function isPlainRemote(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]", "::1"].includes(u.hostname) && !u.hostname.endsWith(".localhost");
  } catch {
    return false;
  }
}

/** Is `serve` running (on the endpoint when it is local, else on the default port)? */
async function probeLocalView(config: Config): Promise<DoctorReport["localView"]> {
  let base = "http://127.0.0.1:4318";
  if (config.tracesUrl) {
    const u = new URL(config.tracesUrl);
    if (!isPlainRemote(config.tracesUrl) && u.protocol === "http:") base = u.origin;
  }
  const r = await request(`${base}/api/health`, "GET", {}, undefined, 1500);
  if (r.status === 200) return { running: true, url: base, detail: `\`serve\` runs at ${base}/` };
  const where = config.tracesUrl ? `traces go to ${config.tracesUrl}` : config.console === "off" ? "traces are not printed (console off)" : `traces print to stderr (${config.console})`;
  return { running: false, url: base, detail: `not running; ${where}; \`npx @inference/tracing serve\` starts it` };
}

const SOURCE_EXT = /\.(?:[cm]?js|[cm]?ts|tsx|jsx)$/;

/**
 * OpenAI chat completions the app streams without asking for usage: `stream: true` in a file that
 * calls chat.completions, with no include_usage near it. A static look at the app's own files.
 */
function streamedChatCallsWithoutUsage(appDir: string): string[] {
  const found: string[] = [];
  let files = 0;
  const walk = (dir: string): void => {
    for (const e of safeDirents(dir)) {
      if (files > 2000) return;
      if (e.name === "node_modules" || e.name.startsWith(".") || e.name === "dist" || e.name === "build") continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (SOURCE_EXT.test(e.name)) {
        files++;
        const text = safeRead(full);
        if (!text.includes("chat.completions")) continue;
        for (const m of text.matchAll(/\bstream\s*:\s*true\b/g)) {
          const around = text.slice(Math.max(0, m.index! - 600), m.index! + 600);
          if (/include_usage/.test(around)) continue;
          found.push(`${path.relative(appDir, full)}:${text.slice(0, m.index).split("\n").length}`);
        }
      }
    }
  };
  walk(appDir);
  return found;
}

function safeDirents(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function render(r: DoctorReport): string {
  const ok = (b: boolean) => (b ? "✓" : "✗");
  const lines = [`${TRACER_NAME} doctor — ${r.app.dir}${r.app.name ? ` (${r.app.name})` : ""}`, ""];
  lines.push(`runtime     ${r.runtime} (the doctor's own; run it with the app's runtime for its ESM answer)`);
  lines.push(`preload     ${ok(r.preload.loaded)} ${r.preload.how.length ? `loaded by ${r.preload.how.join(", ")}` : "not loaded by the start command"}`);
  if (r.sdks.length === 0) lines.push("SDKs        none of the supported SDKs is installed here");
  r.sdks.forEach((s, k) => {
    const where = s.nested ? `, nested in ${s.dir}` : "";
    lines.push(`${k === 0 ? "SDKs" : "    "}        ${ok(s.inRange)} ${s.package} ${s.version} (${s.builds.join("+") || "?"}${where}) — ${s.inRange ? s.tested : "outside the supported range"}`);
  });
  lines.push(`ESM         ${r.esm.mode}: ${r.esm.why}`);
  lines.push(`endpoint    ${r.endpoint ? `${ok(r.endpoint.reachable)} ${r.endpoint.url} ${r.endpoint.detail}` : "none (CATALYST_OTLP_ENDPOINT is not set)"}`);
  lines.push(`local view  ${r.localView.running ? "✓ " : ""}${r.localView.detail}`);
  lines.push("");
  if (r.problems.length === 0) lines.push("No problems found.");
  else {
    lines.push(`${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}:`);
    r.problems.forEach((p, k) => lines.push(`  ${k + 1}. ${p.what}.`, `     Fix: ${p.fix}`));
  }
  return lines.join("\n");
}
