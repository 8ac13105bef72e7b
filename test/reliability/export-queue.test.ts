/**
 * The export queue in-process, against the real OTLP receiver and a size-limited collector:
 * recovery after failures (one warning when failing, one when resumed), Retry-After, 413
 * splitting, the queue cap, bounded forceFlush, and no unhandled rejections.
 */
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ExportQueueProcessor } from "../../src/export/export-queue";
import { ExporterTransport, OtlpHttpTransport, parseRetryAfter, classifyStatus } from "../../src/export/otlp-transport";
import { resetLogOnce } from "../../src/util/log";
import type { OtlpProtocol } from "../../src/config";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { closedPort, startSizeLimitedCollector } from "./fault-servers";

let receiver: Receiver;
let stderr: string[] = [];
const realWrite = process.stderr.write.bind(process.stderr);
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  process.on("unhandledRejection", onUnhandled);
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await receiver.close();
});
beforeEach(() => {
  stderr = [];
  resetLogOnce();
  receiver.clear();
  receiver.setBehavior({ status: 200 });
  (process.stderr as any).write = (chunk: any, ...rest: any[]) => {
    stderr.push(String(chunk));
    return realWrite(chunk, ...rest);
  };
});
afterEach(() => {
  (process.stderr as any).write = realWrite;
  expect(unhandled).toEqual([]);
});

