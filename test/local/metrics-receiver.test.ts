/**
 * The collector's metrics receiver (`serve`'s /v1/metrics and /api/metrics): a traced app, a real
 * subprocess through the zero-code door against the mock OpenAI server, exports its GenAI metrics
 * to the collector, whose per-model totals must equal the sums of the spans it stored; another
 * sender's requests, encoded independently (protobufjs from OTLP's schema, and JSON), count each
 * running total once; bodies that are not OTLP are refused without losing what is stored; what is
 * kept is bounded.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type LocalServer } from "../../src/local/server";
import { LocalStore } from "../../src/local/store";
import { buildQuery } from "../../src/local/query";
import type { UsageReport } from "../../src/local/usage-store";
import type { UsageLimits } from "../../src/local/usage-store";
import { AGENT, startOpenAIMock, type OpenAIMock } from "../cli/helpers";
import { run } from "../helpers/run";
import { runtimePath, selectedRuntimes, type RuntimeName } from "../helpers/runtimes";
// @ts-expect-error plain ESM fixture without types
import { encodeMetricsRequest } from "../../fixtures/otlp-receiver.mjs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "metrics-receiver-"));
let mock: OpenAIMock;
beforeAll(async () => {
  mock = await startOpenAIMock();
});
afterAll(async () => {
  await mock?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Collector {
  store: LocalStore;
  server: LocalServer;
  close(): Promise<void>;
}
let collectors = 0;
/** A collector of its own (store and server), so each test's totals are its own. */
async function collector(usageLimits?: Partial<UsageLimits>): Promise<Collector> {
  const store = LocalStore.open({ dir: path.join(tmp, `store-${++collectors}`), usageLimits });
  const server = await startServer({ store, port: 0 });
  return {
    store,
    server,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

interface Answer {
  status: number;
  body: Buffer;
  json: () => any;
}
function request(c: Collector, method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${c.server.url}${urlPath}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: all, json: () => JSON.parse(all.toString("utf8")) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
const usage = async (c: Collector): Promise<UsageReport> => (await request(c, "GET", "/api/metrics?since=all")).json();
const JSON_TYPE = { "content-type": "application/json" };
const PROTOBUF_TYPE = { "content-type": "application/x-protobuf" };

/* ---------------- a traced app ---------------- */

interface Expected {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  calls: number;
  errors: number;
}
/** Per model asked for (the `model` of the call, as the span's invocation parameters hold it): the sums of the stored LLM spans. */
function spanTotals(store: LocalStore): Record<string, Expected> {
  const out: Record<string, Expected> = {};
  for (const summary of store.listSpans(buildQuery({ kind: ["LLM"], limit: "all" }, "spans"))) {
    const span = store.getSpan(summary.traceId, summary.spanId)!;
    const model = JSON.parse(span.attributes["llm.invocation_parameters"] as string).model as string;
    const t = (out[model] ??= { inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0, errors: 0 });
    const num = (key: string) => (typeof span.attributes[key] === "number" ? (span.attributes[key] as number) : 0);
    t.inputTokens += num("llm.token_count.prompt");
    t.outputTokens += num("llm.token_count.completion");
    t.costUsd += num("llm.cost.total");
    t.calls++;
    if (span.status.code === 2) t.errors++;
  }
  return out;
}
const served = (report: UsageReport) =>
  Object.fromEntries(report.models.map((m) => [m.model, { inputTokens: m.inputTokens, outputTokens: m.outputTokens, costUsd: m.costUsd, calls: m.calls, errors: m.errors }]));

/** Until the collector holds as many calls (from metrics) as LLM spans, and at least `calls`. */
async function settled(c: Collector, calls: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const report = await usage(c);
    const spans = Object.values(spanTotals(c.store)).reduce((n, t) => n + t.calls, 0);
    if ((report.totals.calls >= calls && report.totals.calls === spans) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const door = (runtime: RuntimeName) => (runtime === "bun" ? ["--preload", "@inference/tracing/register"] : ["--import", "@inference/tracing/register"]);
function traced(runtime: RuntimeName, c: Collector, env: Record<string, string>) {
  return run(runtimePath(runtime), [...door(runtime), AGENT], {
    env: { CATALYST_BATCHING: "simple", OPENAI_BASE_URL: mock.baseURL, CATALYST_OTLP_ENDPOINT: c.server.url, ...env },
    timeoutMs: 60_000,
  });
}

describe.each(selectedRuntimes())("a traced app's GenAI metrics in the collector (%s)", (runtime) => {
  /** Run the agent (two tickets of two calls each, and a failing call), then compare the served totals with the spans. */
  async function check(env: Record<string, string>): Promise<{ report: UsageReport; c: Collector }> {
    const c = await collector();
    const r = await traced(runtime, c, { TICKETS: "2", FAIL: "1", ...env });
    expect(r.code, r.stderr).toBe(0);
    await settled(c, 5);
    const expected = spanTotals(c.store);
    const report = await usage(c);
    expect(Object.keys(expected).sort()).toEqual(["error-500", "gpt-4o-mini"]);
    expect(expected["gpt-4o-mini"]!.inputTokens).toBeGreaterThan(0);
    const got = served(report);
    for (const [model, want] of Object.entries(expected)) {
      expect(got[model], model).toEqual({ ...want, costUsd: expect.closeTo(want.costUsd, 12) });
    }
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    expect(report.models.find((m) => m.model === "gpt-4o-mini")!.provider).toBe("openai");
    return { report, c };
  }

  it("OTLP/protobuf, the default: per-model tokens, cost, calls and errors equal the sums of the spans", async () => {
    const { c } = await check({});
    await c.close();
  }, 90_000);

  it("OTLP/JSON with gzip and the newer conventions' token counters (gen_ai_latest_experimental): the same equality", async () => {
    const { c } = await check({ CATALYST_OTLP_PROTOCOL: "http/json", CATALYST_OTLP_COMPRESSION: "gzip", OTEL_SEMCONV_STABILITY_OPT_IN: "gen_ai_latest_experimental" });
    await c.close();
  }, 90_000);

  it("exported every 100 ms (the shortest interval allowed) while the app streams slowly: running totals, each call counted once", async () => {
    const c = await collector();
    let additions = 0;
    c.server.events.on("metrics", () => additions++);
    // the answers stream a chunk every 25 ms: the app runs for about a second, so several exports see it grow
    const slow = mock as OpenAIMock & { chunkDelayMs: number };
    slow.chunkDelayMs = 25;
    try {
      const r = await traced(runtime, c, { TICKETS: "4", STREAM: "1", OTEL_METRIC_EXPORT_INTERVAL: "100" });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      slow.chunkDelayMs = 0;
    }
    await settled(c, 8);
    expect(additions).toBeGreaterThanOrEqual(2);
    const expected = spanTotals(c.store)["gpt-4o-mini"]!;
    expect(expected.calls).toBe(8);
    expect(served(await usage(c))["gpt-4o-mini"]).toEqual({ ...expected, costUsd: expect.closeTo(expected.costUsd, 12) });
    await c.close();
  }, 90_000);
});

/* ---------------- requests of another sender ---------------- */

const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;
const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
const keyValues = (attrs: Record<string, string | number | boolean>) =>
  Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === "string" ? { stringValue: v } : typeof v === "boolean" ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
  }));
const CUMULATIVE = 2;
const DELTA = 1;
interface PointSpec {
  attrs: Record<string, string | number | boolean>;
  startMs?: number;
  timeMs: number;
}
/** A histogram (count, sum) the way OpenTelemetry SDKs send gen_ai.client.token.usage and the durations. */
const histogram = (name: string, temporality: number, points: (PointSpec & { count: number; sum: number })[]) => ({
  name,
  unit: name.endsWith("duration") ? "s" : "{token}",
  histogram: {
    aggregationTemporality: temporality,
    dataPoints: points.map((p) => ({
      attributes: keyValues(p.attrs),
      startTimeUnixNano: nanos(p.startMs ?? T0 - MINUTE),
      timeUnixNano: nanos(p.timeMs),
      count: String(p.count),
      sum: p.sum,
      bucketCounts: [String(p.count)],
      explicitBounds: [],
    })),
  },
});
const counter = (name: string, temporality: number, points: (PointSpec & { value: number })[]) => ({
  name,
  sum: {
    aggregationTemporality: temporality,
    isMonotonic: true,
    dataPoints: points.map((p) => ({ attributes: keyValues(p.attrs), startTimeUnixNano: nanos(p.startMs ?? T0 - MINUTE), timeUnixNano: nanos(p.timeMs), asDouble: p.value })),
  },
});
const exportRequest = (metrics: unknown[], service = "another-sender") => ({
  resourceMetrics: [{ resource: { attributes: keyValues({ "service.name": service }) }, scopeMetrics: [{ scope: { name: "opentelemetry.instrumentation.genai", version: "1.0.0" }, metrics }] }],
});
const CLAUDE = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5" };
/** Token usage (input, output) and the duration histogram of `calls` calls, as one sender's running totals at `timeMs`. */
const claudeTotals = (timeMs: number, input: number, output: number, calls: number, temporality = CUMULATIVE) =>
  exportRequest([
    histogram("gen_ai.client.token.usage", temporality, [
      { attrs: { ...CLAUDE, "gen_ai.token.type": "input" }, timeMs, count: calls, sum: input },
      { attrs: { ...CLAUDE, "gen_ai.token.type": "output" }, timeMs, count: calls, sum: output },
    ]),
    histogram("gen_ai.client.operation.duration", temporality, [{ attrs: CLAUDE, timeMs, count: calls, sum: calls * 0.5 }]),
  ]);
const post = (c: Collector, req: object, as: "json" | "protobuf") =>
  as === "json" ? request(c, "POST", "/v1/metrics", JSON.stringify(req), JSON_TYPE) : request(c, "POST", "/v1/metrics", encodeMetricsRequest(req), PROTOBUF_TYPE);
const claude = (report: UsageReport) => report.models.find((m) => m.model === "claude-sonnet-4-5");

describe("another sender's metrics", () => {
  it("cumulative totals sent as protobuf, re-sent, then grown and sent as JSON: each token and call counted once, in the minute it was reported", async () => {
    const c = await collector();
    const first = claudeTotals(T0 + 5_000, 100, 20, 1);
    expect((await post(c, first, "protobuf")).status).toBe(200);
    expect((await post(c, first, "protobuf")).status).toBe(200); // a retry of the same request
    expect(claude(await usage(c))).toMatchObject({ inputTokens: 100, outputTokens: 20, calls: 1, errors: 0, durationSeconds: 0.5, provider: "anthropic" });
    const grown = claudeTotals(T0 + 3 * MINUTE + 5_000, 250, 50, 2);
    const answer = await post(c, grown, "json");
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({});
    const report = await usage(c);
    expect(claude(report)).toMatchObject({ inputTokens: 250, outputTokens: 50, calls: 2 });
    expect(report.stepMs).toBe(MINUTE);
    const at = (ms: number) => report.steps.indexOf(Math.floor(ms / MINUTE) * MINUTE);
    expect(claude(report)!.series.inputTokens[at(T0)]).toBe(100);
    expect(claude(report)!.series.inputTokens[at(T0 + 3 * MINUTE)]).toBe(150);
    expect(claude(report)!.series.calls.reduce((n, v) => n + v, 0)).toBe(2);
    await c.close();
  });

  it("delta points add up; a running total that went down is a restarted series and counts whole; a failed call counts as an error", async () => {
    const c = await collector();
    await post(c, claudeTotals(T0, 10, 1, 1, DELTA), "json");
    await post(c, claudeTotals(T0 + MINUTE, 10, 1, 1, DELTA), "protobuf");
    expect(claude(await usage(c))).toMatchObject({ inputTokens: 20, calls: 2 });
    await post(c, claudeTotals(T0 + 2 * MINUTE, 500, 50, 5), "json");
    await post(c, claudeTotals(T0 + 3 * MINUTE, 40, 4, 1), "json");
    expect(claude(await usage(c))).toMatchObject({ inputTokens: 20 + 500 + 40, calls: 2 + 5 + 1 });
    const failed = exportRequest([histogram("gen_ai.client.operation.duration", DELTA, [{ attrs: { ...CLAUDE, "error.type": "overloaded_error" }, timeMs: T0 + 4 * MINUTE, count: 2, sum: 0.2 }])]);
    await post(c, failed, "protobuf");
    expect(claude(await usage(c))).toMatchObject({ calls: 10, errors: 2 });
    await c.close();
  });

  it("counts the newer conventions' token counters, not their per-operation histograms, nor gen_ai.client.token.usage beside them; keeps no other metric", async () => {
    const c = await collector();
    const embed = { "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small" };
    const chat = { "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-5" };
    const timeMs = T0 + 30_000;
    const req = exportRequest([
      counter("gen_ai.client.inference.usage.input_tokens", CUMULATIVE, [{ attrs: { ...chat, "gen_ai.token.modality": "unknown" }, timeMs, value: 300 }]),
      counter("gen_ai.client.inference.usage.output_tokens", CUMULATIVE, [{ attrs: { ...chat, "gen_ai.token.modality": "unknown" }, timeMs, value: 30 }]),
      histogram("gen_ai.client.inference.operation.input_tokens", CUMULATIVE, [{ attrs: chat, timeMs, count: 3, sum: 300 }]),
      histogram("gen_ai.client.token.usage", CUMULATIVE, [{ attrs: { ...chat, "gen_ai.token.type": "input" }, timeMs, count: 3, sum: 300 }]),
      histogram("gen_ai.client.inference.duration", CUMULATIVE, [{ attrs: chat, timeMs, count: 3, sum: 3 }]),
      histogram("gen_ai.client.embeddings.operation.input_tokens", CUMULATIVE, [{ attrs: embed, timeMs, count: 2, sum: 64 }]),
      histogram("gen_ai.client.embeddings.duration", CUMULATIVE, [{ attrs: embed, timeMs, count: 2, sum: 0.1 }]),
      counter("llm.client.cost", CUMULATIVE, [{ attrs: chat, timeMs, value: 0.25 }]),
      histogram("http.client.request.duration", CUMULATIVE, [{ attrs: { "http.request.method": "POST" }, timeMs, count: 9, sum: 9 }]),
    ]);
    expect((await post(c, req, "protobuf")).status).toBe(200);
    const report = await usage(c);
    expect(served(report)).toEqual({
      "gpt-5": { inputTokens: 300, outputTokens: 30, costUsd: 0.25, calls: 3, errors: 0 },
      "text-embedding-3-small": { inputTokens: 64, outputTokens: 0, costUsd: 0, calls: 2, errors: 0 },
    });
    // only other metrics: taken, nothing kept
    const other = exportRequest([histogram("http.server.request.duration", CUMULATIVE, [{ attrs: {}, timeMs, count: 1, sum: 1 }])]);
    expect((await post(c, other, "json")).status).toBe(200);
    expect(await usage(c)).toEqual(report);
    await c.close();
  });

  it("refuses a data point it cannot use on its own (partial success), and the request when none can be used (400)", async () => {
    const c = await collector();
    const timeMs = T0 + 1_000;
    const mixed = exportRequest([
      histogram("gen_ai.client.token.usage", 0, [{ attrs: { ...CLAUDE, "gen_ai.token.type": "input" }, timeMs, count: 1, sum: 5 }]),
      histogram("gen_ai.client.operation.duration", DELTA, [{ attrs: CLAUDE, timeMs, count: 1, sum: 1 }]),
    ]);
    const json = await post(c, mixed, "json");
    expect(json.status).toBe(200);
    expect(json.json().partialSuccess).toEqual({ rejectedDataPoints: "1", errorMessage: expect.stringMatching(/gen_ai.client.token.usage: its aggregation temporality is not delta or cumulative/) });
    const proto = await post(c, mixed, "protobuf");
    expect(proto.status).toBe(200);
    expect(proto.body.toString("latin1")).toMatch(/1 data point\(s\) refused/);
    expect(claude(await usage(c))).toMatchObject({ inputTokens: 0, calls: 2 });
    const useless = exportRequest([counter("llm.client.cost", DELTA, [{ attrs: CLAUDE, timeMs: 0, value: 1 }])]);
    const refused = await post(c, useless, "json");
    expect(refused.status).toBe(400);
    expect(refused.json().message).toMatch(/no data point could be used: metric llm.client.cost: a data point has no time/);
    await c.close();
  });

  it("answers a body that is not OTLP with 400 (415, 413 for what the traces path refuses too) and loses nothing it stored", async () => {
    const c = await collector();
    await post(c, claudeTotals(T0, 100, 10, 1), "protobuf");
    const before = await usage(c);
    expect(claude(before)!.inputTokens).toBe(100);
    const refusals: [Buffer | string, Record<string, string>, number, RegExp][] = [
      [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), PROTOBUF_TYPE, 400, /cannot decode the OTLP protobuf metrics body/],
      [encodeMetricsRequest(claudeTotals(T0 + MINUTE, 200, 20, 2)).subarray(0, 40), PROTOBUF_TYPE, 400, /cannot decode the OTLP protobuf metrics body/],
      ['{"resourceMetrics": [', JSON_TYPE, 400, /cannot decode the OTLP JSON metrics body/],
      ["[1, 2]", JSON_TYPE, 400, /not an ExportMetricsServiceRequest/],
      ['{"resourceMetrics": 5}', JSON_TYPE, 400, /resourceMetrics is not a list/],
      ["not gzip at all", { ...JSON_TYPE, "content-encoding": "gzip" }, 400, /cannot gzip-decode/],
      [JSON.stringify(claudeTotals(T0 + MINUTE, 200, 20, 2)), { "content-type": "text/plain" }, 415, /application\/json or application\/x-protobuf/],
      [zlib.gzipSync(Buffer.alloc(65 * 1024 * 1024), { level: 1 }), { ...PROTOBUF_TYPE, "content-encoding": "gzip" }, 413, /gzip body inflates past/],
    ];
    for (const [body, headers, status, message] of refusals) {
      const answer = await request(c, "POST", "/v1/metrics", body, headers);
      expect(answer.status, String(message)).toBe(status);
      expect(answer.json().message).toMatch(message);
    }
    expect((await request(c, "GET", "/v1/metrics")).status).toBe(405);
    expect(await usage(c)).toEqual(before);
    // and it goes on taking good requests
    expect((await post(c, claudeTotals(T0 + MINUTE, 200, 20, 2), "json")).status).toBe(200);
    expect(claude(await usage(c))!.inputTokens).toBe(200);
    await c.close();
  });

  it("decodes a body over 512 KB on its worker thread", async () => {
    const c = await collector();
    const points = Array.from({ length: 3000 }, (_, i) => ({
      attrs: { ...CLAUDE, "gen_ai.request.model": `model-${i % 7}`, "gen_ai.response.model": `snapshot-${i}`, "gen_ai.token.type": "input" },
      timeMs: T0 + (i % 5) * MINUTE,
      count: 1,
      sum: i,
    }));
    const body = JSON.stringify(exportRequest([histogram("gen_ai.client.token.usage", DELTA, points)]));
    expect(body.length).toBeGreaterThan(512 * 1024);
    expect((await request(c, "POST", "/v1/metrics", body, JSON_TYPE)).status).toBe(200);
    const report = await usage(c);
    expect(report.models).toHaveLength(7);
    expect(report.totals.inputTokens).toBe((2999 * 3000) / 2);
    await c.close();
  });

  it("keeps at most maxRows model-minutes (the oldest go first) and remembers at most maxStreams series", async () => {
    const c = await collector({ maxRows: 20, maxStreams: 10 });
    const minutes = Array.from({ length: 60 }, (_, i) => ({ attrs: CLAUDE, timeMs: T0 - (60 - i) * MINUTE, value: 1 }));
    await post(c, exportRequest([counter("llm.client.cost", DELTA, minutes)]), "protobuf");
    expect(c.store.usage.rowCount()).toBe(20);
    const report = await usage(c);
    expect(report.from).toBe(T0 - 20 * MINUTE);
    expect(report.totals.costUsd).toBe(20);
    const series = Array.from({ length: 30 }, (_, i) => ({ attrs: { ...CLAUDE, "gen_ai.response.model": `snapshot-${i}` }, timeMs: T0 + i * 1000, value: 1 }));
    await post(c, exportRequest([counter("llm.client.cost", CUMULATIVE, series)]), "json");
    expect(c.store.usage.streamCount()).toBe(10);
    await c.close();
  });
});
