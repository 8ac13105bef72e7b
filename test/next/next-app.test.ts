/**
 * Next.js, for real (`npm run test:deploy`): a small App Router app (fixtures/next-app) with the
 * documented next.config (withInferenceTracing) and instrumentation.ts, built with `next build`
 * (Turbopack, Next 16's default, and `next build --webpack`), type check included, then served by
 * `next start`. LLM calls made in a route handler, a server action and a Pages API route become
 * LLM spans, each in the trace of its request; the app answers as it does untraced.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, cleanEnv, run } from "../helpers/run";
import { useServers } from "../helpers/servers";
import { byKind, type ReceivedSpan } from "../helpers/spans";

const servers = useServers();
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const OUT = path.join(ROOT, "test-output", `next-${process.pid}`);
const servers_: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers_) s.kill("SIGKILL");
  fs.rmSync(OUT, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** `next start` of a built app, resolved once it serves requests. */
async function start(dir: string, service: string): Promise<{ url: string; server: ChildProcess; output: () => string }> {
  const port = await freePort();
  const server = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: cleanEnv({ ...servers.env(), CATALYST_SERVICE_NAME: service, CATALYST_BATCHING: "simple", NEXT_TELEMETRY_DISABLED: "1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  servers_.push(server);
  let output = "";
  server.stdout!.on("data", (d) => (output += d));
  server.stderr!.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/done?answer=up`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`next start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, server, output: () => output };
}

/**
 * Our package as `npm install` puts it in an app: a folder of its own in the app's node_modules, with
 * the files package.json ships. (This repository's node_modules links the package to the repository
 * itself, outside any node_modules: Next would take it for the app's own code and bundle it.) Its
 * dependencies resolve from the repository's node_modules above the app's folder.
 */
function installOurPackage(appDir: string): void {
  const target = path.join(appDir, "node_modules/@inference/tracing");
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[] };
  for (const entry of ["package.json", ...pkg.files.filter((f) => !f.startsWith("!"))]) {
    fs.cpSync(path.join(ROOT, entry), path.join(target, entry), { recursive: true, filter: (src) => !src.endsWith(".map") });
  }
}

/** The id of the page's server action, from the form Next renders (what a browser without JavaScript posts). */
function actionField(html: string): string {
  const m = /name="(\$ACTION_ID_[^"]+)"/.exec(html);
  if (!m) throw new Error(`no server action in the page:\n${html.slice(0, 2000)}`);
  return m[1]!;
}

const spansOf = (service: string) => servers.receiver.spans.filter((s) => s.resource["service.name"] === service);
const traceOf = (spans: ReceivedSpan[], span: ReceivedSpan) => spans.filter((s) => s.traceId === span.traceId);

describe.each([
  ["Turbopack", []],
  ["webpack", ["--webpack"]],
] as const)("Next.js with %s", (bundler, flags) => {
  it("next build type-checks instrumentation.ts; route handler, server action and Pages API route calls become LLM spans", async () => {
    const dir = path.join(OUT, bundler.toLowerCase());
    fs.mkdirSync(OUT, { recursive: true });
    fs.cpSync(path.join(FIXTURES, "next-app"), dir, { recursive: true });
    installOurPackage(dir);
    const build = await run(process.execPath, [NEXT_BIN, "build", ...flags], { cwd: dir, env: { NEXT_TELEMETRY_DISABLED: "1" }, timeoutMs: 900_000 });
    expect(build.code, `${build.stdout}\n${build.stderr}`).toBe(0);
    expect(build.stdout).toMatch(/Linting and checking validity of types|Finished TypeScript|Running TypeScript/);

    const service = `next-${bundler.toLowerCase()}`;
    const app = await start(dir, service);

    const chat = await fetch(`${app.url}/api/chat`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "route handler" }) });
    expect(chat.status).toBe(200);
    expect(await chat.json()).toEqual({ answer: "Echo: route handler" });

    const page = await (await fetch(app.url)).text();
    const form = new FormData();
    form.set(actionField(page), "");
    form.set("question", "server action");
    const action = await fetch(app.url, { method: "POST", body: form, redirect: "manual" });
    expect(action.status).toBe(303);
    expect(action.headers.get("location")).toBe(`/done?answer=${encodeURIComponent("Echo: server action")}`);

    const claude = await fetch(`${app.url}/api/claude`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: "pages api" }) });
    expect(claude.status).toBe(200);
    expect(await claude.json()).toEqual({ answer: "Echo: pages api" });

    await servers.receiver.waitForSpans(() => byKind(spansOf(service), "LLM").length >= 3, 30_000);
    const spans = spansOf(service);
    const llm = byKind(spans, "LLM");
    const byQuestion = (q: string) => llm.find((s) => s.attributes["llm.input_messages.0.message.content"] === q);
    for (const q of ["route handler", "server action", "pages api"]) expect(byQuestion(q), q).toBeDefined();
    expect(byQuestion("pages api")!.attributes["llm.system"]).toBe("anthropic");
    expect(byQuestion("route handler")!.attributes["llm.model_name"]).toBe("gpt-4o-mini-2024-07-18");
    // one trace per request: each call's trace holds no other call
    for (const q of ["route handler", "server action", "pages api"]) expect(byKind(traceOf(spans, byQuestion(q)!), "LLM")).toHaveLength(1);

    app.server.kill("SIGTERM");
    await new Promise((r) => app.server.once("exit", r));
    expect(app.output()).not.toMatch(/\[@inference\/tracing\] warning|internal error|Error:/);
  });
});
