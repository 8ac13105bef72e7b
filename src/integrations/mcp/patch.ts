/**
 * MCP (`@modelcontextprotocol/sdk`): the SDK's `Protocol` class, which `Client` and `Server`
 * (and so `McpServer`) extend, is patched on its prototype in `shared/protocol`:
 *  - `request()` (every request this side sends): `tools/call`, `resources/read` and
 *    `prompts/get` get a CLIENT span; every request carries the active trace context in
 *    `params._meta` (`traceparent`, `tracestate`), so the peer can continue the trace;
 *  - `setRequestHandler()` (every request this side answers): the handler runs under the trace
 *    context the peer sent (malformed or absent: as before), and the same three methods get a
 *    SERVER span named for the tool, resource or prompt.
 *  - `connect()`: a StdioClientTransport handed to it (not started yet) will start a Node or Bun
 *    server with our preload (child-env.ts); reaching it here rather than in `client/stdio` spares
 *    every app that imports the SDK loading that file (child_process, cross-spawn) at start-up.
 * The app gets the very promises and values the SDK returns.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from "@opentelemetry/api";
import { recordError } from "../../spans/run-in-span";
import { internalError } from "../../util/log";
import type { PatchContext } from "../types";
import { faultPoint, guarded, markPatched, wrapFunction, wrapMethod } from "../kit";
import { extractTraceContext, traceContextEntries } from "../kit/trace-context";
import { ourDoors, tracedChildEnvironment } from "./child-env";
import { errorAttributes, isTracedMethod, McpAttr, requestAttributes, resultAttributes, spanName, transportAttributes, withTraceContext, type TracedMethod } from "./mapping";

type AnyFn = (...args: any[]) => any;

/** Is this the SDK's Protocol prototype (the class Client and Server extend)? */
function isProtocolPrototype(p: any): boolean {
  return (
    !!p &&
    Object.prototype.hasOwnProperty.call(p, "request") &&
    Object.prototype.hasOwnProperty.call(p, "setRequestHandler") &&
    Object.prototype.hasOwnProperty.call(p, "connect") &&
    typeof p.request === "function" &&
    typeof p.setRequestHandler === "function"
  );
}

/** The Protocol prototype above a class's prototype or an instance, if any. */
function protocolPrototypeOf(start: any): any {
  let p = start;
  for (let i = 0; p && i < 8; i++, p = Object.getPrototypeOf(p)) if (isProtocolPrototype(p)) return p;
  return undefined;
}

interface Targets {
  protocols: Set<any>;
  /** Client / Server instances handed to instrument(): handlers they registered before we patched. */
  instances: Set<any>;
}

/**
 * What to patch in whatever we were given: the `shared/protocol` module, the `client` / `server`
 * entry modules, the Client / Server / Protocol class, a Client, Server or McpServer instance.
 */
function targetsOf(x: any): Targets {
  const t: Targets = { protocols: new Set(), instances: new Set() };
  if (!x || (typeof x !== "object" && typeof x !== "function")) return t;
  const candidates = [x, x.default, x.Protocol, x.Client, x.Server];
  if (x.server && typeof x.server === "object") candidates.push(x.server); // an McpServer instance
  for (const c of candidates) {
    if (!c) continue;
    const proto = typeof c === "function" ? protocolPrototypeOf(c.prototype) : protocolPrototypeOf(Object.getPrototypeOf(c));
    if (!proto) continue;
    t.protocols.add(proto);
    if (typeof c === "object" && c._requestHandlers instanceof Map) t.instances.add(c);
  }
  return t;
}

export function patchMcp(moduleExports: unknown, ctx: PatchContext): boolean {
  const t = targetsOf(moduleExports);
  let any = false;
  for (const proto of t.protocols) {
    any = wrapMethod(proto, "request", (original) => tracedRequest(original, ctx)) || any;
    any = wrapMethod(proto, "setRequestHandler", (original) => tracingHandlers(original, ctx)) || any;
    any = wrapMethod(proto, "connect", (original) => connectWithTracedChild(original, ctx)) || any;
  }
  for (const instance of t.instances) wrapRegisteredHandlers(instance, ctx);
  return any;
}

