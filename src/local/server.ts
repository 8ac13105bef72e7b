/**
 * The local collector behind `serve` (and `tail` when no collector runs): an OTLP/HTTP
 * receiver of traces and metrics (JSON and protobuf, gzip or not) that writes into the local
 * store (spans; GenAI usage from metrics), a small JSON API over the store, a server-sent-events
 * stream of arrivals, and the web view.
 */
import { EventEmitter } from "node:events";
import fs = require("node:fs");
import http = require("node:http");
import zlib = require("node:zlib");
import { builtFile } from "./built-file";
import { BodyError, Decoder } from "./decoder";
import { partialSuccess } from "./otlp-decode";
import { QueryError, buildQuery, parseSince, type RawQuery } from "./query";
import type { LocalStore } from "./store";
import { messagesOf } from "../trace-model/messages";
import { FAVICON_SVG, PAGE_CSS, PAGE_HTML } from "./web/page";

const MAX_BODY = 64 * 1024 * 1024;

export interface ServerOptions {
  store: LocalStore;
  port?: number;
  host?: string;
  /** Keep at most this many traces (oldest removed first); 0 = keep all. */
  maxTraces?: number;
  log?: (line: string) => void;
}

export interface ArrivalEvent {
  traceIds: string[];
  completed: string[];
  spans: number;
}

export interface LocalServer {
  url: string;
  port: number;
  host: string;
  /** "spans" events (ArrivalEvent) after every stored batch; "metrics" events ({ points }) after usage was added. */
  events: EventEmitter;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)(:\d+)?$/i;

function send(res: http.ServerResponse, status: number, body: unknown, type = "application/json; charset=utf-8"): void {
  const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(text);
}

/** An answer the request earned (413, 415, 400) rather than a fault of ours. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Close the connection after answering (the client is still sending more than we will read). */
    readonly close = false,
  ) {
    super(message);
  }
}

/** Past MAX_BODY the rest of a body is read and dropped up to this many bytes, then the connection is closed. */
const MAX_DRAINED = 4 * MAX_BODY;

/**
 * The body, up to MAX_BODY bytes. A longer one is refused (413) once it has been read to its end
 * and dropped, so the client, done sending, reads our answer rather than a reset connection; one
 * longer than MAX_DRAINED (declared or sent) is answered at once and its connection closed.
 */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = (close = false) => new Refusal(413, `request body over ${MAX_BODY} bytes`, close);
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_DRAINED) {
      reject(tooLarge(true));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAINED) {
        req.pause();
        reject(tooLarge(true));
      } else if (size > MAX_BODY) chunks.length = 0;
      else chunks.push(c);
    });
    req.on("end", () => (size > MAX_BODY ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on("error", reject);
  });
}

/** gzip and deflate bodies, inflated off the event loop and never past MAX_BODY (a decompression bomb gets a 413). */
function inflate(body: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === "" || encoding === "identity") return Promise.resolve(body);
  const unzip = encoding === "gzip" ? zlib.gunzip : encoding === "deflate" ? zlib.inflate : undefined;
  if (!unzip) return Promise.reject(new Refusal(415, `unsupported content-encoding ${encoding}`));
  return new Promise((resolve, reject) =>
    unzip(body, { maxOutputLength: MAX_BODY }, (err, out) => {
      if (!err) resolve(out);
      else if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") reject(new Refusal(413, `the ${encoding} body inflates past ${MAX_BODY} bytes`));
      else reject(new Refusal(400, `cannot ${encoding}-decode the body: ${err.message}`));
    }),
  );
}

