/**
 * The collector behind `serve`: real OpenTelemetry OTLP exporters (JSON and protobuf, plain
 * and gzip) send to it, the spans land in the store, and its API and event stream answer.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { DEFAULT_PRICES } from "../../src/transforms/cost";
import { startServer, type LocalServer } from "../../src/local/server";
import { LocalStore } from "../../src/local/store";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OTLPTraceExporter: ProtoExporter } = require("@opentelemetry/exporter-trace-otlp-proto");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-test-"));
let store: LocalStore;
let server: LocalServer;

beforeAll(async () => {
  store = LocalStore.open({ dir, prices: DEFAULT_PRICES });
  server = await startServer({ store, port: 0 });
});
afterAll(async () => {
  await server.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function sendTrace(exporter: unknown, service: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(exporter as never)],
  });
  const tracer = provider.getTracer("receiver-test", "1.2.3");
  const root = tracer.startSpan("agent run", { kind: SpanKind.SERVER, attributes: { "openinference.span.kind": "AGENT", "agent.id": "a-1", "session.id": `s-${service}` } });
  const ctx = (await import("@opentelemetry/api")).trace.setSpan((await import("@opentelemetry/api")).context.active(), root);
  const llm = tracer.startSpan(
    "chat",
    {
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o-mini",
        "llm.token_count.prompt": 1000,
        "llm.token_count.completion": 500,
        "llm.token_count.total": 1500,
        "llm.streaming": true,
        "llm.invocation_parameters": '{"temperature":0.2}',
        "tag.tags": ["x", "y"],
        "app.score": 0.75,
      },
    },
    ctx,
  );
  llm.end();
  const tool = tracer.startSpan("lookup", { attributes: { "openinference.span.kind": "TOOL", "tool.name": "lookup_order" } }, ctx);
  tool.recordException(new Error("order service down"));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: "order service down" });
  tool.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return root.spanContext().traceId;
}

function request(method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${urlPath}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("OTLP/HTTP receiver", () => {
  const variants: [string, () => unknown][] = [
    ["json", () => new JsonExporter({ url: `${server.url}/v1/traces` })],
    ["json+gzip", () => new JsonExporter({ url: `${server.url}/v1/traces`, compression: "gzip" as never })],
    ["protobuf", () => new ProtoExporter({ url: `${server.url}/v1/traces` })],
    ["protobuf+gzip", () => new ProtoExporter({ url: `${server.url}/v1/traces`, compression: "gzip" })],
  ];
  for (const [label, make] of variants) {
    it(`stores spans sent as ${label}, with types, parents, events and status intact`, async () => {
      const arrivals: { completed: string[] }[] = [];
      const listener = (e: { completed: string[] }) => arrivals.push(e);
      server.events.on("spans", listener);
      const traceId = await sendTrace(make(), `svc-${label}`);
      server.events.off("spans", listener);
      const spans = store.getTraceSpans(traceId);
      expect(spans.map((s) => s.name).sort()).toEqual(["agent run", "chat", "lookup"]);
      const root = spans.find((s) => s.name === "agent run")!;
      const llm = spans.find((s) => s.name === "chat")!;
      const tool = spans.find((s) => s.name === "lookup")!;
      expect(root.parentSpanId).toBeUndefined();
      expect(root.kind).toBe(SpanKind.SERVER);
      expect(llm.parentSpanId).toBe(root.spanId);
      expect(llm.attributes).toMatchObject({
        "llm.token_count.prompt": 1000,
        "llm.streaming": true,
        "tag.tags": ["x", "y"],
        "app.score": 0.75,
        "llm.invocation_parameters": '{"temperature":0.2}',
      });
      // cost added at ingest for spans that arrive without it
      expect(llm.attributes["llm.cost.total"]).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
      expect(llm.durationMs).toBeGreaterThanOrEqual(0);
      expect(llm.startTimeMs).toBeGreaterThan(Date.now() - 60_000);
      expect(tool.status).toEqual({ code: 2, message: "order service down" });
      expect(tool.events[0]!.name).toBe("exception");
      expect(tool.events[0]!.attributes!["exception.message"]).toBe("order service down");
      expect(root.resource["service.name"]).toBe(`svc-${label}`);
      expect(root.scope).toEqual({ name: "receiver-test", version: "1.2.3" });
      expect(store.getTraceSummary(traceId)).toMatchObject({ name: "agent run", kind: "AGENT", spanCount: 3, errorCount: 1, sessionId: `s-svc-${label}`, complete: true });
      expect(arrivals.flatMap((a) => a.completed)).toContain(traceId);
    });
  }

  it("answers bad requests with an OTLP error and keeps running", async () => {
    const bad = await request("POST", "/v1/traces", "{not json", { "content-type": "application/json" });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).message).toMatch(/cannot decode the OTLP JSON body/);
    const badProto = await request("POST", "/v1/traces", Buffer.from([0xff, 0xff, 0xff, 0x01]), { "content-type": "application/x-protobuf" });
    expect(badProto.status).toBe(400);
    const badGzip = await request("POST", "/v1/traces", "plain", { "content-type": "application/json", "content-encoding": "gzip" });
    expect(badGzip.status).toBe(400);
    expect((await request("GET", "/v1/traces")).status).toBe(405);
    // what a cross-site form could send is refused
    expect((await request("POST", "/v1/traces", "{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await request("POST", "/v1/traces", "a=1", { "content-type": "application/x-www-form-urlencoded" })).status).toBe(415);
    const empty = await request("POST", "/v1/traces", "{}", { "content-type": "application/json" });
    expect(empty.status).toBe(200);
    expect((await request("GET", "/api/health")).status).toBe(200);
  });

  it("treats a span whose parent is in another process as the local root of its trace", async () => {
    const api = await import("@opentelemetry/api");
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `${server.url}/v1/traces` }))] });
    const upstream = { traceId: "12".repeat(16), spanId: "34".repeat(8), traceFlags: 1, isRemote: true };
    const ctx = api.trace.setSpanContext(api.context.active(), upstream);
    const arrivals: { completed: string[] }[] = [];
    const listener = (e: { completed: string[] }) => arrivals.push(e);
    server.events.on("spans", listener);
    const span = provider.getTracer("t").startSpan("handle request", { attributes: { "openinference.span.kind": "AGENT" } }, ctx);
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    server.events.off("spans", listener);
    expect(arrivals.flatMap((a) => a.completed)).toEqual([upstream.traceId]);
    expect(store.getTraceSummary(upstream.traceId)).toMatchObject({ name: "handle request", complete: true });
    expect(store.getTraceSpans(upstream.traceId)[0]!.parentSpanId).toBe(upstream.spanId);
  });

  it("accepts the other spellings protobuf's JSON mapping allows (enum names, base64 ids)", async () => {
    const traceId = Buffer.alloc(16, 7);
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "py-app" } }] },
          scopeSpans: [
            {
              scope: { name: "openinference.instrumentation.openai" },
              spans: [
                {
                  traceId: traceId.toString("base64"),
                  spanId: Buffer.alloc(8, 9).toString("base64"),
                  name: "ChatCompletion",
                  kind: "SPAN_KIND_CLIENT",
                  startTimeUnixNano: 1_700_000_000_000_000_000,
                  endTimeUnixNano: "1700000000250000000",
                  status: { code: "STATUS_CODE_ERROR", message: "boom" },
                  attributes: [
                    { key: "openinference.span.kind", value: { stringValue: "LLM" } },
                    { key: "llm.token_count.prompt", value: { intValue: "12" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await request("POST", "/v1/traces", JSON.stringify(body), { "content-type": "application/json" });
    expect(res.status).toBe(200);
    const [span] = store.getTraceSpans(traceId.toString("hex"));
    expect(span).toMatchObject({ spanId: "0909090909090909", kind: SpanKind.CLIENT, status: { code: 2, message: "boom" }, startTimeMs: 1_700_000_000_000, durationMs: 250 });
    expect(span!.attributes["llm.token_count.prompt"]).toBe(12);
  });

  it("serves the page and API to localhost names only (no DNS rebinding)", async () => {
    expect((await request("GET", "/", undefined, { host: "evil.example:4318" })).status).toBe(403);
    expect((await request("GET", "/api/traces", undefined, { host: "evil.example" })).status).toBe(403);
    const page = await request("GET", "/", undefined, { host: "localhost:4318" });
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/app.js">');
    const script = await request("GET", "/app.js");
    expect(script.headers["content-type"]).toMatch(/javascript/);
    expect(script.text).toContain("EventSource");
  });
});

describe("JSON API", () => {
  it("lists and filters traces and spans, and returns one trace with its conversation", async () => {
    const list = JSON.parse((await request("GET", "/api/traces?metadata=session.id%3Ds-svc-json")).text);
    expect(list.traces).toHaveLength(1);
    const id = list.traces[0].traceId;
    const spans = JSON.parse((await request("GET", "/api/spans?kind=TOOL&metadata=tool.name%3Dlookup_order&status=error")).text).spans;
    expect(spans.length).toBe(4);
    const costly = JSON.parse((await request("GET", "/api/spans?kind=LLM&filter=cost_total%3E0&sort=cost_total&order=desc")).text).spans;
    expect(costly.length).toBe(4);
    const one = JSON.parse((await request("GET", `/api/traces/${id.slice(0, 10)}`)).text);
    expect(one.trace.traceId).toBe(id);
    expect(one.spans).toHaveLength(3);
    expect(one.spans[0].messages).toEqual({ input: [], output: [] });
  });

  it("rejects bad queries with 400 and a message", async () => {
    const res = await request("GET", "/api/spans?filter=bogus%3E1");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/unknown field "bogus"/);
    expect((await request("GET", "/api/traces/ffffffffffff")).status).toBe(400);
  });

  it("streams arrivals as server-sent events", async () => {
    const events: string[] = [];
    const got = new Promise<void>((resolve, reject) => {
      const req = http.get(`${server.url}/api/events`, (res) => {
        expect(res.headers["content-type"]).toBe("text/event-stream");
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          events.push(chunk);
          if (events.join("").includes("event: spans")) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (e) => (events.join("").includes("event: spans") ? resolve() : reject(e)));
    });
    await new Promise((r) => setTimeout(r, 200));
    const traceId = await sendTrace(new JsonExporter({ url: `${server.url}/v1/traces` }), "svc-sse");
    await got;
    const text = events.join("");
    expect(text).toContain("event: hello");
    expect(text).toContain(traceId);
  });
});