export const isMcp = (x: unknown): boolean => targetsOf(x).protocols.size > 0;

// ---------------------------------------------------------------------------------------------
// the requesting side
// ---------------------------------------------------------------------------------------------

function tracedRequest(original: AnyFn, ctx: PatchContext): AnyFn {
  return function request(this: any, ...args: any[]): any {
    const req = args[0];
    if (!req || typeof req !== "object") return original.apply(this, args);
    const active = context.active();
    const method = req.method;
    if (!isTracedMethod(method)) {
      // no span of ours: the peer still learns the trace this request belongs to
      const withContext = guarded(undefined, "mcp.inject", () => {
        const entries = traceContextEntries(active);
        return entries ? withTraceContext(req, entries) : undefined;
      });
      if (!withContext) return original.apply(this, args);
      const next = args.slice();
      next[0] = withContext;
      return original.apply(this, next);
    }
    let span: Span | undefined;
    let callArgs = args;
    let callCtx: Context;
    try {
      span = ctx.tracer.startSpan(spanName(method, req.params), { kind: SpanKind.CLIENT }, active);
      const s = span;
      guarded(s, "mcp.client.request", () => {
        s.setAttributes(requestAttributes(method, req.params));
        s.setAttributes(transportAttributes(this._transport));
        if (typeof this._requestMessageId === "number") s.setAttribute(McpAttr.REQUEST_ID, String(this._requestMessageId));
      });
      callCtx = trace.setSpan(active, s);
      const withContext = guarded(s, "mcp.inject", () => {
        faultPoint("mcp.inject");
        const entries = traceContextEntries(callCtx);
        return entries ? withTraceContext(req, entries) : undefined;
      });
      if (withContext) {
        callArgs = args.slice();
        callArgs[0] = withContext;
      }
    } catch (err) {
      internalError("mcp.client.start", err);
      span?.end();
      return original.apply(this, args);
    }
    const s = span;
    let result: any;
    try {
      result = context.with(callCtx, () => original.apply(this, callArgs));
    } catch (err) {
      endWithError(s, err);
      throw err;
    }
    observe(result, s, method);
    return result;
  };
}

// ---------------------------------------------------------------------------------------------
// the answering side
// ---------------------------------------------------------------------------------------------

/** Instances that registered a handler through our wrapper: every one built after the patch (their constructors register ping). */
const registeredThroughUs = new WeakSet<object>();

function tracingHandlers(original: AnyFn, ctx: PatchContext): AnyFn {
  return function setRequestHandler(this: any, ...args: any[]): any {
    const handler = args[1];
    if (typeof handler !== "function") return original.apply(this, args);
    if (this && typeof this === "object") registeredThroughUs.add(this);
    const next = args.slice();
    next[1] = tracedHandler(handler, this, ctx);
    return original.apply(this, next);
  };
}

/** Handlers a Client / Server registered before we patched its class (instrument() on an instance). */
function wrapRegisteredHandlers(instance: any, ctx: PatchContext): void {
  if (registeredThroughUs.has(instance) || !markPatched(instance)) return;
  const handlers: Map<string, AnyFn> = instance._requestHandlers;
  for (const [method, handler] of handlers) if (typeof handler === "function") handlers.set(method, tracedHandler(handler, instance, ctx));
}