function makeQueue(url: string, opts: Partial<ConstructorParameters<typeof ExportQueueProcessor>[1]> = {}, protocol?: OtlpProtocol) {
  const q = new ExportQueueProcessor(new OtlpHttpTransport(`${url}/v1/traces`, {}, protocol), {
    destination: url,
    maxQueueSize: 2048,
    maxBatchSize: 512,
    scheduledDelayMillis: 0,
    exportTimeoutMillis: 1000,
    shutdownTimeoutMillis: 3000,
    exportOnExit: false,
    ...opts,
  });
  const provider = new BasicTracerProvider({ spanProcessors: [q] });
  const tracer = provider.getTracer("test");
  const spans = (n: number, prefix = "s", attrs: Record<string, string> = {}) => {
    for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}${i}`, { attributes: attrs }).end();
  };
  return { q, spans };
}
const warnings = () => stderr.filter((l) => l.includes("warning:"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("transport classification", () => {
  it("parses Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(classifyStatus(503, "2")).toEqual({ kind: "retry", reason: "HTTP 503", retryAfterMs: 2000 });
    expect(classifyStatus(413).kind).toBe("too-large");
    expect(classifyStatus(401).kind).toBe("reject");
    expect(classifyStatus(302).kind).toBe("reject");
  });
});

describe("OTLP/HTTP encodings", () => {
  it.each([
    ["http/protobuf", "application/x-protobuf"],
    ["http/json", "application/json"],
  ] as const)("%s is sent as %s and decodes to the same spans", async (protocol, contentType) => {
    receiver.clear();
    const { q, spans } = makeQueue(receiver.url, {}, protocol as OtlpProtocol);
    spans(3, protocol, { "input.value": '{"messages":[{"role":"user","content":"héllo"}]}' });
    const got = await receiver.waitForSpans((s) => s.length >= 3);
    expect(got.map((s) => s.name).sort()).toEqual([0, 1, 2].map((i) => `${protocol}${i}`));
    expect(got[0]!.attributes["input.value"]).toBe('{"messages":[{"role":"user","content":"héllo"}]}');
    expect(receiver.requests.at(-1)!.headers["content-type"]).toBe(contentType);
    await q.shutdown();
  });
});

describe("export queue", () => {
  it("keeps spans through an outage, warns once, resumes with one line, and honours Retry-After", async () => {
    receiver.setBehavior({ status: 503, retryAfter: "1" });
    const { q, spans } = makeQueue(receiver.url);
    spans(5, "a");
    await sleep(100);
    spans(5, "b"); // more spans during the outage, and more failing attempts
    // let the collector come back after the first refusal
    const watch = setInterval(() => {
      if (receiver.requests.length >= 1) receiver.setBehavior({ status: 200 });
    }, 5);
    try {
      const got = await receiver.waitForSpans((s) => s.length >= 10, 15_000);
      expect(new Set(got.map((s) => s.name)).size).toBe(10);
      while (q.stats().exported < 10) await sleep(10);
    } finally {
      clearInterval(watch);
    }
    const w = warnings();
    expect(w.filter((l) => l.includes("cannot export spans"))).toHaveLength(1);
    expect(w.filter((l) => l.includes("resumed"))).toHaveLength(1);
    expect(w.find((l) => l.includes("resumed"))).toContain("no spans were lost");
    // the retry waited for Retry-After (1 s) rather than hammering the collector
    // (arrival times taken by the receiver itself: a polling timer on a busy machine can be late)
    const seen = receiver.requests.map((r) => r.at);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(900);
    expect(q.stats()).toMatchObject({ exported: 10, droppedFailed: 0, droppedQueueFull: 0, failing: false });
  });

  it("splits a batch the collector refuses with 413 until it fits, and drops only a single span that never fits", async () => {
    const collector = await startSizeLimitedCollector(6000);
    try {
      const { q, spans } = makeQueue(collector.url, { scheduledDelayMillis: 50 });
      spans(20, "ok", { payload: "p".repeat(400) });
      spans(1, "huge", { payload: "h".repeat(20_000) });
      await q.forceFlush();
      await sleep(50);
      await q.forceFlush();
      expect(collector.statuses).toContain(413);
      expect([...collector.accepted].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ok${i}`).sort());
      expect(q.stats()).toMatchObject({ exported: 20, droppedTooLarge: 1, droppedFailed: 0 });
      expect(q.stats().splits).toBeGreaterThan(0);
      expect(warnings().filter((l) => l.includes("larger than"))).toHaveLength(1);
    } finally {
      await collector.close();
    }
  });

  it("caps the queue while the collector hangs: extra spans are dropped and counted, one warning", async () => {
    receiver.setBehavior({ hang: true });
    const { q, spans } = makeQueue(receiver.url, { maxQueueSize: 100, maxBatchSize: 50, exportTimeoutMillis: 5000 });
    spans(1000);
    const s = q.stats();
    expect(s.queued + s.inFlight).toBeLessThanOrEqual(100);
    expect(s.droppedQueueFull).toBe(900);
    expect(s.droppedQueueFull + s.queued + s.inFlight).toBe(1000);
    expect(warnings().filter((l) => l.includes("queue"))).toHaveLength(1);
    // forceFlush is bounded by the shutdown timeout even though the collector never answers
    const q2 = makeQueue(receiver.url, { shutdownTimeoutMillis: 300, exportTimeoutMillis: 60_000 });
    q2.spans(3);
    await q2.q.forceFlush();
    expect(q2.q.stats().exported).toBe(0);
  });

  it("a down collector (connection refused) costs a failed result, never a throw", async () => {
    const port = await closedPort();
    const { q, spans } = makeQueue(`http://127.0.0.1:${port}`);
    spans(3);
    await q.forceFlush();
    expect(q.stats()).toMatchObject({ exported: 0, failing: true, queued: 3 });
    expect(warnings().filter((l) => l.includes("ECONNREFUSED"))).toHaveLength(1);
    // more failures stay quiet
    spans(3);
    await q.forceFlush();
    expect(warnings()).toHaveLength(1);
    await q.shutdown();
  });

  it("a refused batch (401) is dropped and counted; the warning names the token", async () => {
    receiver.setBehavior({ status: 401 });
    const { q, spans } = makeQueue(receiver.url);
    spans(4);
    await q.forceFlush();
    expect(q.stats()).toMatchObject({ droppedFailed: 4, queued: 0 });
    expect(warnings().join("")).toContain("check the ingest token");
  });

  it("the user's own exporter: a throwing or failing exporter is contained and counted", async () => {
    let calls = 0;
    const throwing = {
      export: () => {
        calls++;
        throw new Error("exporter bug");
      },
      shutdown: async () => {
        throw new Error("shutdown bug");
      },
    };
    const q = new ExportQueueProcessor(new ExporterTransport(throwing as any), {
      destination: "your exporter",
      maxQueueSize: 100,
      maxBatchSize: 10,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 500,
      shutdownTimeoutMillis: 1000,
      exportOnExit: false,
    });
    const tracer = new BasicTracerProvider({ spanProcessors: [q] }).getTracer("t");
    for (let i = 0; i < 5; i++) tracer.startSpan(`u${i}`).end();
    await q.forceFlush();
    await q.shutdown();
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(q.stats()).toMatchObject({ exported: 0, droppedFailed: 5 });
    expect(warnings().filter((l) => l.includes("your exporter"))).toHaveLength(1);
  });

  it("a batch larger than 4 MiB is split before it is sent", async () => {
    const { q, spans } = makeQueue(receiver.url, { scheduledDelayMillis: 1000 });
    spans(10, "big", { payload: "b".repeat(600_000) });
    await q.forceFlush();
    expect(new Set(receiver.spans.map((s) => s.name)).size).toBe(10);
    expect(receiver.requests.every((r) => r.bytes <= 4 * 1024 * 1024)).toBe(true);
    expect(q.stats().splits).toBeGreaterThan(0);
    expect(warnings()).toEqual([]);
  });

  it("spans that keep ending while a request is in flight wait for the scheduled delay: one request per delay, not one per round trip", async () => {
    receiver.setBehavior({ status: 200, delayMs: 10 });
    const { q, spans } = makeQueue(receiver.url, { scheduledDelayMillis: 300 });
    const until = Date.now() + 1500;
    let ended = 0;
    while (Date.now() < until) {
      spans(1, `s${ended++}-`);
      await sleep(2);
    }
    await q.forceFlush();
    expect(q.stats()).toMatchObject({ exported: ended, droppedQueueFull: 0, droppedFailed: 0 });
    expect(receiver.spans).toHaveLength(ended);
    // 1.5 s at one request per 300 ms is about 6 with the flush (fewer when timers run late); sending
    // whatever arrived during each ≥10 ms request made one request per round trip, dozens of them
    expect(receiver.requests.length).toBeLessThanOrEqual(9);
  });

  it("with the queue full and no new spans arriving, backoff retries still run and export resumes", async () => {
    receiver.setBehavior({ status: 503 });
    const { q, spans } = makeQueue(receiver.url, { maxQueueSize: 50, maxBatchSize: 50, scheduledDelayMillis: 1000 });
    spans(200);
    expect(q.stats().droppedQueueFull).toBe(150);
    while (receiver.requests.length < 1) await sleep(10);
    receiver.setBehavior({ status: 200 });
    // nothing else happens in the app: only the queue's own backoff timer can bring the spans out
    const got = await receiver.waitForSpans((s) => s.length >= 50, 15_000);
    expect(got).toHaveLength(50);
    while (q.stats().exported < 50) await sleep(10);
    expect(warnings().find((l) => l.includes("resumed"))).toContain("150 span(s) were dropped since the last successful export");
  });
});
