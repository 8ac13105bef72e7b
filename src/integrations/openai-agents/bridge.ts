/**
 * Keeps the OpenTelemetry context in step with the Agents SDK's own tracing context.
 *
 * The SDK keeps its current trace/span in an AsyncLocalStorage it shares between all loaded
 * copies (globalThis[Symbol.for('openai.agents.core.asyncLocalStorage')]) and lets it be
 * replaced through its public setTracingContextStorage(). We install a storage that delegates
 * to the SDK's own one and, whenever the SDK enters a span (run / enterWith), also enters the
 * OTel context of the span we mapped it to. So code the SDK runs under a span — the provider
 * call under a response span, a tool's execute() under its function span — sees our span as the
 * active OTel span: the openai integration sees the "framework LLM span" mark and records no
 * duplicate, and manualSpan() inside a tool nests under the TOOL span.
 */
import { context, type Context } from "@opentelemetry/api";
import { internalError } from "../../util/log";

const SDK_ALS = Symbol.for("openai.agents.core.asyncLocalStorage");
const BRIDGE = Symbol.for("@inference/tracing.openai-agents.bridge");

interface StorageLike {
  getStore(): any;
  run<R>(store: any, fn: (...args: any[]) => R, ...args: any[]): R;
  enterWith(store: any): void;
}

/** OTel's own AsyncLocalStorage (the registered AsyncLocalStorageContextManager), if reachable. */
function otelStorage(): { enterWith(ctx: Context): void } | undefined {
  try {
    const mgr = (context as any)._getContextManager?.();
    const als = mgr?._asyncLocalStorage;
    return als && typeof als.enterWith === "function" ? als : undefined;
  } catch {
    return undefined;
  }
}

class BridgedStorage implements StorageLike {
  readonly [BRIDGE] = true;
  constructor(
    readonly inner: StorageLike,
    private readonly resolve: (store: any) => Context | undefined,
  ) {}
  getStore(): any {
    return this.inner.getStore();
  }
  run<R>(store: any, fn: (...args: any[]) => R, ...args: any[]): R {
    let ctx: Context | undefined;
    try {
      ctx = this.resolve(store);
    } catch (err) {
      internalError("openai-agents.bridge.run", err);
    }
    // always open an OTel scope: an enterWith() inside stays inside it
    return context.with(ctx ?? context.active(), () => this.inner.run(store, fn, ...args));
  }
  enterWith(store: any): void {
    this.inner.enterWith(store);
    try {
      const ctx = this.resolve(store);
      if (ctx) otelStorage()?.enterWith(ctx);
    } catch (err) {
      internalError("openai-agents.bridge.enterWith", err);
    }
  }
  // anything else an AsyncLocalStorage offers goes to the SDK's storage
  disable(): void {
    (this.inner as any).disable?.();
  }
  exit<R>(fn: (...args: any[]) => R, ...args: any[]): R {
    const inner = this.inner as any;
    return typeof inner.exit === "function" ? inner.exit(fn, ...args) : fn(...args);
  }
}

/** node:async_hooks is loaded only here: the preload bundle carries this file, and Bun pays ~1 ms to load it. */
function newAsyncLocalStorage(): StorageLike {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { AsyncLocalStorage } = require("node:async_hooks") as typeof import("node:async_hooks");
  return new AsyncLocalStorage<any>();
}

/**
 * Install the bridge once per process (all SDK copies share the storage). `setStorage` is the
 * SDK's setTracingContextStorage when the loaded version exports it.
 */
export function installContextBridge(resolve: (store: any) => Context | undefined, setStorage?: (s: unknown) => void): boolean {
  const g = globalThis as any;
  const current = g[SDK_ALS];
  if (current && current[BRIDGE]) return true;
  if (!otelStorage()) {
    // without OTel's AsyncLocalStorage we cannot follow enterWith(); the run() half still helps
  }
  const inner: StorageLike = current && typeof current.run === "function" ? current : newAsyncLocalStorage();
  const bridged = new BridgedStorage(inner, resolve);
  if (typeof setStorage === "function") setStorage(bridged);
  else Object.defineProperty(g, SDK_ALS, { value: bridged, writable: true, configurable: true });
  return g[SDK_ALS] === bridged;
}
