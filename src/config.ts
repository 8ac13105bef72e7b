/**
 * One validated Config from setup() options, CATALYST_* env vars, legacy names,
 * OpenTelemetry names and defaults, in that order. A .env file in the working
 * directory fills in variables that are not already set. Bad values produce one
 * warning naming the variable and what was expected, then a safe fallback.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { addSecret, debug, warn } from "./util/log";
import type { ModuleKey } from "./integrations/keys";

export type BatchingMode = "batch" | "simple";
export type ConsoleMode = "tree" | "summary" | "off";

export interface SetupOptions {
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Ingest token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  serviceName?: string;
  serviceVersion?: string;
  /** Becomes the `deployment.environment` resource attribute. */
  environment?: string;
  debug?: boolean;
  /** SDK modules to patch explicitly, e.g. `{ openai: OpenAI, anthropic: Anthropic }`. */
  modules?: Partial<Record<ModuleKey, unknown>>;
  /** Also patch every supported SDK that loads (default true). */
  autoInstrument?: boolean;
  batching?: BatchingMode;
  shutdownTimeoutMillis?: number;
  /** Extra span processors that see every span (added after ours). */
  spanProcessors?: SpanProcessor[];
  /** An exporter of your own, used in addition to the configured destination. */
  exporter?: SpanExporter;
  /** Extra HTTP headers for the OTLP exporter (over CATALYST_OTLP_HEADERS / OTEL_EXPORTER_OTLP_HEADERS). */
  headers?: Record<string, string>;
  /** OTLP/HTTP body encoding: "http/protobuf" (default, what every collector accepts) or "http/json". */
  protocol?: OtlpProtocol;
  /** "gzip" compresses export requests (LLM text shrinks several times); default "none". */
  compression?: OtlpCompression;
  /** Resource attributes added to every span's resource (over OTEL_RESOURCE_ATTRIBUTES). */
  resourceAttributes?: Record<string, string>;
  /** Append every finished span as one JSON line to this file. */
  tracesFile?: string;
  /** How the local sink prints to stderr when no endpoint is set. */
  console?: ConsoleMode;
  /** Only these integrations (keys or package names). */
  instrumentations?: string[];
  /** All integrations but these. */
  disabledInstrumentations?: string[];
  /** Turn everything into a no-op. */
  disabled?: boolean;
  /** Spans held for export at most; past it new spans are dropped and counted (default 2048). */
  maxQueueSize?: number;
  /** Per-request timeout of the OTLP export in ms (default 10000). */
  exportTimeoutMillis?: number;
  /** Longest attribute value kept (characters, default 32000); longer values are cut with a marker. */
  maxAttributeLength?: number;
  /** Most input messages recorded per span (default 64); the oldest are cut, system and last ones kept. */
  maxMessages?: number;
  /** Most attributes per span (default 1000); input messages are cut first, never output, tokens or model. */
  maxAttributes?: number;
  /** What to hide from spans (OpenInference TraceConfig semantics, plus a few more). */
  privacy?: PrivacyOptions;
  /**
   * Your own redaction, run on every attribute of every span at export time (after ours).
   * Return the value to keep (or a replacement), or undefined to drop the attribute.
   */
  scrub?: ScrubFunction;
  /** Model prices (USD per million tokens) added to or replacing the shipped table, or a JSON file path. CATALYST_PRICES_FILE works too. */
  prices?: Record<string, unknown> | string;
}

export type ScrubValue = string | number | boolean | Array<string | number | boolean | null | undefined>;
export type ScrubFunction = (key: string, value: ScrubValue, span: { name: string; kind?: string }) => ScrubValue | undefined;

export interface PrivacyOptions {
  hideInputs?: boolean;
  hideOutputs?: boolean;
  hideInputMessages?: boolean;
  hideOutputMessages?: boolean;
  hideInputImages?: boolean;
  hideInputText?: boolean;
  hideOutputText?: boolean;
  hideEmbeddingVectors?: boolean;
  hideLLMTools?: boolean;
  hidePrompts?: boolean;
  /** Drop llm.invocation_parameters entirely (secret-named fields are always redacted). */
  hideInvocationParameters?: boolean;
  /** base64 image URLs longer than this become "__REDACTED__" (default 32000). */
  base64ImageMaxLength?: number;
}

export type PrivacyConfig = Required<PrivacyOptions>;

