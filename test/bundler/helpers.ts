/**
 * Bundled apps against the same apps unbundled: real fixture apps (openai, anthropic, the AI SDK)
 * are run as they are under the preload, then bundled (minified, the SDKs inlined) and run again;
 * both runs must print the same and send the same spans (names, kinds, tree, attributes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { FIXTURES, ROOT, besidesStartLine, node, type RunResult } from "../helpers/run";
import type { Servers } from "../helpers/servers";
import type { ReceivedSpan } from "../helpers/spans";

export interface BundledApp {
  name: string;
  /** The same app written as an ES module (bundled to ES module output) and in CommonJS (bundled to CommonJS output). */
  entries: { esm: string; cjs: string };
  /** Packages the bundle must inline: none of them may be required or imported at run time. */
  inlined: string[];
}

export type Format = "esm" | "cjs";

const app = (name: string, inlined: string[], cjsFile = "app.js"): BundledApp => ({
  name,
  entries: { esm: path.join(FIXTURES, `apps/${name}-esm/app.js`), cjs: path.join(FIXTURES, `apps/${name}-cjs/${cjsFile}`) },
  inlined,
});

export const APPS: BundledApp[] = [app("openai", ["openai"]), app("anthropic", ["@anthropic-ai/sdk"]), app("ai-sdk", ["ai", "@ai-sdk/openai"], "app.cjs")];

export const OUT = path.join(ROOT, "test-output", `bundler-${process.pid}`);
export const REGISTER = path.join(ROOT, "register.mjs");

export const appEnv = (servers: Servers, service: string, extra: Record<string, string> = {}) =>
  servers.env({ OPENAI_API_KEY: "sk-test", CATALYST_SERVICE_NAME: service, CATALYST_BATCHING: "simple", ...extra });

/**
 * The bundle inlines the SDKs: nothing loads them from node_modules at run time. `chunks`: the
 * other files of the build (webpack's chunks), which may not load them either.
 */
export function expectInlined(bundle: string, app: BundledApp, chunks: string[] = []): void {
  expect(fs.readFileSync(bundle, "utf8").length).toBeGreaterThan(100_000);
  const text = [bundle, ...chunks].map((f) => fs.readFileSync(f, "utf8")).join("\n");
  for (const pkg of app.inlined) {
    const esc = pkg.replace(/[/.]/g, "\\$&");
    expect(text, `${pkg} left as a run-time import`).not.toMatch(new RegExp(`(require\\(|import\\(|from\\s*)["'\`]${esc}(/[^"'\`]*)?["'\`]`));
  }
}

/** Values that differ from run to run of the same app: ids, and timings. */
function stable(key: string, value: unknown): unknown {
  if (typeof value === "number" && /(ms|PerSecond|time|duration)/i.test(key)) return "<number>";
  // mock servers' ids (chatcmpl_000012) and stitched runs' random session ids (run-<16 hex>)
  if (typeof value === "string") return value.replace(/\b([a-z]+)_\d{6}\b/g, "$1_<n>").replace(/\brun-[0-9a-f]{16}\b/g, "run-<id>");
  if (Array.isArray(value)) return value.map((v) => stable(key, v));
  return value;
}

/** One line per span: kind, name, parent's name and every attribute (values made run-independent). */
export function signatures(spans: ReceivedSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  return spans
    .map((s) => {
      const attrs = Object.keys(s.attributes)
        .sort()
        .map((k) => `${k}=${JSON.stringify(stable(k, s.attributes[k]))}`);
      const parent = s.parentSpanId ? (byId.get(s.parentSpanId)?.name ?? "<missing parent>") : "<root>";
      return [s.attributes["openinference.span.kind"] ?? "-", s.name, `parent=${parent}`, `status=${s.status.code}`, ...attrs].join("\n  ");
    })
    .sort();
}

export const spansOf = (servers: Servers, service: string) => servers.receiver.spans.filter((s) => s.resource["service.name"] === service);

/**
 * Run one app (a source file or a bundle) to completion. Spans are exported as they end and flushed
 * before the process exits, so what the receiver holds a moment after the exit is the whole run.
 */
export async function runApp(servers: Servers, args: string[], service: string, env: Record<string, string> = {}): Promise<{ run: RunResult; spans: ReceivedSpan[] }> {
  const run = await node(args, { env: appEnv(servers, service, env), cwd: OUT, timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 300));
  return { run, spans: spansOf(servers, service) };
}

/** The unbundled app under the preload: the spans every bundle of it must send. */
export async function baseline(servers: Servers, app: BundledApp, format: Format, tag = ""): Promise<string[]> {
  const { run, spans } = await runApp(servers, ["--import", REGISTER, app.entries[format]], `${app.name}-${format}-unbundled${tag}`);
  expect(run.code).toBe(0);
  expect(spans.length).toBeGreaterThan(0);
  return signatures(spans);
}

/**
 * The bundle run untraced (CATALYST_DISABLED): what the traced runs must print. (Not the unbundled
 * app's output: a minified app that prints class names prints other names.)
 */
export async function untraced(servers: Servers, bundle: string, service: string): Promise<RunResult> {
  const { run, spans } = await runApp(servers, [bundle], `${service}-untraced`, { CATALYST_DISABLED: "true" });
  expect(run.code).toBe(0);
  expect(spans).toEqual([]);
  return run;
}

/** A traced bundle run: the app's output and exit code unchanged, the same spans as unbundled. */
export function expectSameRun(actual: { run: RunResult; spans: ReceivedSpan[] }, plain: RunResult, expected: string[], what: string): void {
  expect(besidesStartLine(actual.run.stderr), what).toBe(plain.stderr);
  expect(actual.run.code, what).toBe(0);
  expect(actual.run.stdout, what).toBe(plain.stdout);
  expect(signatures(actual.spans), what).toEqual(expected);
}
