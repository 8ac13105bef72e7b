/**
 * Every setting in one table: its setup() option, its environment variables in precedence order,
 * its parser and its default. resolveConfig() reads the table once into one validated Config;
 * a bad value gives one warning naming the variable and what was expected, then the default.
 * A .env file in the working directory fills in variables that are not already set.
 *
 * Two kinds of setting are derived from others after the table is read: the export endpoint's
 * headers and compression (OpenTelemetry's variables apply only with OpenTelemetry's endpoint),
 * and the service identity (falling back to OTEL_RESOURCE_ATTRIBUTES and the app's package.json).
 * The V8 code cache's two variables are read by the doors before any of this loads
 * (src/boot/code-cache.ts); CATALYST_TEST_FAULTS is for our tests (src/util/fault.ts).
 */
import fs = require("node:fs");
import path = require("node:path");
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { InstrumenterConfig } from "./hooks/instrumenter";
import { appEntry, nearestPackageJson } from "./hooks/resolve";
import type { ModuleKey } from "./integrations/registry";
import type { EsmMode } from "./integrations/types";
import type { PropagationSetting } from "./runs/propagation";
import { addSecret, debug, warn } from "./util/log";

export type BatchingMode = "batch" | "simple";
/** When queued spans are exported: on the batch timer, or as soon as a request's root span ends too. */
export type FlushMode = "batch" | "request";
export type ConsoleMode = "tree" | "summary" | "off";
/** Which semantic conventions spans carry: OpenInference (ours), OpenTelemetry's GenAI ones, or both. */
export type SemconvMode = "openinference" | "gen_ai" | "both";
export type MetricsTemporality = "cumulative" | "delta" | "lowmemory";

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
  /**
   * "request": every time a root span ends (a request's, an invocation's, an agent run's), export
   * what is queued at once, for platforms that freeze a function after its response; hand those
   * exports to the platform with setWaitUntil(). Default "batch": on the export timer.
   */
  flush?: FlushMode;
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
  /** Stitch a script's model calls that continue one conversation into one run (default true). */
  stitch?: boolean;
  /** A stitched run ends after this long without a model call (default 30000). */
  stitchIdleMillis?: number;
  /** Incoming HTTP requests become the roots of the traced work done while handling them (default true). */
  requestRoots?: boolean;
  /** Outgoing HTTP requests made in traced work carry W3C trace context: true, false, or the hosts it may go to. */
  propagation?: boolean | string[];
  /** The conventions spans carry: "openinference" (default), "gen_ai" (OpenTelemetry GenAI) or "both". */
  semconv?: SemconvMode;
  /** Record message content in the GenAI attributes (gen_ai.input.messages, …), which the GenAI conventions make opt-in. */
  captureMessageContent?: boolean;
  /** Export GenAI client metrics to `<endpoint>/v1/metrics` (default true when an endpoint is set). */
  metrics?: boolean;
  /** How often metrics are exported, in ms (default 60000). */
  metricExportIntervalMillis?: number;
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

export interface Config extends InstrumenterConfig {
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
  flush: FlushMode;
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
  /** Model prices (USD per million tokens) added to or replacing the shipped table, or a JSON file path. */
  prices?: Record<string, unknown> | string;
  /** CATALYST_PRICES_FILE: a JSON price file, applied before `prices`. */
  pricesFile?: string;
  /** CATALYST_ESM_MODE: the ESM mechanism asked for ("auto" lets the preload choose). */
  esmMode: EsmMode | "auto";
  /** CATALYST_WORKERS: also trace the app's worker threads. */
  workers: boolean;
  /** CATALYST_REQUEST_ROOTS: incoming HTTP requests become the roots of the traced work they do. */
  requestRoots: boolean;
  /** CATALYST_PROPAGATION: outgoing HTTP requests in traced work carry W3C trace context (on, off, or to these hosts). */
  propagation: PropagationSetting;
  /** CATALYST_SEMCONV (or OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental): the conventions spans carry. */
  semconv: SemconvMode;
  /** OTEL_SEMCONV_STABILITY_OPT_IN names gen_ai_latest_experimental: the newer (unreleased) GenAI names. */
  genAiLatest: boolean;
  /** Message content in the GenAI attributes (opt-in, as the GenAI conventions prescribe). */
  captureMessageContent: boolean;
  /** Where GenAI metrics go (`<endpoint>/v1/metrics`); undefined: no metrics. */
  metricsUrl?: string;
  metricExportIntervalMillis: number;
  metricsTemporality: MetricsTemporality;
}