export interface Config {
  disabled: boolean;
  endpoint?: string;
  tracesUrl?: string;
  token?: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion?: string;
  environment?: string;
  debug: boolean;
  autoInstrument: boolean;
  batching: BatchingMode;
  protocol: OtlpProtocol;
  compression: OtlpCompression;
  /** Extra resource attributes (service.* and deployment.environment are set from the fields above). */
  resourceAttributes: Record<string, string>;
  shutdownTimeoutMillis: number;
  tracesFile?: string;
  console: ConsoleMode;
  instrumentations?: string[];
  disabledInstrumentations?: string[];
  maxQueueSize: number;
  exportTimeoutMillis: number;
  maxAttributeLength: number;
  maxMessages: number;
  maxAttributes: number;
  privacy: PrivacyConfig;
  scrub?: ScrubFunction;
  /** Model prices (USD per million tokens) added to or replacing the shipped table, or a JSON file path. CATALYST_PRICES_FILE works too. */
  prices?: Record<string, unknown> | string;
}

type Env = Record<string, string | undefined>;

const dotenvLoaded = new WeakSet<Env>();
/** Read `.env` from the working directory once per environment object, never overriding what is set. */
export function loadDotEnv(env: Env = process.env): void {
  if (dotenvLoaded.has(env)) return;
  dotenvLoaded.add(env);
  try {
    const file = path.join(process.cwd(), ".env");
    if (!fs.existsSync(file)) return;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const dotenv = require("dotenv") as typeof import("dotenv");
    const parsed = dotenv.parse(fs.readFileSync(file));
    for (const [k, v] of Object.entries(parsed)) if (env[k] === undefined) env[k] = v;
  } catch (err) {
    warn(`could not read .env in ${process.cwd()}: ${(err as Error).message}`);
  }
}

/** First env var (in order) that is set to a non-empty value: [name, value]. */
function pick(env: Env, names: string[]): [string, string] | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== "") return [n, v.trim()];
  }
  return undefined;
}

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

export function parseBool(name: string, raw: string, fallback: boolean): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  warn(`${name}="${raw}" is not a boolean (expected true/false, 1/0); using ${fallback}.`);
  return fallback;
}

export function parseList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return items;
}

/**
 * `<base>/v1/traces`, unless the URL already names that path; a query stays after the path
 * (`…/otlp?tenant=abc` → `…/otlp/v1/traces?tenant=abc`). Undefined (with a warning) when invalid.
 */
export function tracesUrlFor(source: string, endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    warn(
      `${source}="${endpoint}" is not a valid URL (expected http(s)://host[:port][/path]); traces stay local.`,
    );
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    warn(`${source}="${endpoint}" must use http:// or https:// (OTLP/HTTP); traces stay local.`);
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = /\/v1\/traces$/.test(path) ? path : `${path}/v1/traces`;
  return url.href;
}

function readPackageJson(dir: string): { name?: string; version?: string } | undefined {
  let d = dir;
  for (let i = 0; i < 20; i++) {
    const file = path.join(d, "package.json");
    try {
      if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
      return undefined;
    }
    const parent = path.dirname(d);
    if (parent === d) break;
    d = parent;
  }
  return undefined;
}

export type OtlpProtocol = "http/protobuf" | "http/json";
export type OtlpCompression = "gzip" | "none";

function resolveCompression(src: [string, string] | undefined): OtlpCompression {
  if (!src) return "none";
  const v = src[1].trim().toLowerCase();
  if (v === "gzip") return "gzip";
  if (v !== "none" && v !== "") warn(`${src[0]}="${src[1]}" is not an OTLP compression (expected "gzip" or "none"); sending uncompressed.`);
  return "none";
}

/**
 * An OpenTelemetry key=value list (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES):
 * comma-separated, keys and values percent-decoded. An entry that is not key=value is skipped with
 * one warning that names its position, never its text (it may hold a credential).
 */
export function parseKeyValueList(source: string, raw: string, warnOnBad = true): Record<string, string> {
  const out: Record<string, string> = {};
  const bad: number[] = [];
  raw.split(",").forEach((entry, i) => {
    if (entry.trim() === "") return;
    const eq = entry.indexOf("=");
    const key = eq > 0 ? decodePercent(entry.slice(0, eq).trim()) : "";
    if (!key) {
      bad.push(i + 1);
      return;
    }
    out[key] = decodePercent(entry.slice(eq + 1).trim());
  });
  if (bad.length && warnOnBad) warn(`${source}: entr${bad.length > 1 ? "ies" : "y"} ${bad.join(", ")} not in the form key=value; ignored (the others are used).`);
  return out;
}

