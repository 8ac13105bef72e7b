/**
 * Outgoing W3C trace context: an HTTP request made inside traced work (global fetch / undici, and
 * node:http / https) carries `traceparent` (and `tracestate`) so the service it calls continues the
 * trace. The parent it names is the active span; in a request handler with no span active, the
 * request's root span if it has one, else the upstream parent the request arrived with (passed
 * through). Requests made outside any trace are untouched, and a header the app set itself is never
 * overwritten. CATALYST_PROPAGATION=off turns this off; a comma list of hosts limits it to them
 * (a name matches itself and its subdomains).
 *
 * A header added after a request was signed is not in its signature: AWS SigV4 and similar schemes
 * sign the headers they list (SignedHeaders) and accept unsigned extra headers, so signed requests
 * still verify (tested against a SigV4 verifier).
 *
 * How: undici publishes `undici:request:create` before sending, where a header can be added;
 * node:http publishes `http.client.request.created` from Node 22.12 / 23.2 on; before that the
 * ClientRequest's header write (_implicitHeader) is wrapped instead. Under Bun, global fetch is
 * wrapped (its node:http client is not covered). A model call that does not enter its span's context
 * (spans/context-manager.ts: on Node 20/22 that keeps promise hooks off) puts the headers in its
 * SDK's request options instead (CallSpec.traceContext, through traceContextHeaders).
 */
import { context, trace, type Context, type SpanContext } from "@opentelemetry/api";
import { noteOutgoingTraceContext } from "../spans/context-manager";
import { internalError } from "../util/log";
import { requestRootOf } from "./request-root";
import { formatTraceParent, formatTraceState } from "./trace-context";

export type PropagationSetting = "on" | "off" | readonly string[];

/** The span context outgoing requests made in `ctx` should name as their parent, if any. */
export function outgoingParent(ctx: Context): SpanContext | undefined {
  const active = trace.getSpan(ctx)?.spanContext();
  if (active && trace.isSpanContextValid(active)) return active;
  const root = requestRootOf(ctx);
  if (!root) return undefined;
  return root.started?.spanContext() ?? root.remote;
}

function hostAllowed(hosts: readonly string[], host: string | undefined): boolean {
  if (!host) return false;
  const h = host.toLowerCase().replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return hosts.some((allowed) => h === allowed || h.endsWith(`.${allowed}`));
}

let installed = false;
/** The hosts outgoing trace context is limited to; undefined: every host. */
let hosts: string[] | undefined;

/**
 * The headers a request to `host` made under `parent` carries: traceparent (and tracestate), or
 * undefined when propagation is off, the host is not listed or there is no parent. The host is
 * worked out only when a host list asks for it (a URL parse per request otherwise).
 */
export function traceContextHeaders(parent: SpanContext | undefined, host: () => string | undefined): [string, string][] | undefined {
  if (!installed || !parent) return undefined;
  if (hosts && !hostAllowed(hosts, host())) return undefined;
  const out: [string, string][] = [["traceparent", formatTraceParent(parent)]];
  const state = formatTraceState(parent);
  if (state) out.push(["tracestate", state]);
  return out;
}

export function installPropagation(setting: PropagationSetting): void {
  if (installed || setting === "off") return;
  installed = true;
  // a model call's own request reads its span from the context, unless the call carries the headers itself
  noteOutgoingTraceContext();
  hosts = setting === "on" ? undefined : setting.map((h) => h.trim().toLowerCase()).filter(Boolean);
  const headersFor = (host: () => string | undefined) => traceContextHeaders(outgoingParent(context.active()), host);
  if (process.versions.bun) return wrapBunFetch(headersFor);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dc = require("node:diagnostics_channel") as typeof import("node:diagnostics_channel");
    dc.subscribe("undici:request:create", (message) => {
      try {
        const request = (message as { request: UndiciRequest }).request;
        const add = headersFor(() => hostOfOrigin(request.origin));
        if (!add || hasUndiciHeader(request.headers, "traceparent")) return;
        for (const [k, v] of add) request.addHeader(k, v);
      } catch (err) {
        internalError("propagation.undici", err);
      }
    });
    const inject = (request: ClientRequestLike) => {
      try {
        if (request.headersSent || request.getHeader("traceparent") !== undefined) return;
        const add = headersFor(() => String(request.getHeader("host") ?? request.host ?? ""));
        if (add) for (const [k, v] of add) request.setHeader(k, v);
      } catch (err) {
        internalError("propagation.http", err);
      }
    };
    if (nodeHasCreatedChannel()) dc.subscribe("http.client.request.created", (message) => inject((message as { request: ClientRequestLike }).request));
    else wrapImplicitHeader(inject);
  } catch (err) {
    internalError("propagation.install", err);
  }
}

interface UndiciRequest {
  origin?: string | URL;
  headers: unknown;
  addHeader(name: string, value: string): unknown;
}

interface ClientRequestLike {
  headersSent?: boolean;
  host?: string;
  getHeader(name: string): unknown;
  setHeader(name: string, value: string): unknown;
}

/** The host of a URL or origin (`undefined` when there is none or it does not parse). */
export function hostOfOrigin(origin: unknown): string | undefined {
  try {
    return origin ? new URL(String(origin)).host : undefined;
  } catch {
    return undefined;
  }
}

/** undici keeps headers as a flat [name, value, …] array (v6+) or as raw text (v5). `name` is lower case. */
function hasUndiciHeader(headers: unknown, name: string): boolean {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const h = headers[i];
      // only a name of the same length can match: no lower-cased copy of every other header
      if (typeof h === "string" ? h.length === name.length && h.toLowerCase() === name : String(h).toLowerCase() === name) return true;
    }
    return false;
  }
  return typeof headers === "string" && new RegExp(`(^|\\r\\n)${name}:`, "i").test(headers);
}

/** `http.client.request.created` exists from Node 22.12 and 23.2 on. */
function nodeHasCreatedChannel(): boolean {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 2) || (major === 22 && minor >= 12);
}

/** Bun publishes no undici channel: its global fetch is wrapped (a copy of the headers carries ours; the app's objects stay as they are). */
function wrapBunFetch(headersFor: (host: () => string | undefined) => [string, string][] | undefined): void {
  const g = globalThis as unknown as { fetch: (input: unknown, init?: Record<string, unknown>) => Promise<unknown> };
  const fetch = g.fetch;
  if (typeof fetch !== "function") return;
  g.fetch = Object.assign(function (this: unknown, input: unknown, init?: Record<string, unknown>) {
    try {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : (input as { url?: string })?.url;
      const add = headersFor(() => hostOfOrigin(url));
      if (add) {
        const headers = new Headers((init?.headers as HeadersInit | undefined) ?? (input instanceof Request ? input.headers : undefined));
        if (!headers.has("traceparent")) {
          for (const [k, v] of add) headers.set(k, v);
          return fetch.call(this, input, { ...(init ?? {}), headers });
        }
      }
    } catch (err) {
      internalError("propagation.bun", err);
    }
    return fetch.call(this, input, init);
  }, fetch);
}

/** Older Node: headers are stored when the request first writes (write/end), in _implicitHeader. */
function wrapImplicitHeader(inject: (request: ClientRequestLike) => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require("node:http") as { ClientRequest: { prototype: Record<string, unknown> } };
  const proto = http.ClientRequest.prototype;
  const original = proto._implicitHeader;
  if (typeof original !== "function") return;
  proto._implicitHeader = function (this: ClientRequestLike, ...args: unknown[]) {
    inject(this);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
}
