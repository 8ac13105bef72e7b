/**
 * The local collector behind `serve` (and `tail` when no collector runs): an OTLP/HTTP
 * trace receiver (JSON and protobuf, gzip or not) that writes into the local store, a small
 * JSON API over the store, a server-sent-events stream of arrivals, and the web view.
 */
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { decodeTraceRequest } from "./otlp-decode";
import { QueryError, buildQuery, type RawQuery } from "./query";
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
  /** "spans" events (ArrivalEvent) after every stored batch. */
  events: EventEmitter;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)(:\d+)?$/i;

function send(res: http.ServerResponse, status: number, body: unknown, type = "application/json; charset=utf-8"): void {
  const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error(`request body over ${MAX_BODY} bytes`), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
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
  // bundled from src/local/web/app.ts next to this file (scripts/build.mjs); from the sources, the build's copy
  const candidates = [path.join(__dirname, "web", "app.js"), path.resolve(__dirname, "../../dist/local/web/app.js")];
  for (const file of candidates) {
    try {
      appScript = fs.readFileSync(file, "utf8");
      return appScript;
    } catch {
      /* try the next */
    }
  }
  appScript = "document.body.textContent = 'The web view script is missing: build the package (npm run build).';";
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
  let ingested = 0;

  async function receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const type = String(req.headers["content-type"] ?? "").toLowerCase();
    const json = type.includes("json");
    // OTLP clients always say JSON or protobuf; a web page's cross-site form post cannot
    if (!json && !type.includes("protobuf")) {
      req.resume();
      send(res, 415, { code: 3, message: "send OTLP as application/json or application/x-protobuf" });
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
      const enc = String(req.headers["content-encoding"] ?? "").toLowerCase();
      if (enc === "gzip") body = zlib.gunzipSync(body);
      else if (enc === "deflate") body = zlib.inflateSync(body);
      else if (enc && enc !== "identity") throw Object.assign(new Error(`unsupported content-encoding ${enc}`), { status: 415 });
    } catch (err) {
      const status = (err as { status?: number }).status ?? 400;
      send(res, status, { code: 3, message: (err as Error).message });
      return;
    }
    let records;
    try {
      records = decodeTraceRequest(body, type);
    } catch (err) {
      send(res, 400, { code: 3, message: `cannot decode the OTLP ${json ? "JSON" : "protobuf"} body: ${(err as Error).message}` });
      return;
    }
    try {
      const result = store.addSpans(records);
      ingested += result.spans;
      if (options.maxTraces && store.traceCount() > options.maxTraces * 1.05) {
        const removed = store.prune(options.maxTraces);
        if (removed) log(`removed the ${removed} oldest traces (keeping ${options.maxTraces})`);
      }
      const event: ArrivalEvent = { traceIds: result.traceIds, completed: result.completed, spans: result.spans };
      if (result.spans) {
        events.emit("spans", event);
        const data = `event: spans\ndata: ${JSON.stringify(event)}\n\n`;
        for (const r of sse) r.write(data);
      }
    } catch (err) {
      log(`could not store ${records.length} spans: ${(err as Error).message}`);
      send(res, 503, { code: 14, message: `the local store failed: ${(err as Error).message}` });
      return;
    }
    // an empty ExportTraceServiceResponse: "{}" in JSON, zero bytes in protobuf
    if (json) send(res, 200, "{}");
    else send(res, 200, Buffer.alloc(0), "application/x-protobuf");
  }

  function api(url: URL, res: http.ServerResponse): void {
    const parts = url.pathname.split("/").filter(Boolean); // ["api", ...]
    if (parts[1] === "health") {
      send(res, 200, { ok: true, traces: store.traceCount(), dataDir: store.dir, spansReceived: ingested });
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

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/v1/traces") {
      if (req.method !== "POST") {
        send(res, 405, { code: 12, message: "POST OTLP trace data here" });
        return;
      }
      receive(req, res).catch((err) => send(res, 500, { code: 13, message: String(err) }));
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
      send(res, err instanceof QueryError ? 400 : 500, { error: (err as Error).message });
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
        for (const r of sse) r.end();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