function decodePercent(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The OTLP/HTTP encoding (OpenTelemetry's OTEL_EXPORTER_OTLP_PROTOCOL values); protobuf unless told otherwise. */
function resolveProtocol(src: [string, string] | undefined): OtlpProtocol {
  if (!src) return "http/protobuf";
  const v = src[1].trim().toLowerCase();
  if (v === "http/protobuf" || v === "protobuf") return "http/protobuf";
  if (v === "http/json" || v === "json") return "http/json";
  if (v === "grpc") {
    warn(`${src[0]}="grpc": gRPC is not supported; spans are sent as OTLP/HTTP protobuf (a collector's OTLP/HTTP port is usually 4318, not 4317).`);
  } else {
    warn(`${src[0]}="${src[1]}" is not an OTLP/HTTP protocol (expected "http/protobuf" or "http/json"); using "http/protobuf".`);
  }
  return "http/protobuf";
}

/** The app's identity: its package.json (from the entry script's folder, else cwd), else the script name. */
function appIdentity(): { name: string; version?: string } {
  const script = process.argv[1];
  const dir = script ? path.dirname(path.resolve(script)) : process.cwd();
  const pkg = readPackageJson(dir);
  if (pkg?.name) return { name: pkg.name, version: pkg.version };
  if (script) return { name: path.basename(script).replace(/\.[cm]?[jt]sx?$/, ""), version: pkg?.version };
  return { name: "unknown_service:node" };
}

export function resolveConfig(options: SetupOptions = {}, env: Env = process.env): Config {
  loadDotEnv(env);
  // registered before anything can be logged, so no line ever carries it
  const token = options.token ?? pick(env, ["CATALYST_OTLP_TOKEN", "OTLP_INGEST_TOKEN"])?.[1];
  addSecret(token);

  const disabledEnv = pick(env, ["CATALYST_DISABLED"]);
  const otelDisabled = pick(env, ["OTEL_SDK_DISABLED"]);
  const disabled =
    options.disabled ??
    ((disabledEnv ? parseBool(disabledEnv[0], disabledEnv[1], false) : false) ||
      (otelDisabled ? otelDisabled[1].toLowerCase() === "true" : false));

  const debugEnv = pick(env, ["CATALYST_DEBUG"]);
  const debugOn = options.debug ?? (debugEnv ? parseBool(debugEnv[0], debugEnv[1], false) : false);

  let endpoint: string | undefined;
  let tracesUrl: string | undefined;
  const endpointSrc: [string, string] | undefined =
    options.endpoint !== undefined && options.endpoint !== ""
      ? ["setup({ endpoint })", options.endpoint]
      : pick(env, ["CATALYST_OTLP_ENDPOINT", "OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]);
  if (endpointSrc) {
    // the signal-specific OTel variable is a full URL by definition
    const isFullUrl = endpointSrc[0] === "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    tracesUrl = isFullUrl ? validateFullUrl(endpointSrc[0], endpointSrc[1]) : tracesUrlFor(endpointSrc[0], endpointSrc[1]);
    if (tracesUrl) endpoint = endpointSrc[1];
  }


  // headers: the env list (ours, then OpenTelemetry's), then setup({ headers }), then the token.
  // OpenTelemetry's headers go with OpenTelemetry's endpoint only: an app that exports its own OTel
  // data elsewhere must not have that vendor's key sent to the endpoint it gave us.
  const endpointIsOtel = !!endpointSrc && endpointSrc[0].startsWith("OTEL_");
  const oursSrc = pick(env, ["CATALYST_OTLP_HEADERS"]);
  const otelSrc = pick(env, ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"]);
  const otelUsed = !oursSrc && endpointIsOtel;
  // warned about only when used, but kept out of log lines either way
  const otelHeaders = otelSrc ? parseKeyValueList(otelSrc[0], otelSrc[1], otelUsed) : {};
  if (otelSrc && !endpointIsOtel && endpointSrc) debug(`${otelSrc[0]} not used: it goes with OTEL_EXPORTER_OTLP_ENDPOINT, and spans go to ${endpointSrc[0]}`);
  const envHeaders = oursSrc ? parseKeyValueList(oursSrc[0], oursSrc[1]) : otelUsed ? otelHeaders : {};
  // typically credentials: never in a log line
  for (const v of [...Object.values(otelHeaders), ...Object.values(envHeaders)]) addSecret(v);
  const headers: Record<string, string> = { ...envHeaders, ...(options.headers ?? {}) };
  if (token) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === "authorization") delete headers[k];
    headers["Authorization"] = `Bearer ${token}`;
  }

  // OTEL_RESOURCE_ATTRIBUTES: extra resource attributes, and the service identity when nothing more specific names it
  const resourceSrc = pick(env, ["CATALYST_RESOURCE_ATTRIBUTES", "OTEL_RESOURCE_ATTRIBUTES"]);
  const resourceAttributes: Record<string, string> = {
    ...(resourceSrc ? parseKeyValueList(resourceSrc[0], resourceSrc[1]) : {}),
    ...(options.resourceAttributes ?? {}),
  };
  const app = appIdentity();
  const serviceName =
    options.serviceName ??
    pick(env, ["CATALYST_SERVICE_NAME", "SERVICE_NAME", "OTEL_SERVICE_NAME"])?.[1] ??
    resourceAttributes["service.name"] ??
    app.name;
  const serviceVersion =
    options.serviceVersion ?? pick(env, ["CATALYST_SERVICE_VERSION"])?.[1] ?? resourceAttributes["service.version"] ?? app.version;
  const environment =
    options.environment ??
    pick(env, ["CATALYST_ENVIRONMENT"])?.[1] ??
    resourceAttributes["deployment.environment"] ??
    resourceAttributes["deployment.environment.name"];

  let batching: BatchingMode = "batch";
  const batchingSrc: [string, string] | undefined =
    options.batching !== undefined ? ["setup({ batching })", String(options.batching)] : pick(env, ["CATALYST_BATCHING"]);
  if (batchingSrc) {
    const v = batchingSrc[1].toLowerCase();
    if (v === "batch" || v === "simple") batching = v;
    else warn(`${batchingSrc[0]}="${batchingSrc[1]}" is not a batching mode (expected "batch" or "simple"); using "batch".`);
  }

  const protocol = resolveProtocol(
    options.protocol !== undefined
      ? ["setup({ protocol })", String(options.protocol)]
      : pick(env, ["CATALYST_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"]),
  );

  // like the headers, OpenTelemetry's compression setting describes OpenTelemetry's endpoint
  const compression = resolveCompression(
    options.compression !== undefined
      ? ["setup({ compression })", String(options.compression)]
      : pick(env, endpointIsOtel ? ["CATALYST_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"] : ["CATALYST_OTLP_COMPRESSION"]),
  );

  let shutdownTimeoutMillis = 5000;
  const timeoutSrc: [string, string] | undefined =
    options.shutdownTimeoutMillis !== undefined
      ? ["setup({ shutdownTimeoutMillis })", String(options.shutdownTimeoutMillis)]
      : pick(env, ["CATALYST_SHUTDOWN_TIMEOUT_MS"]);
  if (timeoutSrc) {
    const n = Number(timeoutSrc[1]);
    if (Number.isFinite(n) && n >= 0) shutdownTimeoutMillis = n;
    else
      warn(`${timeoutSrc[0]}="${timeoutSrc[1]}" is not a number of milliseconds (expected an integer >= 0); using 5000.`);
  }

  let consoleMode: ConsoleMode = env.NODE_ENV === "production" ? "off" : "tree";
  const consoleSrc: [string, string] | undefined =
    options.console !== undefined ? ["setup({ console })", options.console] : pick(env, ["CATALYST_CONSOLE"]);
  if (consoleSrc) {
    const v = consoleSrc[1].toLowerCase();
    if (v === "tree" || v === "summary" || v === "off") consoleMode = v;
    else warn(`${consoleSrc[0]}="${consoleSrc[1]}" is not a console mode (expected tree, summary or off); using "${consoleMode}".`);
  }

  const privacy = resolvePrivacy(options.privacy ?? {}, env);
  const scrub = typeof options.scrub === "function" ? options.scrub : undefined;
  if (options.scrub !== undefined && !scrub) warn("setup({ scrub }) must be a function (key, value, span) => value | undefined; ignored.");

  return {
    disabled,
    endpoint,
    tracesUrl,
    token,
    headers,
    serviceName,
    serviceVersion,
    environment,
    debug: debugOn,
    autoInstrument: options.autoInstrument ?? true,
    batching,
    protocol,
    compression,
    resourceAttributes,
    shutdownTimeoutMillis,
    tracesFile: options.tracesFile ?? pick(env, ["CATALYST_TRACES_FILE"])?.[1],
    console: consoleMode,
    instrumentations: options.instrumentations ?? parseList(pick(env, ["CATALYST_INSTRUMENTATIONS"])?.[1]),
    disabledInstrumentations:
      options.disabledInstrumentations ?? parseList(pick(env, ["CATALYST_DISABLED_INSTRUMENTATIONS"])?.[1]),
    maxQueueSize: intSetting(env, "maxQueueSize", options.maxQueueSize, ["CATALYST_MAX_QUEUE_SIZE"], 2048, 1),
    exportTimeoutMillis: intSetting(env, "exportTimeoutMillis", options.exportTimeoutMillis, ["CATALYST_EXPORT_TIMEOUT_MS", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"], 10_000, 100),
    maxAttributeLength: intSetting(env, "maxAttributeLength", options.maxAttributeLength, ["CATALYST_MAX_ATTRIBUTE_LENGTH"], 32_000, 64),
    maxMessages: intSetting(env, "maxMessages", options.maxMessages, ["CATALYST_MAX_MESSAGES"], 64, 1),
    maxAttributes: intSetting(env, "maxAttributes", options.maxAttributes, ["CATALYST_MAX_ATTRIBUTES"], 1000, 32),
    privacy,
    scrub,
    prices: options.prices,
  };
}

/** A whole number setting from an option or env vars, at least `min`; a bad value warns once and falls back. */
function intSetting(env: Env, option: string, value: number | undefined, names: string[], fallback: number, min: number): number {
  const src: [string, string] | undefined = value !== undefined ? [`setup({ ${option} })`, String(value)] : pick(env, names);
  if (!src) return fallback;
  const n = Number(src[1]);
  if (Number.isFinite(n) && n >= min) return Math.floor(n);
  warn(`${src[0]}="${src[1]}" is not a whole number >= ${min}; using ${fallback}.`);
  return fallback;
}

const PRIVACY_FLAGS: [keyof PrivacyOptions, string][] = [
  ["hideInputs", "HIDE_INPUTS"],
  ["hideOutputs", "HIDE_OUTPUTS"],
  ["hideInputMessages", "HIDE_INPUT_MESSAGES"],
  ["hideOutputMessages", "HIDE_OUTPUT_MESSAGES"],
  ["hideInputImages", "HIDE_INPUT_IMAGES"],
  ["hideInputText", "HIDE_INPUT_TEXT"],
  ["hideOutputText", "HIDE_OUTPUT_TEXT"],
  ["hideEmbeddingVectors", "HIDE_EMBEDDING_VECTORS"],
  ["hideLLMTools", "HIDE_LLM_TOOLS"],
  ["hidePrompts", "HIDE_PROMPTS"],
  ["hideInvocationParameters", "HIDE_INVOCATION_PARAMETERS"],
];

/** Privacy flags: option, then CATALYST_<NAME>, then OPENINFERENCE_<NAME> (OpenInference's own names), then off. */
export function resolvePrivacy(options: PrivacyOptions, env: Env = process.env): PrivacyConfig {
  const out = {} as PrivacyConfig;
  for (const [key, suffix] of PRIVACY_FLAGS) {
    const opt = options[key];
    if (typeof opt === "boolean") {
      (out as any)[key] = opt;
      continue;
    }
    const src = pick(env, [`CATALYST_${suffix}`, `OPENINFERENCE_${suffix}`]);
    (out as any)[key] = src ? parseBool(src[0], src[1], false) : false;
  }
  out.base64ImageMaxLength = intSetting(
    env,
    "privacy: { base64ImageMaxLength }",
    options.base64ImageMaxLength,
    ["CATALYST_BASE64_IMAGE_MAX_LENGTH", "OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH"],
    32_000,
    0,
  );
  return out;
}

function validateFullUrl(source: string, value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") return u.href;
  } catch {
    /* fall through */
  }
  warn(`${source}="${value}" is not a valid http(s) URL; traces stay local.`);
  return undefined;
}
