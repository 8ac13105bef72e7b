/**
 * Fallback for a read-only ESM namespace (the loader-free "eager" ESM mode, require(esm)):
 * `query` cannot be rebound there, but every query drives a Claude Code CLI subprocess that the
 * SDK starts with child_process.spawn and talks to in stream-json lines. We observe that
 * conversation from the side:
 *  - child_process.spawn is wrapped (and synced into the builtin's ESM namespace, which is what
 *    the SDK's `import { spawn } from "child_process"` reads); any other spawn passes straight
 *    through, untouched;
 *  - for a spawn of the CLI in SDK mode (--output-format stream-json --input-format stream-json),
 *    the lines the CLI prints are read by an extra 'data' listener on its stdout and the user
 *    messages the SDK writes to its stdin are seen on the way — the same SDKMessages the app
 *    iterates, fed to the same QueryTracker. The app's Query object is not touched at all.
 * Installed only when the SDK was loaded through a read-only namespace; skipped for a query that
 * is already traced by the query() wrapper (TRACED_KEY in the context), so nothing is counted twice.
 */
import { context, createContextKey, type Context } from "@opentelemetry/api";
import { StringDecoder } from "node:string_decoder";
import type { IntegrationConfig, TracerSource } from "../types";
import { originalOf, wrapFunction } from "../kit";
import { internalError } from "../../util/log";
import { QueryTracker } from "./tracker";

type TapSource = TracerSource & { readonly config: Pick<IntegrationConfig, "maxAttributeLength"> };
const TRACED_KEY = createContextKey("@inference/tracing.claude-agent-sdk.traced");

/** Mark a context whose CLI spawn is already traced by the query() wrapper. */
export function markTraced(ctx: Context): Context {
  return ctx.setValue(TRACED_KEY, true);
}

function isSdkCli(args: unknown): args is string[] {
  if (!Array.isArray(args)) return false;
  const i = args.indexOf("--output-format");
  const j = args.indexOf("--input-format");
  return i >= 0 && args[i + 1] === "stream-json" && j >= 0 && args[j + 1] === "stream-json";
}

function modelFromArgs(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--model=")) return a.slice("--model=".length);
    if (a === "--model" && typeof args[i + 1] === "string") return args[i + 1];
  }
  return undefined;
}

function lineReader(onLine: (line: string) => void) {
  const decoder = new StringDecoder("utf8");
  let buf = "";
  return (chunk: unknown) => {
    buf += typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? decoder.write(chunk) : "";
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  };
}

function parse(line: string): any {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function tap(child: any, args: string[], source: TapSource): void {
  const tracker = new QueryTracker({ tracer: source.tracer, maxText: source.config.maxAttributeLength, parentCtx: context.active(), prompt: undefined, options: { model: modelFromArgs(args) }, entry: "cli-process" });
  const stdin = child?.stdin;
  if (stdin && typeof stdin.write === "function") {
    const write = stdin.write;
    const seeInput = lineReader((line) => {
      const msg = parse(line);
      if (msg?.type === "user") tracker.observeInput(msg);
    });
    Object.defineProperty(stdin, "write", {
      configurable: true,
      writable: true,
      value: function (this: unknown, chunk: unknown, ...rest: unknown[]) {
        try {
          seeInput(chunk);
        } catch (err) {
          internalError("claude-agent-sdk.stdin", err);
        }
        return write.call(this, chunk, ...rest);
      },
    });
  }
  const seeOutput = lineReader((line) => {
    const msg = parse(line);
    if (!msg || typeof msg.type !== "string" || msg.type.startsWith("control_") || msg.type === "keep_alive") return;
    tracker.observe(msg);
  });
  child?.stdout?.on("data", (chunk: unknown) => {
    try {
      seeOutput(chunk);
    } catch (err) {
      internalError("claude-agent-sdk.stdout", err);
    }
  });
  child?.once?.("close", () => tracker.finish());
  child?.once?.("error", (err: unknown) => tracker.finish(err));
}

let installed = false;

/** Wrap child_process.spawn once (idempotent). Returns whether the tap is in place. */
export function installSpawnTap(source: TapSource): boolean {
  if (installed) return true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cp = require("node:child_process") as Record<string, any>;
  const original = cp.spawn;
  if (typeof original !== "function") return false;
  if (originalOf(original)) {
    installed = true;
    return true;
  }
  cp.spawn = wrapFunction(original, (spawn) =>
    function (this: unknown, ...a: any[]) {
      const child = spawn.apply(this, a);
      try {
        if (isSdkCli(a[1]) && context.active().getValue(TRACED_KEY) === undefined) tap(child, a[1], source);
      } catch (err) {
        internalError("claude-agent-sdk.spawn-tap", err);
      }
      return child;
    },
  );
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("node:module") as typeof import("node:module")).syncBuiltinESMExports();
  } catch (err) {
    internalError("claude-agent-sdk.sync-builtins", err);
  }
  installed = true;
  return true;
}
