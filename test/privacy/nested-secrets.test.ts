/**
 * Secrets an app handles, end to end: the model calls a tool with credentials as arguments (an
 * escaped JSON string inside the response body), the tool's result (session and refresh tokens)
 * goes back in the next request, a gateway echoes the key in its 401, an app error quotes an
 * Authorization header, a span is named with a key, a link and the resource carry credentials.
 * Real openai and LangChain packages against the mock server, real subprocesses, spans read from the
 * OTLP receiver, the console tree and the traces file: none of the secrets may appear anywhere.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { byKind, one, type ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { sendJson } from "../../fixtures/mock-providers/common.mjs";
// @ts-expect-error plain ESM fixture without types
import { SECRETS, loginToolCall } from "../../fixtures/apps/privacy-secrets/secrets.mjs";

const APP = path.join(FIXTURES, "apps", "privacy-secrets", "app.mjs");
const LANGCHAIN_APP = path.join(FIXTURES, "apps", "privacy-secrets", "langchain.mjs");
const REDACTED = "__REDACTED__";

let mock: { baseURL: string; script: unknown[]; close(): Promise<void> };
let receiver: Receiver;

beforeAll(async () => {
  mock = await startMockOpenAI();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

/** The model's first answer calls the login tool with the credentials. */
const scriptLoginCall = () => mock.script.push((_body: unknown, _req: unknown, res: unknown) => sendJson(res, 200, loginToolCall()));

const baseEnv = () => ({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: mock.baseURL });

/** Every secret of the fixture that occurs in `text`. */
const leaked = (text: string) => Object.entries(SECRETS as Record<string, string>).filter(([, v]) => text.includes(v)).map(([k]) => k);

async function tracedRun(app: string) {
  scriptLoginCall();
  const plain = await node([app], { env: baseEnv(), timeoutMs: 60_000 });
  expect(plain.code, plain.stderr).toBe(0);
  receiver.clear();
  scriptLoginCall();
  const r = await node(["--import", "@inference/tracing/register", app], {
    env: {
      ...baseEnv(),
      CATALYST_OTLP_ENDPOINT: receiver.url,
      CATALYST_BATCHING: "simple",
      CATALYST_RESOURCE_ATTRIBUTES: `db.password=${SECRETS.resourcePassword},deployment.note=deployed%20with%20Bearer%20${SECRETS.jwt}`,
    },
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(plain.stdout);
  await new Promise((res) => setTimeout(res, 300));
  return receiver.spans;
}

describe("secrets in nested JSON, errors, names, links and the resource (openai, OTLP)", () => {
  let spans: ReceivedSpan[];
  beforeAll(async () => {
    spans = await tracedRun(APP);
  }, 90_000);

  it("no secret appears in any span: attributes, name, status, events, links, resource", () => {
    expect(spans.length).toBeGreaterThanOrEqual(6);
    expect(leaked(JSON.stringify(spans))).toEqual([]);
  });

  it("the response body and the next request keep their JSON shape, with the escaped tool arguments and tool result redacted", () => {
    const llm = byKind(spans, "LLM");
    const first = one(llm, (s) => String(s.attributes["output.value"]).includes("call_login"), "the tool-calling answer");
    const body = JSON.parse(first.attributes["output.value"]);
    const args = JSON.parse(body.choices[0].message.tool_calls[0].function.arguments);
    expect(args).toEqual({ username: "ada", password: REDACTED, api_key: REDACTED, token: REDACTED, client_secret: REDACTED });
    expect(body.usage.total_tokens).toBe(50);
    const second = one(llm, (s) => String(s.attributes["input.value"]).includes('"role":"tool"'), "the call with the tool result");
    const request = JSON.parse(second.attributes["input.value"]);
    expect(request.max_tokens).toBe(50);
    expect(JSON.parse(request.messages[1].tool_calls[0].function.arguments).password).toBe(REDACTED);
    expect(JSON.parse(request.messages[2].content)).toEqual({ ok: true, user: "ada", session_token: REDACTED, refresh_token: REDACTED });
    // the model echoed the tool result in prose: the pairs in it are redacted too
    expect(second.attributes["llm.output_messages.0.message.content"]).toBe(
      `Done: {"ok":true,"user":"ada","session_token":"${REDACTED}","refresh_token":"${REDACTED}"}`,
    );
    expect(second.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    // a connection string in a tool input keeps everything but the password
    const tool = one(byKind(spans, "TOOL"), () => true, "the login tool");
    expect(JSON.parse(tool.attributes["input.value"]).dsn).toBe(`postgres://app:${REDACTED}@db.internal/app`);
  });

  it("a 401 echoing the key (upper-case BEARER) and an app error quoting a bearer JWT and an Anthropic key: status, exception message and stack", () => {
    const gateway = one(spans, (s) => s.status.code === 2 && String(s.status.message).startsWith("401"), "the gateway call");
    expect(gateway.status.message).toBe(`401 invalid credentials: ${REDACTED}`);
    const refresh = one(spans, (s) => s.name.startsWith("refresh with"), "the span named with a key");
    expect(refresh.name).toBe(`refresh with ${REDACTED}`);
    expect(refresh.status.message).toBe(`upstream refused Authorization: ${REDACTED} (key ${REDACTED})`);
    const exception = refresh.events.find((e) => e.name === "exception")!;
    expect(exception.attributes["exception.message"]).toBe(refresh.status.message);
    expect(exception.attributes["exception.stacktrace"]).toContain(`Error: upstream refused Authorization: ${REDACTED} (key ${REDACTED})\n    at `);
    expect(refresh.links).toHaveLength(1);
    expect(refresh.links[0]!.attributes).toEqual({ "peer.api_key": REDACTED, note: `called with ${REDACTED}` });
    expect(refresh.resource["db.password"]).toBe(REDACTED);
    expect(refresh.resource["deployment.note"]).toBe(`deployed with ${REDACTED}`);
    expect(refresh.resource["service.name"]).toBeTruthy();
  });
});

describe("the same secrets through LangChain", () => {
  it("LangChain's input.value / output.value and the tool span carry none of them", async () => {
    const spans = await tracedRun(LANGCHAIN_APP);
    expect(byKind(spans, "LLM").length).toBeGreaterThanOrEqual(2);
    expect(leaked(JSON.stringify(spans))).toEqual([]);
    const second = byKind(spans, "LLM").find((s) => String(s.attributes["input.value"]).includes('"role":"tool"'))!;
    expect(second.attributes["input.value"]).toContain(`\\"session_token\\":\\"${REDACTED}\\"`);
  }, 90_000);
});

describe("printed locally", () => {
  it("the console tree and the traces file show only redacted text", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nested-secrets-"));
    const file = path.join(dir, "spans.jsonl");
    scriptLoginCall();
    const r = await node(["--import", "@inference/tracing/register", APP], {
      env: { ...baseEnv(), CATALYST_CONSOLE: "tree", CATALYST_TRACES_FILE: file, CATALYST_RESOURCE_ATTRIBUTES: `db.password=${SECRETS.resourcePassword}` },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`refresh with ${REDACTED}`);
    expect(r.stderr).toContain(`✗ upstream refused Authorization: ${REDACTED} (key ${REDACTED})`);
    expect(r.stderr).toContain(`✗ 401 invalid credentials: ${REDACTED}`);
    expect(leaked(r.stderr)).toEqual([]);
    const written = fs.readFileSync(file, "utf8");
    expect(written.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(6);
    expect(leaked(written)).toEqual([]);
  }, 90_000);
});
