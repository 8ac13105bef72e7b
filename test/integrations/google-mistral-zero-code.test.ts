/**
 * Zero-code Google GenAI and Mistral: ordinary apps (fixtures/apps/google-genai-*, mistral-*) run
 * as real subprocesses through the doors (`--import`, `--require`, `bun --preload`) on every
 * runtime, with the newest SDK and with the oldest of the declared range (copied into an app
 * folder of its own under test-output/). The app's stdout is byte-identical to the untraced run,
 * the spans reach the real OTLP receiver, our injected faults never reach the app, and a model
 * call made inside a framework's LLM span (LangChain, PI AI) is not recorded a second time.
 * Under `npm run test:versions` the apps of the SDK the matrix installed are copied into the project
 * CATALYST_TEST_SDK_DIR names (fixtureApp()) and run there, on the runtimes its engines allow.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { BUN, FIXTURES, ROOT, node, run } from "../helpers/run";
import { runtimePath, type RuntimeName } from "../helpers/runtimes";
import { fixtureApp, pointedAtOtherCopy, pointedPackage, sdkTargets } from "../helpers/sdk-project";
import { byKind, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockGoogle } from "../../fixtures/mock-providers/google.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockMistral } from "../../fixtures/mock-providers/mistral.mjs";

let receiver: Receiver;
let google: any;
let mistral: any;

/** Runtimes for these SDKs (Node 26 too; CATALYST_TEST_RUNTIMES narrows them as everywhere). */
type Runtime = RuntimeName | "node26";
function runtimes(): Runtime[] {
  const all: Runtime[] = ["node20", "node22", "node24", "node26", "bun"];
  const raw = process.env.CATALYST_TEST_RUNTIMES;
  return raw ? all.filter((r) => raw.split(",").includes(r)) : all;
}
const binary = (r: Runtime) => (r === "bun" ? BUN : runtimePath(r as RuntimeName));

/** The oldest supported SDKs, each installed as the package it is, in an app folder of its own. */
const OLDEST = path.join(ROOT, "test-output", `google-mistral-oldest-${process.pid}`);
function layOutOldest(): void {
  const copy = (from: string, to: string) => fs.cpSync(path.join(ROOT, "node_modules", from), path.join(OLDEST, "node_modules", to), { recursive: true });
  copy("google-genai-v1", "@google/genai");
  copy("mistralai-v1", "@mistralai/mistralai");
  fs.writeFileSync(path.join(OLDEST, "package.json"), JSON.stringify({ name: "oldest-sdks-app", private: true, dependencies: { "@google/genai": "1.1.0", "@mistralai/mistralai": "1.0.3" } }));
  for (const [app, file] of [
    ["google-genai-esm", "google-genai-esm.mjs"],
    ["google-genai-cjs", "google-genai-cjs.cjs"],
    ["mistral-esm", "mistral-esm.mjs"],
    ["mistral-cjs", "mistral-cjs.cjs"],
  ]) fs.copyFileSync(path.join(FIXTURES, "apps", app!, "app.js"), path.join(OLDEST, file!));
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  google = await startMockGoogle();
  mistral = await startMockMistral();
  if (!pointedAtOtherCopy()) layOutOldest();
}, 60_000);
afterAll(async () => {
  await google?.close();
  await mistral?.close();
  await receiver?.close();
  fs.rmSync(OLDEST, { recursive: true, force: true });
});

const appEnv = () => ({ GOOGLE_GENAI_BASE_URL: google.url, MISTRAL_BASE_URL: mistral.url });
let runs = 0;

/** An app's untraced output, once per app and runtime family (Node's majors print alike, Bun too). */
const plainRuns = new Map<string, Promise<string>>();
function untraced(runtime: Runtime, app: string): Promise<string> {
  const key = `${runtime === "bun" ? "bun" : "node"} ${app}`;
  if (!plainRuns.has(key)) {
    plainRuns.set(
      key,
      run(binary(runtime), [app], { env: appEnv(), timeoutMs: 90_000 }).then((r) => {
        expect(r.code, r.stderr).toBe(0);
        return r.stdout;
      }),
    );
  }
  return plainRuns.get(key)!;
}

