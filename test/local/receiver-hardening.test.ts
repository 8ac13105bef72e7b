/**
 * The collector's front door against hostile or broken input: only OTLP's media types, bodies and
 * inflated bodies capped with a 413 (never a reset, never a decompression bomb in memory), one
 * poisoned span refused or repaired on its own, large requests stored in slices while other
 * requests are answered, bad addresses answered with 400, and a store private to its user.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonTraceSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { startServer, type LocalServer } from "../../src/local/server";
import { LocalStore } from "../../src/local/store";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receiver-hardening-"));
const MAX_BODY = 64 * 1024 * 1024;
let store: LocalStore;
let server: LocalServer;

beforeAll(async () => {
  store = LocalStore.open({ dir: path.join(dir, "store") });
  server = await startServer({ store, port: 0 });
});
afterAll(async () => {
  await server.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: Buffer;
  headers?: http.IncomingHttpHeaders;
}
/** One request on a connection of its own (a reused keep-alive socket can race the server closing it on a loaded machine). */
function request(method: string, urlPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${urlPath}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const all = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, text: all.toString("utf8"), body: all, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
const post = (body: Buffer | string, headers: Record<string, string>) => request("POST", "/v1/traces", body, headers);
const JSON_TYPE = { "content-type": "application/json" };

let spanCounter = 0;
const nextSpanId = () => (++spanCounter).toString(16).padStart(16, "0");
const nextTraceId = () => (0xa0000 + ++spanCounter).toString(16).padStart(32, "0");
function nested(levels: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < levels; i++) v = { level: v };
  return v;
}
/** A finished span as the OTLP serializers take it (ids as given: they may be invalid on purpose). */
function span(traceId: string, spanId: string, attributes: Record<string, unknown> = {}, name = "s") {
  return {
    name,
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_000, 5_000_000],
    duration: [0, 5_000_000],
    ended: true,
    attributes,
    events: [],
    links: [],
    status: { code: 0 },
    resource: resourceFromAttributes({ "service.name": "hardening" }),
    instrumentationScope: { name: "t" },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
const encode = (format: "json" | "protobuf", spans: ReturnType<typeof span>[]) =>
  Buffer.from((format === "json" ? JsonTraceSerializer : ProtobufTraceSerializer).serializeRequest(spans as never)!);
const typeOf = (format: "json" | "protobuf") => ({ "content-type": format === "json" ? "application/json" : "application/x-protobuf" });

describe("what the collector accepts", () => {
  it("takes only application/json and application/x-protobuf, whatever a type merely contains", async () => {
    const body = encode("json", [span(nextTraceId(), nextSpanId())]);
    for (const type of ["text/plain;charset=json", "application/x-www-form-urlencoded;x=json", "text/plain; x=protobuf", "application/jsonp", "multipart/form-data; boundary=json"]) {
      expect((await post(body, { "content-type": type })).status, type).toBe(415);
    }
    expect((await post(body, { "content-type": "application/json; charset=utf-8" })).status).toBe(200);
    expect((await post(body, { "content-type": "Application/JSON" })).status).toBe(200);
    expect((await post(encode("protobuf", [span(nextTraceId(), nextSpanId())]), { "content-type": "application/x-protobuf" })).status).toBe(200);
  });

  it("answers a body over the limit with 413, declared or streamed, and keeps serving", async () => {
    const big = Buffer.alloc(MAX_BODY + 1024, 0x20);
    const declared = await post(big, JSON_TYPE);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).message).toMatch(/over \d+ bytes/);
    // no content-length: the limit is found while reading
    const streamed = await new Promise<Answer>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/traces`, { method: "POST", headers: { ...JSON_TYPE, "transfer-encoding": "chunked" }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      for (let i = 0; i < 65; i++) req.write(Buffer.alloc(1024 * 1024, 0x20));
      req.end();
    });
    expect(streamed.status).toBe(413);
    expect((await request("GET", "/api/health")).status).toBe(200);
  });

  it("caps what a gzip or deflate body inflates to: a decompression bomb gets 413", async () => {
    const bomb = Buffer.alloc(MAX_BODY + 8 * 1024 * 1024);
    for (const [encoding, pack] of [["gzip", zlib.gzipSync], ["deflate", zlib.deflateSync]] as const) {
      const packed = pack(bomb, { level: 9 });
      expect(packed.length).toBeLessThan(200_000);
      const res = await post(packed, { ...JSON_TYPE, "content-encoding": encoding });
      expect(res.status, encoding).toBe(413);
      expect(JSON.parse(res.text).message).toMatch(new RegExp(`${encoding} body inflates past`));
    }
    // a body that is not gzip at all is a bad request, not a fault of ours
    expect((await post("plain", { ...JSON_TYPE, "content-encoding": "gzip" })).status).toBe(400);
    expect((await post("{}", { ...JSON_TYPE, "content-encoding": "br" })).status).toBe(415);
    const ok = encode("json", [span(nextTraceId(), nextSpanId())]);
    expect((await post(zlib.gzipSync(ok), { ...JSON_TYPE, "content-encoding": "gzip" })).status).toBe(200);
  });
});

/** The stored value of a nested attribute: how many levels were kept, and what the innermost value is. */
function levels(value: unknown): { depth: number; bottom: unknown } {
  let v = value;
  let depth = 0;
  while (v && typeof v === "object") {
    v = (v as { level: unknown }).level;
    depth++;
  }
  return { depth, bottom: v };
}

/** An OTLP/JSON attribute value nested `n` kvlists deep (built as text: serializers recurse and overflow). */
const nestedJson = (n: number) => `${'{"kvlistValue":{"values":[{"key":"level","value":'.repeat(n)}{"stringValue":"bottom"}${"}]}}".repeat(n)}`;

describe("one poisoned span", () => {
  it("is refused or repaired alone; the request's other spans are stored (JSON)", async () => {
    const traceId = nextTraceId();
    const [good, deep] = [nextSpanId(), nextSpanId()];
    const request = JSON.parse(encode("json", [span(traceId, good, { "app.ok": 1 }, "good"), span("a".repeat(3000), nextSpanId(), {}, "bad id"), span(traceId, deep, { "app.deep": "here" }, "deep")]).toString());
    const text = JSON.stringify(request).replace('{"stringValue":"here"}', nestedJson(2000));
    const res = await post(text, JSON_TYPE);
    expect(res.status).toBe(200);
    // OTLP's partial success names what was refused
    expect(JSON.parse(res.text).partialSuccess).toMatchObject({ rejectedSpans: "1", errorMessage: expect.stringMatching(/trace id "a{40}…\(3000 characters\)" is not 32 hex/) });
    const stored = store.getTraceSpans(traceId);
    expect(stored.map((s) => s.name).sort()).toEqual(["deep", "good"]);
    // the deep value is kept down to the store's depth, then cut with a marker
    expect(levels(stored.find((s) => s.name === "deep")!.attributes["app.deep"])).toEqual({ depth: 31, bottom: "…[nested deeper than 32 levels]" });
  });

  it("is refused or repaired alone; the request's other spans are stored (protobuf)", async () => {
    const traceId = nextTraceId();
    const body = encode("protobuf", [
      span(traceId, nextSpanId(), { "app.ok": 1 }, "good"),
      span("a".repeat(3000), nextSpanId(), {}, "bad id"),
      span(traceId, nextSpanId(), { "app.deep": nested(20) }, "deep"),
      // protobuf decoding (like protoc) stops at 100 nested messages: this span is refused
      span(traceId, nextSpanId(), { "app.deeper": nested(2000) }, "too deep to decode"),
    ]);
    const res = await post(body, typeOf("protobuf"));
    expect(res.status).toBe(200);
    expect(res.headers?.["content-type"] ?? "application/x-protobuf").toMatch(/protobuf/);
    expect(res.body.toString("latin1")).toMatch(/2 span\(s\) refused: trace id "a{40}/);
    const stored = store.getTraceSpans(traceId);
    expect(stored.map((s) => s.name).sort()).toEqual(["deep", "good"]);
    expect(levels(stored.find((s) => s.name === "deep")!.attributes["app.deep"])).toEqual({ depth: 20, bottom: "bottom" });
  });

  for (const format of ["json", "protobuf"] as const) {
    it(`answers 400 when no span of the request can be stored (${format})`, async () => {
      const res = await post(encode(format, [span("a".repeat(3000), nextSpanId()), span(nextTraceId(), "zz")]), typeOf(format));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toMatch(/no span could be stored: trace id/);
    });
  }
});

describe("a large request", () => {
  it("is stored in slices: the collector answers other requests meanwhile", async () => {
    const traceId = nextTraceId();
    const text = "x".repeat(300);
    const spans = Array.from({ length: 1500 }, (_, i) =>
      span(traceId, nextSpanId(), Object.fromEntries(Array.from({ length: 20 }, (_, k) => [`app.field_${k}`, `${text}${i}`])), `s${i}`),
    );
    const body = encode("json", spans);
    expect(body.length).toBeGreaterThan(8 * 1024 * 1024);
    let answered = false;
    let healthWhileStoring = 0;
    const big = new Promise<Answer>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/traces`, { method: "POST", headers: JSON_TYPE, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          answered = true;
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), body: Buffer.concat(chunks) });
        });
      });
      req.on("error", reject);
      // once the whole body is sent, ask for health again and again until the big request is answered
      req.on("finish", async () => {
        while (!answered) {
          const health = await request("GET", "/api/health");
          if (!answered && health.status === 200) healthWhileStoring++;
        }
      });
      req.end(body);
    });
    const res = await big;
    expect(res.status).toBe(200);
    expect(store.getTraceSummary(traceId)?.spanCount).toBe(1500);
    expect(healthWhileStoring).toBeGreaterThanOrEqual(3);
  });
});

describe("the API and the store", () => {
  it("answers an address that is not valid percent-encoding with 400", async () => {
    const res = await request("GET", "/api/traces/%E0%A4%A");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatch(/not a valid address/);
  });

  it("creates the store's directory and files for its user only", async () => {
    const own = path.join(dir, "private", "store");
    const s = LocalStore.open({ dir: own });
    await s.close();
    expect(fs.statSync(own).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(own)) expect(fs.statSync(path.join(own, f)).mode & 0o777, f).toBe(0o600);
  });
});
