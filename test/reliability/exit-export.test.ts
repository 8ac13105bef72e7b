/**
 * What leaves the process at its end, as real subprocesses: the process.exit() export splits its
 * bodies as the normal path does, a collector that does not confirm spans in time gets one line
 * (how many, and the endpoint without its credentials), and an endpoint with a query keeps it
 * after /v1/traces.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { agentLines, startSizeLimitedCollector } from "./fault-servers";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const MANY = path.join(FIXTURES, "apps", "core", "exit-many.mjs");
const OPENAI_APP = path.join(FIXTURES, "apps", "reliability-openai", "app.mjs");
const PRELOAD = ["--import", "@inference/tracing/register"];

let mock: { baseURL: string; close(): Promise<void> };
let receiver: Receiver;
beforeAll(async () => {
  mock = await startMockOpenAI();
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await mock?.close();
  await receiver?.close();
});

describe("the process.exit() export", () => {
  it("600 spans (6.5 MB) to a collector that refuses bodies over 2 MB: split by size and on 413, every span arrives", async () => {
    const collector = await startSizeLimitedCollector(2 * 1024 * 1024);
    try {
      const r = await node([...PRELOAD, MANY], { env: { CATALYST_OTLP_ENDPOINT: collector.url, CATALYST_BATCHING: "batch" }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe("ended 600 spans\n");
      expect(collector.statuses).toContain(413);
      expect(new Set(collector.accepted).size).toBe(600);
      expect(agentLines(r.stderr)).toEqual([]);
    } finally {
      await collector.close();
    }
  }, 90_000);
  it("OTLP/JSON with gzip: the spans, encoded one by one for the child to join, arrive as valid requests", async () => {
    receiver.clear();
    const r = await node([...PRELOAD, MANY], {
      env: { SPANS: "40", CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_BATCHING: "batch", CATALYST_OTLP_PROTOCOL: "http/json", CATALYST_OTLP_COMPRESSION: "gzip" },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    await receiver.waitForSpans((s) => s.length >= 40);
    expect(new Set(receiver.spans.map((s) => s.name)).size).toBe(40);
    expect(receiver.requests.every((q) => q.headers["content-encoding"] === "gzip" && q.headers["content-type"] === "application/json")).toBe(true);
  }, 90_000);
});

describe("a collector that does not confirm the spans", () => {
  const credentials = "exporter:s3cret-pw-1234";
  const endpoint = () => `http://${credentials}@127.0.0.1:${receiver.port}/otlp?tenant=acme-7788`;
  const shown = () => `http://***@127.0.0.1:${receiver.port}/otlp/v1/traces?tenant=***`;

  it("hanging at a natural exit: after the shutdown timeout, one line with the count and the endpoint, no credentials", async () => {
    receiver.clear();
    receiver.setBehavior({ hang: true });
    const r = await node([...PRELOAD, OPENAI_APP], {
      env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: endpoint(), CATALYST_SHUTDOWN_TIMEOUT_MS: "1500", CATALYST_EXPORT_TIMEOUT_MS: "10000" },
      timeoutMs: 60_000,
    });
    receiver.setBehavior({ status: 200 });
    expect(r.code, r.stderr).toBe(0);
    const lines = agentLines(r.stderr).filter((l) => l.includes("not confirmed"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[@inference\/tracing\] warning: \d+ span\(s\) not confirmed by /);
    expect(Number(/(\d+) span/.exec(lines[0]!)![1])).toBeGreaterThanOrEqual(6);
    expect(lines[0]).toContain(shown());
    expect(r.stderr).not.toContain("s3cret-pw");
    expect(r.stderr).not.toContain("acme-7788");
  }, 90_000);

  it("hanging at process.exit(): the exit export gives up within its bound and says so in one line", async () => {
    receiver.clear();
    receiver.setBehavior({ hang: true });
    const r = await node([...PRELOAD, OPENAI_APP], {
      env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: endpoint(), CATALYST_SHUTDOWN_TIMEOUT_MS: "1500", EXIT_EARLY: "1", CATALYST_BATCHING: "batch", CATALYST_DEBUG: "1" },
      timeoutMs: 60_000,
    });
    receiver.setBehavior({ status: 200 });
    expect(r.code, r.stderr).toBe(0);
    const lines = agentLines(r.stderr).filter((l) => l.includes("not confirmed"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warning: exit: \d+ span\(s\) not confirmed by .* \(no answer within \d+ms\); they are lost\.$/);
    expect(lines[0]).toContain(shown());
    // debug lines name the endpoint too: never with its credentials
    expect(agentLines(r.stderr).filter((l) => l.includes("127.0.0.1")).length).toBeGreaterThan(1);
    expect(r.stderr).not.toContain("s3cret-pw");
    expect(r.stderr).not.toContain("acme-7788");
  }, 90_000);
});

describe("an endpoint with a query", () => {
  it("gets /v1/traces before the query; its userinfo becomes the request's Basic credentials", async () => {
    receiver.clear();
    const r = await node([...PRELOAD, OPENAI_APP], {
      env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: `http://exporter:pw-9@127.0.0.1:${receiver.port}/?tenant=abc`, CATALYST_BATCHING: "simple" },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    await receiver.waitForSpans((s) => s.length >= 6);
    expect(new Set(receiver.requests.map((q) => q.url))).toEqual(new Set(["/v1/traces?tenant=abc"]));
    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from("exporter:pw-9").toString("base64")}`);
  }, 90_000);
});
