/**
 * Incoming HTTP requests as the roots of the traced work done while handling them. Node publishes
 * every request a node:http / https server receives on the `http.server.request.start`
 * diagnostics channel just before the server's request handler runs (so Express, Fastify, Koa,
 * Hono on Node and Next.js's Node server are all covered): the handler then runs in a context that
 * knows its request. Nothing more happens unless traced work starts in that context: the first span
 * of the request materializes the root span (CHAIN, SERVER kind; method, route or path, status,
 * `http.*` attributes of OpenTelemetry's HTTP conventions, no query string, no body), which ends
 * when the response closes. A request that traces nothing records and exports nothing. An incoming
 * W3C `traceparent` (and `tracestate`) makes the request's spans join that trace under the given
 * parent; a malformed header is ignored.
 */
import { createContextKey, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type SpanContext, type Tracer } from "@opentelemetry/api";
import { Attr, SpanKindValues } from "../semconv";
import { enterContext } from "../spans/context-manager";
import { debug, internalError } from "../util/log";
import { parseTraceParent } from "./trace-context";

const REQUEST_ROOT = createContextKey("@inference/tracing.request-root");
export const REQUEST_RUN_KIND = "request";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY"]);

/** What a root needs of a request, whatever server received it (node:http, Bun.serve). */
export interface IncomingRequest {
  method: string;
  /** The request target: path and query (the query is never recorded). */
  target: string;
  scheme: "http" | "https";
  httpVersion?: string;
  header(name: string): string | undefined;
  /** The route the framework matched, once the response is done. */
  route(): string | undefined;
  /** The response status, once the response is done. */
  status(): number | undefined;
  /** Call `done` once, when the response has been sent or the request given up. */
  onDone(done: () => void): void;
}

export class RequestRoot {
  private span?: Span;
  private ended = false;
  /** The upstream span a `traceparent` named, if any. */
  readonly remote: SpanContext | undefined;
  private readonly startTime = performance.timeOrigin + performance.now();

  constructor(private readonly request: IncomingRequest) {
    this.remote = parseTraceParent(request.header("traceparent"), request.header("tracestate"));
  }

  /** The root span, started by the request's first traced work. */
  materialize(tracer: Tracer): Span | undefined {
    if (this.span || this.ended) return this.span;
    const parent = this.remote ? trace.setSpanContext(ROOT_CONTEXT, this.remote) : ROOT_CONTEXT;
    const { name, attributes } = requestAttributes(this.request);
    this.span = tracer.startSpan(name, { kind: SpanKind.SERVER, startTime: this.startTime, attributes }, parent);
    this.request.onDone(() => this.end());
    return this.span;
  }

  /** The root span if the request traced anything so far and is still being handled. */
  get started(): Span | undefined {
    return this.ended ? undefined : this.span;
  }

  private end(): void {
    if (this.ended || !this.span) return;
    this.ended = true;
    try {
      const status = this.request.status();
      const route = this.request.route();
      const a: Attributes = {};
      if (typeof status === "number") a["http.response.status_code"] = status;
      if (route) {
        a["http.route"] = route;
        this.span.updateName(`${methodOf(this.request.method).name} ${route}`);
      }
      if (typeof status === "number" && status >= 500) {
        a["error.type"] = String(status);
        this.span.setStatus({ code: SpanStatusCode.ERROR });
      } else this.span.setStatus({ code: SpanStatusCode.OK });
      this.span.setAttributes(a);
    } catch (err) {
      internalError("request-root.end", err);
    }
    this.span.end();
  }
}

function methodOf(method: string): { name: string; original?: string } {
  const m = method.toUpperCase();
  return KNOWN_METHODS.has(m) ? { name: m } : { name: "HTTP", original: method };
}

/** The path without its query string (which may carry secrets: tokens, signed URLs). */
function pathOf(target: string): string {
  const q = target.search(/[?#]/);
  return q === -1 ? target : target.slice(0, q);
}

function requestAttributes(req: IncomingRequest): { name: string; attributes: Attributes } {
  const method = methodOf(req.method);
  const path = pathOf(req.target);
  const a: Attributes = {
    [Attr.SPAN_KIND]: SpanKindValues.CHAIN,
    "inference.run.kind": REQUEST_RUN_KIND,
    "http.request.method": method.name,
    "url.path": path,
    "url.scheme": req.scheme,
  };
  if (method.original) a["http.request.method_original"] = method.original;
  if (req.httpVersion) a["network.protocol.version"] = req.httpVersion;
  const host = req.header("host");
  if (host) {
    const colon = host.lastIndexOf(":");
    const bracket = host.lastIndexOf("]");
    if (colon > bracket && colon !== -1) {
      a["server.address"] = host.slice(0, colon);
      const port = Number(host.slice(colon + 1));
      if (Number.isInteger(port)) a["server.port"] = port;
    } else a["server.address"] = host;
  }
  const agent = req.header("user-agent");
  if (agent) a["user_agent.original"] = agent.slice(0, 256);
  return { name: `${method.name} ${path}`, attributes: a };
}

export function requestRootOf(ctx: Context): RequestRoot | undefined {
  return ctx.getValue(REQUEST_ROOT) as RequestRoot | undefined;
}

export function requestRootContext(root: RequestRoot): Context {
  return ROOT_CONTEXT.setValue(REQUEST_ROOT, root);
}

interface NodeRequest {
  method?: string;
  url?: string;
  httpVersion?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { encrypted?: boolean };
  route?: { path?: unknown };
  baseUrl?: unknown;
}
interface NodeResponse {
  statusCode?: number;
  once(event: "close", listener: () => void): unknown;
}

/** A node:http request as a root sees it (Express records its matched route on the request). */
export function nodeRequest(req: NodeRequest, res: NodeResponse): IncomingRequest {
  return {
    method: req.method ?? "GET",
    target: req.url ?? "/",
    scheme: req.socket?.encrypted ? "https" : "http",
    httpVersion: req.httpVersion,
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(",") : v;
    },
    route: () => {
      const path = req.route?.path;
      if (typeof path !== "string") return undefined;
      return `${typeof req.baseUrl === "string" ? req.baseUrl : ""}${path}` || undefined;
    },
    status: () => res.statusCode,
    onDone: (done) => res.once("close", done),
  };
}

let installed = false;
let cannotEnter = false;

/**
 * Node: subscribe to `http.server.request.start` (once per process) and enter the request's
 * context for the handler Node runs right after. (Bun publishes no such channel: bun-servers.ts.)
 */
export function installRequestRoots(): void {
  if (installed) return;
  installed = true;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dc = require("node:diagnostics_channel") as typeof import("node:diagnostics_channel");
    dc.subscribe("http.server.request.start", (message) => {
      try {
        const { request, response } = message as { request: NodeRequest; response: NodeResponse };
        if (!enterContext(requestRootContext(new RequestRoot(nodeRequest(request, response)))) && !cannotEnter) {
          cannotEnter = true;
          debug("incoming requests are not roots: the registered context manager cannot be entered");
        }
      } catch (err) {
        internalError("request-root.start", err);
      }
    });
  } catch (err) {
    internalError("request-root.install", err);
  }
}