type Env = Record<string, string | undefined>;

export type OtlpProtocol = "http/protobuf" | "http/json";
export type OtlpCompression = "gzip" | "none";

// ---------------------------------------------------------------------------------------------
// parsers: a raw value (an env var's text, or a setup() option as given) -> a value, or a problem
// ---------------------------------------------------------------------------------------------

/**
 * A parsed value (with a warning when it had to be adjusted), or what is wrong with the raw one:
 * the warning then reads `<source>="<raw>"<problem>; <fallback>.` and the default is used.
 */
type Parsed<T> = { value: T; adjusted?: string } | { problem: string; fallback?: string };
type Parser<T> = (raw: unknown, source: string) => Parsed<T>;

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off", ""]);

const bool: Parser<boolean> = (raw) => {
  if (typeof raw === "boolean") return { value: raw };
  const v = String(raw).trim().toLowerCase();
  if (TRUE.has(v)) return { value: true };
  if (FALSE.has(v)) return { value: false };
  return { problem: " is not a boolean (expected true/false, 1/0)" };
};

/** OpenTelemetry's booleans (OTEL_SDK_DISABLED): "true" in any case is true, anything else false. */
const otelBool: Parser<boolean> = (raw) => ({ value: String(raw).trim().toLowerCase() === "true" });

const text: Parser<string> = (raw) => (typeof raw === "string" ? { value: raw.trim() } : { problem: " is not a text" });

/** A file path: a non-empty string. */
const filePath: Parser<string> = (raw) => (typeof raw === "string" && raw.trim() !== "" ? { value: raw.trim() } : { problem: " is not a file path" });

