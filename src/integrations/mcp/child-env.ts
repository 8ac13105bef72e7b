/**
 * The environment of an MCP server the app starts over stdio. The SDK's StdioClientTransport
 * gives the child only a minimal environment (HOME, PATH, …: no NODE_OPTIONS, none of our
 * variables) unless the app passes one, so a Node or Bun server would run untraced and its spans
 * could never join the client's trace. For a JavaScript command (node, bun, npx, tsx, a script…)
 * we add our preload (`NODE_OPTIONS=--require <this package>/register.cjs`, and Bun's
 * `BUN_OPTIONS=--preload …/register.bun.mjs`) and the tracing variables of this process (export
 * destination and token, privacy, limits, …; not the service's name or version: the server is
 * its own service). Anything the app put in the transport's `env` wins; `CATALYST_DISABLED=true`
 * there, or CATALYST_MCP_STDIO_SERVERS=off here, leaves the child's environment exactly as the
 * SDK makes it. Other commands (python, uvx, docker, …) get nothing: no secret of ours goes to a
 * process that cannot use it.
 */
import fs = require("node:fs");
import path = require("node:path");
import { TRACER_NAME } from "../../package-info";

type Env = Record<string, string | undefined>;

export interface Doors {
  /** Absolute path of register.cjs (Node, through NODE_OPTIONS --require). */
  node: string;
  /** Absolute path of register.bun.mjs (Bun, through BUN_OPTIONS --preload). */
  bun: string;
}

export interface StdioParams {
  command?: unknown;
  env?: Record<string, string> | undefined;
}

const JS_COMMANDS = new Set(["node", "nodejs", "bun", "bunx", "npx", "npm", "pnpm", "pnpx", "yarn", "tsx", "ts-node"]);

/** Does this command run JavaScript (a runtime, a package runner, or a script file)? */
export function isJavaScriptCommand(command: unknown, execPath: string): boolean {
  if (typeof command !== "string" || command === "") return false;
  if (command === execPath) return true;
  const base = path.basename(command).toLowerCase();
  return JS_COMMANDS.has(base.replace(/\.(exe|cmd|bat|ps1)$/, "")) || /\.(c|m)?[jt]s$/.test(base);
}

const FORWARDED = /^(CATALYST_|OPENINFERENCE_|OTEL_EXPORTER_OTLP_)/;
const FORWARDED_NAMES = new Set(["OTEL_SDK_DISABLED", "OTLP_ENDPOINT", "OTLP_INGEST_TOKEN"]);
/** The service's identity stays the server's own. */
const NOT_FORWARDED = new Set(["CATALYST_SERVICE_NAME", "CATALYST_SERVICE_VERSION"]);
const RESOURCE_LISTS = new Set(["OTEL_RESOURCE_ATTRIBUTES", "CATALYST_RESOURCE_ATTRIBUTES"]);

/** A key=value resource list without service.name / service.version (undefined when nothing is left). */
function withoutServiceIdentity(list: string): string | undefined {
  const kept = list.split(",").filter((entry) => !/^\s*service\.(name|version)\s*=/.test(entry));
  return kept.some((e) => e.trim() !== "") ? kept.join(",") : undefined;
}

/** The tracing variables of this process that a traced child should see. */
export function forwardedVariables(parentEnv: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parentEnv)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    if (RESOURCE_LISTS.has(name)) {
      const rest = withoutServiceIdentity(value);
      if (rest !== undefined) out[name] = rest;
    } else if (FORWARDED.test(name) || FORWARDED_NAMES.has(name)) out[name] = value;
  }
  // the child has no NODE_ENV from the SDK: keep a production app's servers as quiet as the app
  if (parentEnv.NODE_ENV === "production" && out.CATALYST_CONSOLE === undefined) out.CATALYST_CONSOLE = "off";
  return out;
}

const DISABLED = new Set(["1", "true", "yes", "on"]);

/** A path as one NODE_OPTIONS / BUN_OPTIONS word (quoted when it holds spaces or quotes). */
function optionWord(p: string): string {
  return /[\s"'\\]/.test(p) ? `"${p.replace(/(["\\])/g, "\\$1")}"` : p;
}

function withOption(existing: string | undefined, flag: string, file: string): string {
  // our preload already named there (an app that passes its own NODE_OPTIONS through): once is enough
  if (existing && (existing.includes(file) || existing.includes(`${TRACER_NAME}/register`))) return existing;
  const ours = `${flag} ${optionWord(file)}`;
  return existing && existing.trim() !== "" ? `${existing} ${ours}` : ours;
}

/**
 * The `env` to hand the SDK for this child, or undefined to leave its parameters alone.
 * `defaultEnv` is the SDK's own minimal environment (used when the app passed none).
 */
export function tracedChildEnvironment(params: StdioParams, parentEnv: Env, defaultEnv: Record<string, string>, doors: Doors, execPath: string): Record<string, string> | undefined {
  if (!isJavaScriptCommand(params.command, execPath)) return undefined;
  const given = params.env && typeof params.env === "object" ? params.env : undefined;
  if (given && DISABLED.has(String(given.CATALYST_DISABLED ?? "").trim().toLowerCase())) return undefined;
  const env: Record<string, string> = { ...(given ?? defaultEnv) };
  for (const [k, v] of Object.entries(forwardedVariables(parentEnv))) if (given?.[k] === undefined) env[k] = v;
  env.NODE_OPTIONS = withOption(given?.NODE_OPTIONS, "--require", doors.node);
  env.BUN_OPTIONS = withOption(given?.BUN_OPTIONS, "--preload", doors.bun);
  return env;
}

let doorsFound: Doors | null | undefined;

/** This package's doors, found from this file's folder (dist/ or dist/integrations/mcp/); null when absent (a bundled app). */
export function ourDoors(): Doors | undefined {
  if (doorsFound === undefined) {
    doorsFound = null;
    let dir = __dirname;
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        if (pkg?.name === TRACER_NAME) {
          const node = path.join(dir, "register.cjs");
          const bun = path.join(dir, "register.bun.mjs");
          if (fs.existsSync(node)) doorsFound = { node, bun };
          break;
        }
      } catch {
        /* no package.json here: one folder up */
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return doorsFound ?? undefined;
}
