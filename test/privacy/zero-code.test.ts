/**
 * Privacy end to end: the zero-code OpenAI app as a real subprocess, spans read from the real
 * OTLP receiver. Secrets pasted into prompts never reach a span; OpenInference's env names hide
 * inputs / output text; the ingest token goes to the collector and nowhere else.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { warnAboutPlainHttpToken } from "../../src/export/pipeline";
import { resolveConfig } from "../../src/config";
import { resetLogOnce } from "../../src/util/log";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { byKind } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const APP = path.join(FIXTURES, "apps", "reliability-openai", "app.mjs");
const API_KEY = "sk-reliability-test-key-0123456789abcdef";
const DB_PASSWORD = "correct-horse-battery-staple";
const INGEST = "ingest-token-abcdef-123456";

let mock: { baseURL: string; requests: { headers: Record<string, string> }[]; close(): Promise<void> };
let receiver: Receiver;

beforeAll(async () => {
  mock = await startMockOpenAI();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

const run = (env: Record<string, string>) =>
  node(["--import", "@inference/tracing/register", APP], {
    env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "simple", CALLS: "2", ...env },
  });

describe("secrets never reach a span", () => {
  it("an API key and a credential env var pasted into a prompt are redacted; the app is unchanged", async () => {
    receiver.clear();
    const env = { LEAK: "1", MY_DB_PASSWORD: DB_PASSWORD };
    const base = await node([APP], { env: { OPENAI_BASE_URL: mock.baseURL, CALLS: "2", ...env } });
    const mockRequestsBefore = mock.requests.length;
    const r = await run({ ...env, CATALYST_OTLP_TOKEN: INGEST });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(base.stdout);
    const llm = byKind(receiver.spans, "LLM");
    expect(llm.length).toBeGreaterThanOrEqual(2);
    const all = JSON.stringify(receiver.spans);
    expect(all).not.toContain(API_KEY);
    expect(all).not.toContain(DB_PASSWORD);
    expect(all).not.toContain(INGEST);
    const first = llm.find((s) => String(s.attributes["llm.input_messages.1.message.content"] ?? "").startsWith("hello 0"))!;
    expect(first.attributes["llm.input_messages.1.message.content"]).toBe("hello 0 my key is __REDACTED__ and the db password is __REDACTED__");
    // the rest of the span is intact
    expect(first.attributes["llm.token_count.total"]).toBeGreaterThan(0);
    expect(first.attributes["llm.model_name"]).toBeTruthy();
    // the ingest token went to the collector, and never to the model provider
    expect(receiver.requests.every((q) => q.headers["authorization"] === `Bearer ${INGEST}`)).toBe(true);
    const providerHeaders = JSON.stringify(mock.requests.slice(mockRequestsBefore).map((q) => q.headers));
    expect(providerHeaders).not.toContain(INGEST);
    expect(providerHeaders).toContain(API_KEY); // the app's own key still reaches its provider
  });
});

describe("OpenInference hide flags by env", () => {
  it("OPENINFERENCE_HIDE_INPUTS and OPENINFERENCE_HIDE_OUTPUT_TEXT", async () => {
    receiver.clear();
    const r = await run({ OPENINFERENCE_HIDE_INPUTS: "true", OPENINFERENCE_HIDE_OUTPUT_TEXT: "true" });
    expect(r.code).toBe(0);
    const llm = byKind(receiver.spans, "LLM");
    expect(llm.length).toBeGreaterThanOrEqual(2);
    for (const s of llm) {
      expect(s.attributes["input.value"]).toBe("__REDACTED__");
      expect(s.attributes["input.mime_type"]).toBeUndefined();
      expect(Object.keys(s.attributes).filter((k) => k.startsWith("llm.input_messages."))).toEqual([]);
      expect(s.attributes["llm.model_name"]).toBeTruthy();
    }
    const plain = llm.find((s) => s.attributes["llm.output_messages.0.message.content"] !== undefined)!;
    expect(plain.attributes["llm.output_messages.0.message.content"]).toBe("__REDACTED__");
    expect(plain.attributes["llm.output_messages.0.message.role"]).toBe("assistant");
    expect(plain.attributes["llm.token_count.total"]).toBeGreaterThan(0);
  });
});

describe("ingest token over plain http", () => {
  it("warns once for a remote http:// endpoint, never for loopback or https", () => {
    const lines: string[] = [];
    const real = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (c: any) => (lines.push(String(c)), true);
    try {
      resetLogOnce();
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "http://localhost:4318", token: "tok-123456" }, {}));
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "http://127.0.0.1:4318", token: "tok-123456" }, {}));
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "https://collector.example.com", token: "tok-123456" }, {}));
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "http://collector.example.com" }, {}));
      expect(lines).toEqual([]);
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "http://collector.example.com", token: "tok-123456" }, {}));
      warnAboutPlainHttpToken(resolveConfig({ endpoint: "http://collector.example.com", token: "tok-123456" }, {}));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("plain http://");
      expect(lines[0]).not.toContain("tok-123456");
    } finally {
      (process.stderr as any).write = real;
    }
  });
});