/** Run an app traced: the same stdout as untraced; the traced run's spans (by service name). */
async function runBoth(runtime: Runtime, app: string, extraEnv: Record<string, string> = {}, minSpans = 1) {
  const esm = app.endsWith(".mjs") || (app.endsWith(".js") && JSON.parse(fs.readFileSync(path.join(path.dirname(app), "package.json"), "utf8")).type === "module");
  const preload = runtime === "bun" ? ["--preload", "@inference/tracing/register"] : [esm ? "--import" : "--require", "@inference/tracing/register"];
  const bin = binary(runtime);
  const plain = { stdout: await untraced(runtime, app) };
  const service = `zero-code-${++runs}`;
  const traced = await run(bin, [...preload, app], {
    env: { ...appEnv(), CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off", CATALYST_SERVICE_NAME: service, ...extraEnv },
    timeoutMs: 90_000,
  });
  expect(traced.code, traced.stderr).toBe(0);
  expect(traced.stdout).toBe(plain.stdout);
  const mine = () => receiver.spans.filter((s) => s.resource["service.name"] === service);
  await receiver.waitForSpans(() => mine().filter((s) => s.attributes["openinference.span.kind"]).length >= minSpans, 15_000);
  return { stdout: plain.stdout, spans: mine(), stderr: traced.stderr };
}

const llm = (spans: ReceivedSpan[]) => byKind(spans, "LLM");
const withInput = (spans: ReceivedSpan[], text: string) => spans.find((s) => Object.entries(s.attributes).some(([k, v]) => k.startsWith("llm.input_messages.") && v === text));

function checkGoogleEsm(spans: ReceivedSpan[], stdout: string) {
  const l = llm(spans);
  expect(l).toHaveLength(7);
  expect(byKind(spans, "EMBEDDING")).toHaveLength(1);
  for (const s of [...l, ...byKind(spans, "EMBEDDING")]) expect(s.attributes["llm.provider"]).toBe("google");
  const ask = l.find((s) => s.attributes["llm.input_messages.0.message.content"] === "You are a weather bot.")!;
  expect(ask.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
  expect(JSON.parse(ask.attributes["llm.tools.0.tool.json_schema"]).name).toBe("get_weather");
  const answer = l.find((s) => s.attributes["llm.input_messages.2.message.role"] === "tool")!;
  expect(answer.attributes["llm.input_messages.2.message.tool_call_id"]).toBe(ask.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"]);
  expect(answer.attributes["llm.output_messages.0.message.content"]).toBe('Done: {"forecast":"sunny"}');
  expect(typeof answer.attributes["llm.cost.total"]).toBe("number");
  const streamed = withInput(l, "stream from esm")!;
  expect(streamed.attributes).toMatchObject({ "llm.streaming": true, "output.value": "Echo: stream from esm" });
  expect(streamed.attributes["llm.token_count.completion_details.reasoning"]).toBeGreaterThan(0);
  const chat2 = withInput(l, "and stream")!;
  expect(chat2.attributes["llm.input_messages.0.message.content"]).toBe("hi chat");
  expect(chat2.attributes["llm.streaming"]).toBe(true);
  const vertex = withInput(l, "hello vertex")!;
  expect(vertex.attributes).toMatchObject({ "gen_ai.system": "gcp.vertex_ai", "llm.model_name": /vertex: (\S+)/.exec(stdout)![1] });
  const failed = l.find((s) => s.status.code === 2)!;
  expect(failed.attributes).toMatchObject({ "http.response.status_code": 429, "error.type": "RESOURCE_EXHAUSTED" });
  const all = JSON.stringify(spans.map((s) => s.attributes));
  expect(all).not.toContain("AIzaSyA-test-key");
  expect(all).not.toContain("vertex-test-key");
}

function checkGoogleCjs(spans: ReceivedSpan[]) {
  const l = llm(spans);
  expect(l).toHaveLength(3);
  expect(byKind(spans, "EMBEDDING")).toHaveLength(1);
  expect(withInput(l, "hello from cjs")!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("lookup");
  expect(withInput(l, "stream from cjs")!.attributes["output.value"]).toBe("Echo: stream from cjs");
  expect(l.find((s) => s.status.code === 2)!.attributes["http.response.status_code"]).toBe(400);
}

function checkMistralEsm(spans: ReceivedSpan[]) {
  const l = llm(spans);
  expect(l.map((s) => s.name).sort()).toEqual([
    "Mistral Agents Completions",
    ...Array(5).fill("Mistral Chat Completions"),
    "Mistral FIM Completions",
  ]);
  expect(byKind(spans, "EMBEDDING").map((s) => s.name)).toEqual(["Mistral Embeddings"]);
  const ask = l.find((s) => s.attributes["llm.input_messages.0.message.content"] === "You are a weather bot." && !s.attributes["llm.input_messages.2.message.role"])!;
  const callId = ask.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.id"];
  const answer = l.find((s) => s.attributes["llm.input_messages.3.message.role"] === "tool")!;
  expect(answer.attributes["llm.input_messages.3.message.tool_call_id"]).toBe(callId);
  expect(answer.attributes["llm.output_messages.0.message.content"]).toBe("Done: sunny");
  expect(withInput(l, "stream from esm")!.attributes).toMatchObject({ "llm.streaming": true, "output.value": "Echo: stream from esm" });
  expect(withInput(l, "Weather in Rome?")!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
  expect(l.find((s) => s.name === "Mistral Agents Completions")!.attributes["llm.model_name"]).toBe("mistral-medium-2505");
  expect(l.find((s) => s.status.code === 2)!.attributes["http.response.status_code"]).toBe(429);
  for (const s of l.filter((x) => x.status.code !== 2)) expect(typeof s.attributes["llm.cost.total"], s.name).toBe("number");
  expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain("mistral-test-key");
}

function checkMistralCjs(spans: ReceivedSpan[]) {
  const l = llm(spans);
  expect(l).toHaveLength(3);
  expect(byKind(spans, "EMBEDDING")).toHaveLength(1);
  expect(withInput(l, "hello from cjs")!.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("lookup");
  expect(withInput(l, "stream from cjs")!.attributes["output.value"]).toBe("Echo: stream from cjs");
  expect(l.find((s) => s.status.code === 2)!.attributes["http.response.status_code"]).toBe(422);
}

const APP = (name: string) => fixtureApp(`${name}/app.js`);
const OLD = (file: string) => path.join(OLDEST, file);

/** Each SDK's fixture apps and their checks. */
const SDKS = {
  "@google/genai": [
    { format: "ESM", app: "google-genai-esm", check: checkGoogleEsm, spans: 8 },
    { format: "CommonJS", app: "google-genai-cjs", check: checkGoogleCjs, spans: 4 },
  ],
  "@mistralai/mistralai": [
    { format: "ESM", app: "mistral-esm", check: checkMistralEsm, spans: 8 },
    { format: "CommonJS", app: "mistral-cjs", check: checkMistralCjs, spans: 4 },
  ],
};
/** The SDKs whose copy this run tests: the version matrix's one, or both. */
const UNDER_TEST = Object.keys(SDKS).filter((pkg) => !pointedPackage() || pointedPackage() === pkg) as (keyof typeof SDKS)[];

/**
 * Which SDK on which runtime: @google/genai 3.x asks for Node 22 or later, so Node 20 runs the
 * oldest supported 1.1.0; Mistral's oldest, 1.0.3, runs on Node 20 too.
 */
const cases: { runtime: Runtime; label: string; app: () => string; check: (spans: ReceivedSpan[], stdout: string) => void; spans: number }[] = [];
// the version matrix: the installed copy's apps, on the runtimes its engines allow
if (pointedAtOtherCopy()) {
  for (const pkg of UNDER_TEST) {
    const t = sdkTargets(pkg)[0]!;
    for (const runtime of t.runtimes) for (const c of SDKS[pkg]) cases.push({ runtime, label: `${t.label} ${c.format}`, app: () => APP(c.app), check: c.check, spans: c.spans });
  }
}
for (const runtime of pointedAtOtherCopy() ? [] : runtimes()) {
  const newest = runtime !== "node20";
  cases.push(
    { runtime, label: `@google/genai ${newest ? "3.3.0" : "1.1.0"} ESM`, app: () => (newest ? APP("google-genai-esm") : OLD("google-genai-esm.mjs")), check: checkGoogleEsm, spans: 8 },
    { runtime, label: `@google/genai ${newest ? "3.3.0" : "1.1.0"} CommonJS`, app: () => (newest ? APP("google-genai-cjs") : OLD("google-genai-cjs.cjs")), check: checkGoogleCjs, spans: 4 },
    { runtime, label: "@mistralai/mistralai 2.7.0 ESM", app: () => APP("mistral-esm"), check: checkMistralEsm, spans: 8 },
    { runtime, label: "@mistralai/mistralai 2.7.0 CommonJS (require of an ES module)", app: () => APP("mistral-cjs"), check: checkMistralCjs, spans: 4 },
  );
  if (runtime === "node20") {
    cases.push(
      { runtime, label: "@mistralai/mistralai 1.0.3 ESM (a CommonJS package imported)", app: () => OLD("mistral-esm.mjs"), check: checkMistralEsm, spans: 8 },
      { runtime, label: "@mistralai/mistralai 1.0.3 CommonJS", app: () => OLD("mistral-cjs.cjs"), check: checkMistralCjs, spans: 4 },
    );
  }
}

describe.each(cases)("zero-code on $runtime: $label", ({ runtime, app, check, spans: count }) => {
  it("traced with identical app output", async () => {
    const { spans, stdout } = await runBoth(runtime, app(), {}, count);
    check(spans, stdout);
  }, 200_000);
});

describe("our own faults never reach the app (CATALYST_TEST_FAULTS=1)", () => {
  for (const name of UNDER_TEST.flatMap((pkg) => SDKS[pkg].map((c) => c.app))) {
    it(`${name}: identical stdout, spans still end, marked incomplete`, async () => {
      // the pinned @google/genai asks for Node 22; a copy the matrix installed runs where its engines allow
      const runtime: Runtime = pointedAtOtherCopy()
        ? sdkTargets(pointedPackage() ?? "@google/genai")[0]!.runtimes.find((r) => r !== "bun") ?? "node22"
        : runtimes().find((r) => r !== "node20" && r !== "bun") ?? "node22";
      const { spans } = await runBoth(runtime, APP(name), { CATALYST_TEST_FAULTS: "1" }, 4);
      const l = llm(spans);
      expect(l.length).toBeGreaterThanOrEqual(3);
      for (const s of [...l, ...byKind(spans, "EMBEDDING")]) expect(s.attributes["inference.tracing.incomplete"], s.name).toBe(true);
    }, 200_000);
  }
});

// the frameworks' own copies of the SDKs, not the one the version matrix installed
describe.skipIf(pointedAtOtherCopy())("a model call inside a framework's LLM span is recorded once", () => {
  it("PI AI's Google and Mistral providers (import-in-the-middle sees the SDKs it loads): only PI AI's spans", async () => {
    const app = path.join(FIXTURES, "apps", "pi-ai-google-mistral", "app.mjs");
    const { spans, stderr } = await runBoth("node20", app, { CATALYST_ESM_MODE: "loader", CATALYST_DEBUG: "1" }, 2);
    // the SDK copies PI AI uses were patched, and still made no span of their own
    expect(stderr).toMatch(/patched @google\/genai@1\.\d+\.\d+ \(esm\)/);
    expect(stderr).toMatch(/patched @mistralai\/mistralai@2\.\d+\.\d+ \(esm\)/);
    await new Promise((r) => setTimeout(r, 300));
    const l = llm(receiver.spans.filter((s) => s.resource["service.name"] === spans[0]!.resource["service.name"]));
    expect(l.map((s) => s.name)).toEqual(["pi_ai.stream", "pi_ai.stream"]);
  }, 200_000);

  it("LangChain's ChatMistralAI (its own copy of the SDK, required as an ES module): only LangChain's LLM span", async () => {
    const script = `
      const { ChatMistralAI } = require("@langchain/mistralai");
      const model = new ChatMistralAI({ model: "mistral-small-latest", apiKey: "k", serverURL: process.env.MISTRAL_BASE_URL, maxRetries: 0 });
      model.invoke("hello langchain").then((m) => console.log(m.content));
    `;
    const file = path.join(OLDEST, "langchain-mistral.cjs");
    fs.writeFileSync(file, script);
    const { spans, stdout, stderr } = await runBoth("node20", file, { CATALYST_DEBUG: "1" }, 1);
    expect(stdout).toBe("Echo: hello langchain\n");
    expect(stderr).toMatch(/patched @mistralai\/mistralai@2\.2\.\d+ \(cjs\)/);
    await new Promise((r) => setTimeout(r, 300));
    const l = llm(receiver.spans.filter((s) => s.resource["service.name"] === spans[0]!.resource["service.name"]));
    expect(l).toHaveLength(1);
    expect(l[0]!.name).not.toMatch(/^Mistral /);
  }, 200_000);
});

describe("explicit helpers imported first (no preload)", () => {
  it("@inference/tracing/google-genai and /mistral load on their own and patch what they are given", async () => {
    const script = `
      const { instrumentGoogleGenAI } = require("@inference/tracing/google-genai");
      const { instrumentMistral } = require("@inference/tracing/mistral");
      const genai = require("@google/genai");
      const { Mistral } = require("@mistralai/mistralai");
      console.log(instrumentGoogleGenAI(genai).patched, instrumentMistral(Mistral).patched);
      (async () => {
        const ai = new genai.GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: process.env.GOOGLE_GENAI_BASE_URL } });
        console.log((await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "explicit google" })).text);
        const m = new Mistral({ apiKey: "k", serverURL: process.env.MISTRAL_BASE_URL });
        console.log((await m.chat.complete({ model: "mistral-small-latest", messages: [{ role: "user", content: "explicit mistral" }] })).choices[0].message.content);
      })();
    `;
    receiver.clear();
    const r = await node(["-e", script], { env: { ...appEnv(), CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CATALYST_CONSOLE: "off" }, timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("true true\nEcho: explicit google\nEcho: explicit mistral\n");
    const spans = await receiver.waitForSpans((s) => llm(s).length >= 2, 10_000);
    expect(llm(spans).map((s) => s.name).sort()).toEqual(["Google GenAI Generate Content", "Mistral Chat Completions"]);
  }, 120_000);
});
