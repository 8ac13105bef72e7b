/**
 * Request roots under Bun, which publishes no HTTP diagnostics channel: node:http servers' request
 * dispatch (Server.prototype.emit("request")) and Bun.serve's `fetch` handler run inside the
 * request's root context. Outgoing fetch is wrapped to carry trace context (Bun has no undici channel).
 */
import { context } from "@opentelemetry/api";
import { internalError } from "../util/log";
import { nodeRequest, RequestRoot, requestRootContext, type IncomingRequest } from "./request-root";

interface BunRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
}

function bunRequest(req: BunRequest, result: { status?: number; done?: () => void; ended: boolean }): IncomingRequest {
  const url = new URL(req.url);
  return {
    method: req.method,
    target: `${url.pathname}${url.search}`,
    scheme: url.protocol === "https:" ? "https" : "http",
    header: (name) => req.headers.get(name) ?? undefined,
    route: () => undefined,
    status: () => result.status,
    onDone: (done) => {
      if (result.ended) done();
      else result.done = done;
    },
  };
}

let wrapped = false;
let nodeHttpWrapped = false;

export function wrapBunServers(): void {
  if (wrapped) return;
  wrapped = true;
  const bun = (globalThis as unknown as { Bun?: { serve?: (...args: any[]) => unknown } }).Bun;
  const serve = bun?.serve;
  if (!bun || typeof serve !== "function") return wrapNodeHttpServers();
  bun.serve = function (this: unknown, options: any, ...rest: unknown[]) {
    // Bun's node:http listens through Bun.serve without a fetch handler: its Server is wrapped then,
    // before its first request, so an app that never loads node:http does not pay ~30 ms for it here
    if (!options || typeof options.fetch !== "function") wrapNodeHttpServers();
    else {
      const fetch = options.fetch;
      // the app's options object stays as it is: a copy (same prototype, same properties) carries our handler
      options = Object.create(Object.getPrototypeOf(options), Object.getOwnPropertyDescriptors(options));
      Object.defineProperty(options, "fetch", {
        configurable: true,
        enumerable: true,
        writable: true,
        value: function (this: unknown, req: BunRequest, ...more: unknown[]) {
          const result: { status?: number; done?: () => void; ended: boolean } = { ended: false };
          const finish = (status?: number) => {
            result.status = status;
            result.ended = true;
            result.done?.();
          };
          let ctx;
          try {
            ctx = requestRootContext(new RequestRoot(bunRequest(req, result)));
          } catch (err) {
            internalError("bun.serve-root", err);
            return fetch.call(this, req, ...more);
          }
          const out = context.with(ctx, () => fetch.call(this, req, ...more));
          if (out && typeof out.then === "function") out.then((r: any) => finish(r?.status), () => finish(500));
          else finish((out as any)?.status);
          return out;
        },
      });
    }
    return serve.call(this, options, ...rest);
  };
}

function wrapNodeHttpServers(): void {
  if (nodeHttpWrapped) return;
  nodeHttpWrapped = true;
  let http: { Server: { prototype: { emit: (...a: unknown[]) => boolean } } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    http = require("node:http");
  } catch (err) {
    return internalError("bun.node-http", err);
  }
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: unknown, event: unknown, ...args: unknown[]) {
    if (event !== "request") return emit.call(this, event, ...args);
    let ctx;
    try {
      ctx = requestRootContext(new RequestRoot(nodeRequest(args[0] as never, args[1] as never)));
    } catch (err) {
      internalError("bun.request-root", err);
      return emit.call(this, event, ...args);
    }
    return context.with(ctx, () => emit.call(this, event, ...args));
  };
}