function tracedHandler(handler: AnyFn, protocol: any, ctx: PatchContext): AnyFn {
  return wrapFunction(handler, (original) =>
    function handle(this: any, ...args: any[]): any {
      const req = args[0];
      let span: Span | undefined;
      let callCtx: Context;
      const method = req?.method;
      try {
        const active = context.active();
        const remote = guarded(undefined, "mcp.extract", () => extractTraceContext(req?.params?._meta, active));
        if (!isTracedMethod(method)) {
          if (!remote) return original.apply(this, args);
          callCtx = remote;
        } else {
          // the peer's span is the parent; a span already active here (an HTTP server's) is linked
          const ambient = remote ? trace.getSpanContext(active) : undefined;
          const links: Link[] | undefined = ambient && trace.isSpanContextValid(ambient) ? [{ context: ambient }] : undefined;
          span = ctx.tracer.startSpan(spanName(method, req.params), { kind: SpanKind.SERVER, links }, remote ?? active);
          const s = span;
          guarded(s, "mcp.server.request", () => {
            s.setAttributes(requestAttributes(method, req.params));
            s.setAttributes(transportAttributes(protocol?._transport));
            const extra = args[1];
            const id = extra?.requestId ?? req.id;
            if (typeof id === "string" || typeof id === "number") s.setAttribute(McpAttr.REQUEST_ID, String(id));
            if (typeof extra?.sessionId === "string") s.setAttribute(McpAttr.SESSION_ID, extra.sessionId);
          });
          callCtx = trace.setSpan(remote ?? active, s);
        }
      } catch (err) {
        internalError("mcp.server.start", err);
        span?.end();
        return original.apply(this, args);
      }
      let result: any;
      try {
        result = context.with(callCtx, () => original.apply(this, args));
      } catch (err) {
        if (span) endWithError(span, err);
        throw err;
      }
      if (span) observe(result, span, method as TracedMethod);
      return result;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// both sides: the answer
// ---------------------------------------------------------------------------------------------

function observe(result: any, span: Span, method: TracedMethod): void {
  if (result && typeof result.then === "function") {
    // our own derived promise: the app's chain on `result` is untouched
    result.then(
      (value: any) => endWithResult(span, method, value),
      (err: unknown) => endWithError(span, err),
    );
  } else endWithResult(span, method, result);
}

function endWithResult(span: Span, method: TracedMethod, value: any): void {
  try {
    const mapped = guarded(span, "mcp.response", () => resultAttributes(method, value));
    if (mapped) span.setAttributes(mapped.attributes);
    if (mapped?.toolError !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: mapped.toolError });
    else span.setStatus({ code: SpanStatusCode.OK });
    span.end();
  } catch (err) {
    internalError("mcp.end", err);
  }
}

function endWithError(span: Span, err: unknown): void {
  try {
    recordError(span, err);
    guarded(span, "mcp.error", () => span.setAttributes(errorAttributes(err)));
    span.end();
  } catch (e) {
    internalError("mcp.end", e);
  }
}

// ---------------------------------------------------------------------------------------------
// stdio servers the app spawns
// ---------------------------------------------------------------------------------------------

/** The SDK's own minimal child environment (client/stdio's DEFAULT_INHERITED_ENV_VARS, 1.10 to 1.32). */
function sdkDefaultEnvironment(): Record<string, string> {
  const names = process.platform === "win32"
    ? ["APPDATA", "HOMEDRIVE", "HOMEPATH", "LOCALAPPDATA", "PATH", "PROCESSOR_ARCHITECTURE", "SYSTEMDRIVE", "SYSTEMROOT", "TEMP", "USERNAME", "USERPROFILE", "PROGRAMFILES"]
    : ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"];
  const env: Record<string, string> = {};
  for (const n of names) {
    const v = process.env[n];
    // the SDK skips exported shell functions, a known injection vector
    if (v !== undefined && !v.startsWith("()")) env[n] = v;
  }
  return env;
}

/** A StdioClientTransport not started yet (duck-typed: apps may subclass it). */
function isUnstartedStdioTransport(t: any): boolean {
  return !!t && typeof t === "object" && typeof t.start === "function" && !!t._serverParams && typeof t._serverParams.command === "string" && !t._process;
}

function connectWithTracedChild(original: AnyFn, ctx: PatchContext): AnyFn {
  return function connect(this: any, ...args: any[]): any {
    const transport = args[0];
    if (ctx.config.mcpStdioServers && isUnstartedStdioTransport(transport)) {
      guarded(undefined, "mcp.stdio.env", () => {
        const params = transport._serverParams;
        const doors = ourDoors();
        if (!doors) {
          ctx.debug("no preload file next to this copy of @inference/tracing (a bundle?): stdio servers are started untraced");
          return;
        }
        const env = tracedChildEnvironment(params, process.env, sdkDefaultEnvironment(), doors, process.execPath);
        if (!env) return;
        transport._serverParams = { ...params, env };
        ctx.debug(`stdio server "${params.command}" will start with the preload`);
      });
    }
    return original.apply(this, args);
  };
}