/** OTLP's two media types, parameters (charset) aside; anything else is refused (what a cross-site form could send). */
function otlpFormat(contentType: string | undefined): "json" | "protobuf" | undefined {
  const media = String(contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return media === "application/json" ? "json" : media === "application/x-protobuf" ? "protobuf" : undefined;
}

function rawQuery(params: URLSearchParams): RawQuery {
  const one = (k: string) => params.get(k) ?? undefined;
  const many = (k: string) => params.getAll(k).filter((v) => v !== "");
  return {
    kind: many("kind"),
    metadata: many("metadata"),
    filter: many("filter"),
    name: one("name") || undefined,
    status: one("status") || undefined,
    since: one("since") || undefined,
    sort: one("sort") || undefined,
    order: one("order") || undefined,
    limit: one("limit") || undefined,
  };
}

let appScript: string | undefined;
function loadAppScript(): string {
  if (appScript !== undefined) return appScript;
  // bundled from src/local/web/app.ts next to this file (scripts/build.mjs)
  const file = builtFile("web/app.js");
  appScript = file ? fs.readFileSync(file, "utf8") : "document.body.textContent = 'The web view script is missing: build the package (npm run build).';";
  return appScript;
}

export async function startServer(options: ServerOptions): Promise<LocalServer> {
  const { store } = options;
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const sse = new Set<http.ServerResponse>();
  const loopbackOnly = LOOPBACK_HOSTS.test(host);
  const decoder = new Decoder();
  let ingested = 0;
  let metricPoints = 0;

  /** An OTLP error answer (google.rpc.Status: 14 UNAVAILABLE asks for a retry, 3 INVALID_ARGUMENT does not). */
  function refuse(res: http.ServerResponse, status: number, message: string, close = false): void {
    if (close) res.setHeader("connection", "close");
    send(res, status, { code: status === 503 ? 14 : 3, message });
  }

  /** An OTLP request's media type and (inflated) body, or undefined once it has been refused. */
  async function otlpBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<{ format: "json" | "protobuf"; body: Buffer } | undefined> {
    const format = otlpFormat(req.headers["content-type"]);
    if (!format) {
      req.resume();
      refuse(res, 415, "send OTLP as application/json or application/x-protobuf");
      return undefined;
    }
    try {
      return { format, body: await inflate(await readBody(req), String(req.headers["content-encoding"] ?? "").trim().toLowerCase()) };
    } catch (err) {
      if (err instanceof Refusal) refuse(res, err.status, err.message, err.close);
      else refuse(res, 400, (err as Error).message);
      return undefined;
    }
  }

  /** An Export*ServiceResponse: empty ("{}", zero bytes), or a partial success naming what was refused. */
  function accepted(res: http.ServerResponse, format: "json" | "protobuf", partial: string | Uint8Array | undefined): void {
    if (format === "json") send(res, 200, partial ?? "{}");
    else send(res, 200, Buffer.from(partial ?? new Uint8Array(0)), "application/x-protobuf");
  }

  /**
   * POST /v1/traces. Spans are decoded and stored a slice at a time (other requests are answered
   * in between); a span that cannot be stored is rejected alone: the rest are stored and the
   * answer is OTLP's partial success, or 400 when nothing could be stored. 503 (retry) only when
   * the store itself fails.
   */
  async function receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const otlp = await otlpBody(req, res);
    if (!otlp) return;
    const { format, body } = otlp;
    const traceIds = new Set<string>();
    const completed = new Set<string>();
    const rejected: string[] = [];
    let stored = 0;
    try {
      for await (const slice of decoder.decode(body, format)) {
        rejected.push(...slice.rejected);
        if (!slice.records.length) continue;
        let result;
        try {
          result = store.addSpans(slice.records);
        } catch (err) {
          log(`could not store ${slice.records.length} spans: ${(err as Error).message}`);
          refuse(res, 503, `the local store failed: ${(err as Error).message}`);
          return;
        }
        stored += result.spans;
        rejected.push(...result.rejected);
        for (const id of result.traceIds) traceIds.add(id);
        for (const id of result.completed) completed.add(id);
      }
    } catch (err) {
      if (err instanceof BodyError) refuse(res, 400, `cannot decode the OTLP ${format === "json" ? "JSON" : "protobuf"} body: ${err.message}`);
      else refuse(res, 500, (err as Error).message);
      return;
    } finally {
      if (stored) announce({ traceIds: [...traceIds], completed: [...completed], spans: stored });
    }
    if (rejected.length) log(`refused ${rejected.length} span(s) of a request: ${rejected[0]}`);
    if (rejected.length && !stored) {
      refuse(res, 400, `no span could be stored: ${rejected[0]}`);
      return;
    }
    accepted(res, format, rejected.length ? partialSuccess("traces", format, rejected.length, `${rejected.length} span(s) refused: ${rejected[0]}`) : undefined);
  }

  /**
   * POST /v1/metrics. The GenAI usage points of the request (tokens, cost, calls by model) are
   * added to the store a slice at a time, each slice in one transaction; other metrics are taken
   * and not kept. A body that is not OTLP gets 400 before anything is added; a data point that
   * cannot be used is refused alone (partial success, or 400 when nothing could be used).
   */
  async function receiveMetrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const otlp = await otlpBody(req, res);
    if (!otlp) return;
    const { format, body } = otlp;
    const rejected: string[] = [];
    let taken = 0;
    let added = 0;
    try {
      for await (const slice of decoder.decodeMetrics(body, format)) {
        rejected.push(...slice.rejected);
        if (!slice.points.length) continue;
        try {
          added += store.usage.add(slice.points);
        } catch (err) {
          log(`could not store ${slice.points.length} metric points: ${(err as Error).message}`);
          refuse(res, 503, `the local store failed: ${(err as Error).message}`);
          return;
        }
        taken += slice.points.length;
      }
    } catch (err) {
      if (err instanceof BodyError) refuse(res, 400, `cannot decode the OTLP ${format === "json" ? "JSON" : "protobuf"} metrics body: ${err.message}`);
      else refuse(res, 500, (err as Error).message);
      return;
    } finally {
      if (added) {
        metricPoints += added;
        events.emit("metrics", { points: added });
        for (const r of sse) r.write(`event: metrics\ndata: ${JSON.stringify({ points: added })}\n\n`);
      }
    }
    if (rejected.length) log(`refused ${rejected.length} metric data point(s) of a request: ${rejected[0]}`);
    if (rejected.length && !taken) {
      refuse(res, 400, `no data point could be used: ${rejected[0]}`);
      return;
    }
    accepted(res, format, rejected.length ? partialSuccess("metrics", format, rejected.length, `${rejected.length} data point(s) refused: ${rejected[0]}`) : undefined);
  }

  function announce(event: ArrivalEvent): void {
    ingested += event.spans;
    if (options.maxTraces && store.traceCount() > options.maxTraces * 1.05) {
      const removed = store.prune(options.maxTraces);
      if (removed) log(`removed the ${removed} oldest traces (keeping ${options.maxTraces})`);
    }
    events.emit("spans", event);
    const data = `event: spans\ndata: ${JSON.stringify(event)}\n\n`;
    for (const r of sse) r.write(data);
  }

  function api(url: URL, res: http.ServerResponse): void {
    const parts = url.pathname.split("/").filter(Boolean); // ["api", ...]
    if (parts[1] === "health") {
      send(res, 200, { ok: true, traces: store.traceCount(), dataDir: store.dir, spansReceived: ingested, metricPointsAdded: metricPoints });
      return;
    }
    if (parts[1] === "metrics" && parts.length === 2) {
      const since = url.searchParams.get("since");
      send(res, 200, store.usage.report(since && since !== "all" ? parseSince(since) : undefined));
      return;
    }
    if (parts[1] === "traces" && parts.length === 2) {
      const q = buildQuery(rawQuery(url.searchParams), "traces", 200);
      send(res, 200, { traces: store.listTraces(q), total: store.traceCount() });
      return;
    }
    if (parts[1] === "traces" && parts.length === 3) {
      const id = store.resolveTraceId(decodeURIComponent(parts[2]!));
      const spans = store.getTraceSpans(id).map((r) => ({
        ...r,
        messages: { input: messagesOf(r.attributes ?? {}, "input"), output: messagesOf(r.attributes ?? {}, "output") },
      }));
      send(res, 200, { trace: store.getTraceSummary(id), spans });
      return;
    }
    if (parts[1] === "spans" && parts.length === 2) {
      const q = buildQuery(rawQuery(url.searchParams), "spans", 200);
      send(res, 200, { spans: store.listSpans(q) });
      return;
    }
    send(res, 404, { error: `no API route ${url.pathname}` });
  }

  const otlpReceivers = new Map([
    ["/v1/traces", { signal: "trace", receive }],
    ["/v1/metrics", { signal: "metrics", receive: receiveMetrics }],
  ]);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const receiver = otlpReceivers.get(url.pathname);
    if (receiver) {
      if (req.method !== "POST") {
        send(res, 405, { code: 12, message: `POST OTLP ${receiver.signal} data here` });
        return;
      }
      receiver.receive(req, res).catch((err) => send(res, 500, { code: 13, message: String(err) }));
      return;
    }
    // the page and its API answer only to loopback host names (no DNS rebinding)
    if (loopbackOnly && !LOOPBACK_HOSTS.test(String(req.headers.host ?? ""))) {
      send(res, 403, { error: "this collector answers to localhost only" });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, { error: "method not allowed" });
      return;
    }
    try {
      if (url.pathname === "/" || url.pathname === "/index.html") send(res, 200, PAGE_HTML, "text/html; charset=utf-8");
      else if (url.pathname === "/app.css") send(res, 200, PAGE_CSS, "text/css; charset=utf-8");
      else if (url.pathname === "/app.js") send(res, 200, loadAppScript(), "text/javascript; charset=utf-8");
      else if (url.pathname === "/favicon.svg" || url.pathname === "/favicon.ico") send(res, 200, FAVICON_SVG, "image/svg+xml");
      else if (url.pathname === "/api/events") {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ traces: store.traceCount() })}\n\n`);
        sse.add(res);
        req.on("close", () => sse.delete(res));
      } else if (url.pathname.startsWith("/api/")) api(url, res);
      else send(res, 404, { error: "not found" });
    } catch (err) {
      // a bad query, or a path that is not valid percent-encoding (/api/traces/%E0%A4%A)
      const bad = err instanceof QueryError || err instanceof URIError;
      send(res, bad ? 400 : 500, { error: err instanceof URIError ? `${url.pathname} is not a valid address (bad percent-encoding)` : (err as Error).message });
    }
  });
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const heartbeat = setInterval(() => {
    for (const r of sse) r.write(": keep-alive\n\n");
  }, 15_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4318, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as import("node:net").AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    host,
    events,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        void decoder.close();
        for (const r of sse) r.end();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