function oneOf<T extends string>(values: readonly T[], what: string, aliases: Record<string, T> = {}): Parser<T> {
  const quoted = values.map((v) => `"${v}"`);
  const expected = `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
  return (raw) => {
    const v = String(raw).trim().toLowerCase();
    if ((values as readonly string[]).includes(v)) return { value: v as T };
    if (aliases[v]) return { value: aliases[v]! };
    return { problem: ` is not ${what} (expected ${expected})` };
  };
}

/** Timers in Node hold at most 2^31-1 ms; a longer one fires at once (with a warning of Node's). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER, what = `a whole number >= ${min}`): Parser<number> {
  return (raw) => {
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n) || n < min) return { problem: ` is not ${what}` };
    if (n > max) return { value: max, adjusted: ` is more than a timer can wait; using ${max}.` };
    return { value: Math.floor(n) };
  };
}

/** A comma list (env) or an array of strings (option); a single string option is a one-item list. */
const nameList: Parser<string[]> = (raw) => {
  if (typeof raw === "string") return { value: raw.split(",").map((s) => s.trim()).filter(Boolean) };
  if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return { value: raw.map((s: string) => s.trim()).filter(Boolean) };
  return { problem: " is not a list of integration names (expected an array of strings such as [\"openai\"])" };
};

/** A parsed key=value list: the entries, and the 1-based positions of the malformed ones. */
export interface KeyValueList {
  values: Record<string, string>;
  bad: number[];
}
const NO_KEY_VALUES: KeyValueList = Object.freeze({ values: {}, bad: [] }) as KeyValueList;

/** key=value,key2=value2 (OpenTelemetry's list format) in the env, an object of strings as an option. */
const keyValues: Parser<KeyValueList> = (raw) => {
  if (typeof raw === "string") return { value: parseKeyValueList(raw) };
  if (raw && typeof raw === "object" && !Array.isArray(raw) && Object.values(raw).every((v) => typeof v === "string")) {
    return { value: { values: { ...(raw as Record<string, string>) }, bad: [] } };
  }
  return { problem: ' is not a set of string values (expected { key: "value" })' };
};

/** The export URL: a base URL gets /v1/traces appended; OpenTelemetry's signal-specific variable is the full URL. */
const endpointUrl: Parser<{ endpoint: string; tracesUrl: string }> = (raw, source) => {
  if (typeof raw !== "string") return { problem: " is not a URL" };
  const tracesUrl = source === "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" ? validateFullUrl(source, raw) : tracesUrlFor(source, raw);
  // the URL helpers say what is wrong themselves
  return tracesUrl ? { value: { endpoint: raw, tracesUrl } } : { problem: "" };
};

const protocolParser: Parser<OtlpProtocol> = (raw) => {
  const v = String(raw).trim().toLowerCase();
  if (v === "http/protobuf" || v === "protobuf") return { value: "http/protobuf" };
  if (v === "http/json" || v === "json") return { value: "http/json" };
  if (v === "grpc") {
    return { problem: ": gRPC is not supported", fallback: "spans are sent as OTLP/HTTP protobuf (a collector's OTLP/HTTP port is usually 4318, not 4317)" };
  }
  return { problem: ' is not an OTLP/HTTP protocol (expected "http/protobuf" or "http/json")' };
};

const compressionParser: Parser<OtlpCompression> = (raw) => {
  const v = String(raw).trim().toLowerCase();
  if (v === "gzip") return { value: "gzip" };
  if (v === "none" || v === "") return { value: "none" };
  return { problem: ' is not an OTLP compression (expected "gzip" or "none")' };
};

const fn: Parser<ScrubFunction> = (raw) =>
  typeof raw === "function" ? { value: raw as ScrubFunction } : { problem: " is not a function (key, value, span) => value | undefined", fallback: "ignored" };

/** CATALYST_PROPAGATION: on, off, or the hosts outgoing trace context may go to. */
const propagationParser: Parser<PropagationSetting> = (raw) => {
  if (Array.isArray(raw) && raw.every((h) => typeof h === "string")) return { value: raw.map((h: string) => h.trim().toLowerCase()).filter(Boolean) };
  if (typeof raw === "boolean") return { value: raw ? "on" : "off" };
  if (typeof raw !== "string") return { problem: ' is not "on", "off" or a list of hosts' };
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v) && v !== "") return { value: "on" };
  if (FALSE.has(v)) return { value: "off" };
  const hosts = v.split(",").map((h) => h.trim()).filter(Boolean);
  if (hosts.every((h) => /^[a-z0-9.-]+$/.test(h))) return { value: hosts };
  return { problem: ' is not "on", "off" or a comma list of host names' };
};

const priceOption: Parser<Record<string, unknown> | string> = (raw) =>
  (typeof raw === "string" && raw.trim() !== "") || (raw && typeof raw === "object" && !Array.isArray(raw))
    ? { value: raw as Record<string, unknown> | string }
    : { problem: " is not a price table or the path of a JSON price file" };

/** OTEL_SEMCONV_STABILITY_OPT_IN: a comma list of opt-ins; only gen_ai_latest_experimental concerns us. */
const GENAI_LATEST = "gen_ai_latest_experimental";
const semconvOptIn: Parser<boolean> = (raw) => ({ value: String(raw).split(",").some((v) => v.trim().toLowerCase() === GENAI_LATEST) });

/**
 * OpenTelemetry's content switch (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT): a boolean, or
 * the newer NO_CONTENT / SPAN_ONLY / EVENT_ONLY / SPAN_AND_EVENT (we record spans only).
 */
const contentCapture: Parser<boolean> = (raw, source) => {
  const v = String(raw).trim().toLowerCase();
  if (v === "span_only" || v === "span_and_event") return { value: true };
  if (v === "no_content" || v === "event_only") return { value: false };
  return bool(raw, source);
};

/** The metrics URL as given: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT is a full URL. */
const metricsEndpointUrl: Parser<string> = (raw, source) => {
  if (typeof raw !== "string") return { problem: " is not a URL" };
  const url = validateFullUrl(source, raw, "metrics are not exported");
  return url ? { value: url } : { problem: "" };
};

// ---------------------------------------------------------------------------------------------
// the table
// ---------------------------------------------------------------------------------------------

interface Setting<T> {
  /** The setup() option, when there is one (a dotted path for nested options). */
  option?: string;
  /** Environment variables, in precedence order (the first one set wins; the option beats them all). */
  env: readonly string[];
  parse: Parser<T>;
  /** What is used when nothing is set, or a bad value was given. */
  default: T | ((env: Env) => T);
  /** What a warning about a bad value says happens instead ("using 5000" when absent). */
  fallback?: string;
  /** Never shown in a warning (the value is a credential). */
  secret?: boolean;
}

function setting<T>(s: Setting<T>): Setting<T> {
  return s;
}

const PRIVACY_FLAGS = [
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
] as const satisfies readonly (readonly [keyof PrivacyOptions, string])[];

/** Privacy flags: the option, then CATALYST_<NAME>, then OPENINFERENCE_<NAME> (OpenInference's own names). */
const privacySettings = Object.fromEntries(
  PRIVACY_FLAGS.map(([key, suffix]) => [key, setting({ option: `privacy.${key}`, env: [`CATALYST_${suffix}`, `OPENINFERENCE_${suffix}`], parse: bool, default: false })]),
) as Record<(typeof PRIVACY_FLAGS)[number][0], Setting<boolean>>;

export const SETTINGS = {
  disabled: setting({ option: "disabled", env: ["CATALYST_DISABLED"], parse: bool, default: false }),
  otelSdkDisabled: setting({ env: ["OTEL_SDK_DISABLED"], parse: otelBool, default: false }),
  debug: setting({ option: "debug", env: ["CATALYST_DEBUG"], parse: bool, default: false }),
  token: setting<string | undefined>({ option: "token", env: ["CATALYST_OTLP_TOKEN", "OTLP_INGEST_TOKEN"], parse: text, default: undefined, secret: true }),
  endpoint: setting<{ endpoint: string; tracesUrl: string } | undefined>({
    option: "endpoint",
    env: ["CATALYST_OTLP_ENDPOINT", "OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"],
    parse: endpointUrl,
    default: undefined,
  }),
  headers: setting<KeyValueList>({ option: "headers", env: ["CATALYST_OTLP_HEADERS"], parse: keyValues, default: NO_KEY_VALUES, secret: true }),
  /** OpenTelemetry's export headers: used only with OpenTelemetry's endpoint (see resolveConfig). */
  otelHeaders: setting<KeyValueList>({ env: ["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"], parse: keyValues, default: NO_KEY_VALUES, secret: true }),
  resourceAttributes: setting<KeyValueList>({
    option: "resourceAttributes",
    env: ["CATALYST_RESOURCE_ATTRIBUTES", "OTEL_RESOURCE_ATTRIBUTES"],
    parse: keyValues,
    default: NO_KEY_VALUES,
  }),
  serviceName: setting<string | undefined>({ option: "serviceName", env: ["CATALYST_SERVICE_NAME", "SERVICE_NAME", "OTEL_SERVICE_NAME"], parse: text, default: undefined }),
  serviceVersion: setting<string | undefined>({ option: "serviceVersion", env: ["CATALYST_SERVICE_VERSION"], parse: text, default: undefined }),
  environment: setting<string | undefined>({ option: "environment", env: ["CATALYST_ENVIRONMENT"], parse: text, default: undefined }),
  batching: setting<BatchingMode>({ option: "batching", env: ["CATALYST_BATCHING"], parse: oneOf(["batch", "simple"], "a batching mode"), default: "batch" }),
  flush: setting<FlushMode>({ option: "flush", env: ["CATALYST_FLUSH"], parse: oneOf(["batch", "request"], "a flush mode"), default: "batch" }),
  protocol: setting<OtlpProtocol>({
    option: "protocol",
    env: ["CATALYST_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"],
    parse: protocolParser,
    default: "http/protobuf",
  }),
  compression: setting<OtlpCompression>({ option: "compression", env: ["CATALYST_OTLP_COMPRESSION"], parse: compressionParser, default: "none", fallback: "sending uncompressed" }),
  /** OpenTelemetry's compression: like its headers, it describes OpenTelemetry's endpoint. */
  otelCompression: setting<OtlpCompression>({
    env: ["OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"],
    parse: compressionParser,
    default: "none",
    fallback: "sending uncompressed",
  }),
  shutdownTimeoutMillis: setting({
    option: "shutdownTimeoutMillis",
    env: ["CATALYST_SHUTDOWN_TIMEOUT_MS"],
    parse: wholeNumber(0, MAX_TIMER_MS, "a number of milliseconds (expected an integer >= 0)"),
    default: 5000,
  }),
  exportTimeoutMillis: setting({
    option: "exportTimeoutMillis",
    env: ["CATALYST_EXPORT_TIMEOUT_MS", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"],
    parse: wholeNumber(100, MAX_TIMER_MS),
    default: 10_000,
  }),
  tracesFile: setting<string | undefined>({ option: "tracesFile", env: ["CATALYST_TRACES_FILE"], parse: filePath, default: undefined }),
  console: setting<ConsoleMode>({
    option: "console",
    env: ["CATALYST_CONSOLE"],
    parse: oneOf(["tree", "summary", "off"], "a console mode"),
    default: (env) => (env.NODE_ENV === "production" ? "off" : "tree"),
  }),
  instrumentations: setting<string[] | undefined>({ option: "instrumentations", env: ["CATALYST_INSTRUMENTATIONS"], parse: nameList, default: undefined, fallback: "tracing all" }),
  disabledInstrumentations: setting<string[] | undefined>({
    option: "disabledInstrumentations",
    env: ["CATALYST_DISABLED_INSTRUMENTATIONS"],
    parse: nameList,
    default: undefined,
    fallback: "disabling none",
  }),
  maxQueueSize: setting({ option: "maxQueueSize", env: ["CATALYST_MAX_QUEUE_SIZE"], parse: wholeNumber(1), default: 2048 }),
  maxAttributeLength: setting({ option: "maxAttributeLength", env: ["CATALYST_MAX_ATTRIBUTE_LENGTH"], parse: wholeNumber(64), default: 32_000 }),
  maxMessages: setting({ option: "maxMessages", env: ["CATALYST_MAX_MESSAGES"], parse: wholeNumber(1), default: 64 }),
  maxAttributes: setting({ option: "maxAttributes", env: ["CATALYST_MAX_ATTRIBUTES"], parse: wholeNumber(32), default: 1000 }),
  ...privacySettings,
  base64ImageMaxLength: setting({
    option: "privacy.base64ImageMaxLength",
    env: ["CATALYST_BASE64_IMAGE_MAX_LENGTH", "OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH"],
    parse: wholeNumber(0),
    default: 32_000,
  }),
  scrub: setting<ScrubFunction | undefined>({ option: "scrub", env: [], parse: fn, default: undefined }),
  prices: setting<Record<string, unknown> | string | undefined>({ option: "prices", env: [], parse: priceOption, default: undefined, fallback: "using the shipped table" }),
  pricesFile: setting<string | undefined>({ env: ["CATALYST_PRICES_FILE"], parse: filePath, default: undefined }),
  esmMode: setting<EsmMode | "auto">({ env: ["CATALYST_ESM_MODE"], parse: oneOf(["auto", "sync", "loader", "eager", "off"], "a mode"), default: "auto" }),
  workers: setting({ env: ["CATALYST_WORKERS"], parse: bool, default: false }),
  openaiIncludeUsage: setting({ env: ["CATALYST_OPENAI_INCLUDE_USAGE"], parse: bool, default: false }),
  recordEmbeddingVectors: setting({ env: ["CATALYST_RECORD_EMBEDDING_VECTORS"], parse: bool, default: false }),
  stitch: setting({ option: "stitch", env: ["CATALYST_STITCH"], parse: bool, default: true }),
  stitchIdleMillis: setting({ option: "stitchIdleMillis", env: ["CATALYST_STITCH_IDLE_MS"], parse: wholeNumber(100, MAX_TIMER_MS), default: 30_000 }),
  requestRoots: setting({ option: "requestRoots", env: ["CATALYST_REQUEST_ROOTS"], parse: bool, default: true }),
  propagation: setting<PropagationSetting>({ option: "propagation", env: ["CATALYST_PROPAGATION"], parse: propagationParser, default: "on" }),
  /** Unset: OpenInference, or both conventions when OpenTelemetry's opt-in names gen_ai_latest_experimental (see resolveConfig). */
  semconv: setting<SemconvMode | undefined>({
    option: "semconv",
    env: ["CATALYST_SEMCONV"],
    parse: oneOf<SemconvMode>(["openinference", "gen_ai", "both"], "a set of conventions", { genai: "gen_ai", "gen-ai": "gen_ai", otel: "gen_ai" }),
    default: undefined,
    fallback: "ignored",
  }),
  semconvOptIn: setting({ env: ["OTEL_SEMCONV_STABILITY_OPT_IN"], parse: semconvOptIn, default: false }),
  captureMessageContent: setting({
    option: "captureMessageContent",
    env: ["CATALYST_GENAI_CAPTURE_CONTENT", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"],
    parse: contentCapture,
    default: false,
  }),
  metrics: setting({ option: "metrics", env: ["CATALYST_METRICS"], parse: bool, default: true }),
  metricsEndpoint: setting<string | undefined>({ env: ["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"], parse: metricsEndpointUrl, default: undefined }),
  metricExportIntervalMillis: setting({
    option: "metricExportIntervalMillis",
    env: ["OTEL_METRIC_EXPORT_INTERVAL"],
    parse: wholeNumber(100, MAX_TIMER_MS, "a number of milliseconds >= 100"),
    default: 60_000,
  }),
  metricsTemporality: setting<MetricsTemporality>({
    env: ["OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"],
    parse: oneOf(["cumulative", "delta", "lowmemory"], "a temporality preference"),
    default: "cumulative",
  }),
  mcpStdioServers: setting({ env: ["CATALYST_MCP_STDIO_SERVERS"], parse: bool, default: true }),
  /** Where `serve` keeps its store (read by the CLI). */
  localDir: setting<string | undefined>({ env: ["CATALYST_LOCAL_DIR"], parse: filePath, default: undefined }),
};

type SettingName = keyof typeof SETTINGS;
type ValueOf<N extends SettingName> = (typeof SETTINGS)[N] extends Setting<infer T> ? T : never;

interface Read<T> {
  value: T;
  /** Where the value came from ("setup({ batching })", "CATALYST_BATCHING"); undefined for the default. */
  source?: string;
}

/** The option at a dotted path ("privacy.hideInputs") of the setup() options. */
function optionAt(options: SetupOptions, dotted: string): unknown {
  let v: unknown = options;
  for (const part of dotted.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

function defaultOf<T>(s: Setting<T>, env: Env): T {
  return typeof s.default === "function" ? (s.default as (env: Env) => T)(env) : s.default;
}

function fallbackOf(s: Setting<unknown>, env: Env): string {
  if (s.fallback) return s.fallback;
  const d = defaultOf(s, env);
  return d === undefined ? "ignored" : `using ${typeof d === "string" ? `"${d}"` : String(d)}`;
}

/** One setting: the option, else the first env var that is set; a bad value warns once and gives the default. */
function read<N extends SettingName>(name: N, options: SetupOptions, env: Env): Read<ValueOf<N>> {
  const s = SETTINGS[name] as unknown as Setting<ValueOf<N>>;
  let source: string | undefined;
  let raw: unknown;
  const option = s.option ? optionAt(options, s.option) : undefined;
  if (option !== undefined && option !== "") {
    const path = s.option!.split(".");
    source = `setup({ ${path.join(": { ")}${" }".repeat(path.length - 1)} })`;
    raw = option;
  } else {
    for (const n of s.env) {
      const v = env[n];
      if (v !== undefined && v.trim() !== "") {
        source = n;
        raw = v.trim();
        break;
      }
    }
  }
  if (source === undefined) return { value: defaultOf(s, env) };
  const parsed = s.parse(raw, source);
  const shown = s.secret ? "***" : typeof raw === "string" ? raw : typeof raw === "function" ? "[function]" : safeText(raw);
  if ("value" in parsed) {
    if (parsed.adjusted) warn(`${source}="${shown}"${parsed.adjusted}`);
    return { value: parsed.value, source };
  }
  // an empty problem: the parser has said what is wrong itself
  if (parsed.problem) warn(`${source}="${shown}"${parsed.problem}; ${parsed.fallback ?? fallbackOf(s as Setting<unknown>, env)}.`);
  return { value: defaultOf(s, env) };
}

function safeText(v: unknown): string {
  try {
    return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** One setting from the environment alone, for the CLI (which has no setup() options). */
export function settingFromEnv<N extends SettingName>(name: N, env: Env = process.env): ValueOf<N> {
  loadDotEnv(env);
  return read(name, {}, env).value;
}

export function resolveConfig(options: SetupOptions = {}, env: Env = process.env): Config {
  loadDotEnv(env);
  const get = <N extends SettingName>(name: N) => read(name, options, env);
  // registered before anything can be logged, so no line ever carries it
  const token = get("token").value;
  addSecret(token);

  const endpoint = get("endpoint");
  const endpointIsOtel = !!endpoint.source?.startsWith("OTEL_");

  // headers: ours (CATALYST_OTLP_HEADERS) or, with OpenTelemetry's endpoint only, OpenTelemetry's;
  // then setup({ headers }); then the token. An app that exports its own OTel data elsewhere must
  // not have that vendor's key sent to the endpoint it gave us.
  const envHeaders = read("headers", {}, env);
  const otelHeaders = read("otelHeaders", {}, env);
  const otelUsed = envHeaders.source === undefined && endpointIsOtel;
  warnBadEntries(envHeaders);
  // OpenTelemetry's list is checked only when it is used, but kept out of log lines either way
  if (otelUsed) warnBadEntries(otelHeaders);
  else if (otelHeaders.source && endpoint.source) debug(`${otelHeaders.source} not used: it goes with OTEL_EXPORTER_OTLP_ENDPOINT, and spans go to ${endpoint.source}`);
  // typically credentials: never in a log line
  for (const v of [...Object.values(otelHeaders.value.values), ...Object.values(envHeaders.value.values)]) addSecret(v);
  const headers: Record<string, string> = {
    ...(envHeaders.source ? envHeaders.value.values : otelUsed ? otelHeaders.value.values : {}),
    ...(options.headers !== undefined ? get("headers").value.values : {}),
  };
  if (token) {
    for (const k of Object.keys(headers)) if (k.toLowerCase() === "authorization") delete headers[k];
    headers["Authorization"] = `Bearer ${token}`;
  }

  // OTEL_RESOURCE_ATTRIBUTES: extra resource attributes, and the service identity when nothing more specific names it
  const envResource = read("resourceAttributes", {}, env);
  warnBadEntries(envResource);
  const resourceAttributes: Record<string, string> = {
    ...envResource.value.values,
    ...(options.resourceAttributes !== undefined ? get("resourceAttributes").value.values : {}),
  };
  const app = appIdentity();
  const serviceName = get("serviceName").value || resourceAttributes["service.name"] || app.name;
  const serviceVersion = get("serviceVersion").value || resourceAttributes["service.version"] || app.version;
  const environment = get("environment").value || resourceAttributes["deployment.environment"] || resourceAttributes["deployment.environment.name"];

  const compression = get("compression");
  const genAiLatest = get("semconvOptIn").value;
  const privacy = resolvePrivacy(options.privacy ?? {}, env);
  // hiding embedding vectors turned off explicitly (OpenInference's variable, say) means: record them
  const hideVectors = get("hideEmbeddingVectors");

  return {
    disabled: get("disabled").value || get("otelSdkDisabled").value,
    endpoint: endpoint.value?.endpoint,
    tracesUrl: endpoint.value?.tracesUrl,
    token,
    headers,
    serviceName,
    serviceVersion,
    environment,
    debug: get("debug").value,
    autoInstrument: options.autoInstrument ?? true,
    batching: get("batching").value,
    flush: get("flush").value,
    protocol: get("protocol").value,
    compression: compression.source || !endpointIsOtel ? compression.value : read("otelCompression", {}, env).value,
    resourceAttributes,
    shutdownTimeoutMillis: get("shutdownTimeoutMillis").value,
    tracesFile: get("tracesFile").value,
    console: get("console").value,
    instrumentations: get("instrumentations").value,
    disabledInstrumentations: get("disabledInstrumentations").value,
    maxQueueSize: get("maxQueueSize").value,
    exportTimeoutMillis: get("exportTimeoutMillis").value,
    maxAttributeLength: get("maxAttributeLength").value,
    maxMessages: get("maxMessages").value,
    maxAttributes: get("maxAttributes").value,
    privacy,
    scrub: get("scrub").value,
    prices: get("prices").value,
    pricesFile: get("pricesFile").value,
    esmMode: get("esmMode").value,
    workers: get("workers").value,
    openaiIncludeUsage: get("openaiIncludeUsage").value,
    stitch: get("stitch").value,
    stitchIdleMillis: get("stitchIdleMillis").value,
    requestRoots: get("requestRoots").value,
    propagation: get("propagation").value,
    recordEmbeddingVectors: get("recordEmbeddingVectors").value || (hideVectors.source !== undefined && !hideVectors.value),
    // OpenTelemetry's opt-in turns the GenAI attributes on beside ours, unless CATALYST_SEMCONV says otherwise
    semconv: get("semconv").value ?? (genAiLatest ? "both" : "openinference"),
    genAiLatest,
    captureMessageContent: get("captureMessageContent").value,
    metricsUrl: get("metrics").value ? metricsUrlFor(endpoint.value?.tracesUrl, get("metricsEndpoint").value) : undefined,
    metricExportIntervalMillis: get("metricExportIntervalMillis").value,
    metricsTemporality: get("metricsTemporality").value,
    mcpStdioServers: get("mcpStdioServers").value,
  };
}

/**
 * Where metrics go: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT as given, else the traces URL with /v1/metrics
 * in place of /v1/traces. A traces URL that does not end that way names no metrics path: none, said once.
 */
function metricsUrlFor(tracesUrl: string | undefined, metricsEndpoint: string | undefined): string | undefined {
  if (!tracesUrl) return undefined;
  if (metricsEndpoint) return metricsEndpoint;
  if (/\/v1\/traces$/.test(tracesUrl)) return tracesUrl.replace(/\/v1\/traces$/, "/v1/metrics");
  debug(`metrics are not exported: the traces URL does not end in /v1/traces, so it names no metrics path (set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT)`);
  return undefined;
}

/** A key=value list's malformed entries: one warning naming their positions, never their text (it may hold a credential). */
function warnBadEntries(list: Read<KeyValueList>): void {
  const bad = list.value.bad;
  if (list.source && bad.length) warn(`${list.source}: entr${bad.length > 1 ? "ies" : "y"} ${bad.join(", ")} not in the form key=value; ignored (the others are used).`);
}

/** Privacy flags alone (setup({ privacy }) and the env). */
export function resolvePrivacy(options: PrivacyOptions, env: Env = process.env): PrivacyConfig {
  const privacy = {} as PrivacyConfig;
  for (const [key] of PRIVACY_FLAGS) privacy[key] = read(key, { privacy: options }, env).value;
  privacy.base64ImageMaxLength = read("base64ImageMaxLength", { privacy: options }, env).value;
  return privacy;
}


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


/**
 * An OpenTelemetry key=value list (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES):
 * comma-separated, keys and values percent-decoded; an entry that is not key=value is skipped.
 */
export function parseKeyValueList(raw: string): KeyValueList {
  const values: Record<string, string> = {};
  const bad: number[] = [];
  raw.split(",").forEach((entry, i) => {
    if (entry.trim() === "") return;
    const eq = entry.indexOf("=");
    const key = eq > 0 ? decodePercent(entry.slice(0, eq).trim()) : "";
    if (!key) {
      bad.push(i + 1);
      return;
    }
    values[key] = decodePercent(entry.slice(eq + 1).trim());
  });
  return { values, bad };
}

function decodePercent(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}


/**
 * The app's identity: its package.json (found from the app's entry, see appEntry()), else the
 * Lambda function's name, else the script's name.
 */
function appIdentity(): { name: string; version?: string } {
  const { file, dir } = appEntry();
  const pkg = nearestPackageJson(dir)?.json as { name?: string; version?: string } | undefined;
  if (pkg?.name) return { name: pkg.name, version: pkg.version };
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return { name: process.env.AWS_LAMBDA_FUNCTION_NAME, version: pkg?.version };
  if (file) return { name: path.basename(file).replace(/\.[cm]?[jt]sx?$/, ""), version: pkg?.version };
  return { name: "unknown_service:node" };
}


function validateFullUrl(source: string, value: string, otherwise = "traces stay local"): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol === "http:" || u.protocol === "https:") return u.href;
  } catch {
    /* fall through */
  }
  warn(`${source}="${value}" is not a valid http(s) URL; ${otherwise}.`);
  return undefined;
}
