/**
 * Export-time privacy: OpenInference TraceConfig masking (same flags, same env names, hidden
 * values become "__REDACTED__" or are dropped exactly as OpenInference does), secret redaction
 * that is always on, base64 media placeholders, and the user's own scrub function.
 *
 * Secrets never reach a span:
 *  - attributes whose own name looks like a credential (…authorization, …api_key, …token, cookie…);
 *  - fields named like secrets (api_key, apiKey, token, password, secret, authorization, …) inside
 *    JSON-valued attributes (invocation parameters, tool inputs, tool-call arguments, metadata);
 *  - the ingest token, configured header values and credential-named env vars (OPENAI_API_KEY, …)
 *    wherever their value appears, plus well-known key shapes (sk-…, Bearer …, AKIA…, ghp_…).
 */
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import type { Config, PrivacyConfig, ScrubValue } from "../config";
import type { AttributeTransform } from "./types";
import { Attr } from "../semconv";
import { internalError } from "../util/log";

export const REDACTED = "__REDACTED__";

const INPUT_MESSAGES = Attr.LLM_INPUT_MESSAGES; // llm.input_messages
const OUTPUT_MESSAGES = Attr.LLM_OUTPUT_MESSAGES;
const MESSAGE_CONTENT = Attr.MESSAGE_CONTENT; // message.content
const MESSAGE_CONTENTS = Attr.MESSAGE_CONTENTS; // message.contents
const CONTENT_TEXT = Attr.MESSAGE_CONTENT_TEXT; // message_content.text
const CONTENT_IMAGE = Attr.MESSAGE_CONTENT_IMAGE; // message_content.image
const IMAGE_URL = Attr.IMAGE_URL; // image.url
const INPUT_IMAGES = "input.images";
const OUTPUT_IMAGES = "output.images";

const within = (key: string, ns: string) => key === ns || key.startsWith(`${ns}.`);

/** What OpenInference's masking does to one attribute: keep it, replace it with __REDACTED__, or drop it. */
export function maskAction(p: PrivacyConfig, key: string, value: unknown): "keep" | "redact" | "drop" {
  if (key === Attr.INPUT_VALUE && p.hideInputs) return "redact";
  if (key === Attr.INPUT_MIME_TYPE && p.hideInputs) return "drop";
  if (key === Attr.OUTPUT_VALUE && p.hideOutputs) return "redact";
  if (key === Attr.OUTPUT_MIME_TYPE && p.hideOutputs) return "drop";
  const inMsg = key.startsWith(INPUT_MESSAGES);
  const outMsg = key.startsWith(OUTPUT_MESSAGES);
  if (inMsg && (p.hideInputs || p.hideInputMessages)) return "drop";
  if (outMsg && (p.hideOutputs || p.hideOutputMessages)) return "drop";
  const isText = (key.includes(MESSAGE_CONTENT) && !key.includes(MESSAGE_CONTENTS)) || key.includes(CONTENT_TEXT);
  if (inMsg && isText && p.hideInputText) return "redact";
  if (outMsg && isText && p.hideOutputText) return "redact";
  if (inMsg && key.includes(CONTENT_IMAGE) && p.hideInputImages) return "drop";
  if (within(key, INPUT_IMAGES) && (p.hideInputs || p.hideInputImages)) return "drop";
  if (within(key, OUTPUT_IMAGES) && p.hideOutputs) return "drop";
  if (
    typeof value === "string" &&
    value.length > p.base64ImageMaxLength &&
    value.startsWith("data:image/") &&
    value.includes("base64") &&
    key.endsWith(IMAGE_URL) &&
    ((inMsg && key.includes(CONTENT_IMAGE)) || within(key, INPUT_IMAGES) || within(key, OUTPUT_IMAGES))
  ) {
    return "redact";
  }
  if (p.hideEmbeddingVectors && key.includes(Attr.EMBEDDING_EMBEDDINGS) && key.includes(Attr.EMBEDDING_VECTOR)) return "drop";
  if (p.hidePrompts && within(key, Attr.LLM_PROMPTS)) return "redact";
  if ((p.hideInputs || p.hideLLMTools) && key.includes(Attr.LLM_TOOLS)) return "drop";
  if (p.hideInvocationParameters && key === Attr.INVOCATION_PARAMETERS) return "drop";
  return "keep";
}

/* ---------- secrets ---------- */

const SECRET_SUFFIXES = [
  "apikey",
  "token",
  "password",
  "passwd",
  "secret",
  "secretkey",
  "privatekey",
  "accesskey",
  "authorization",
  "cookie",
  "credential",
  "credentials",
  "clientsecret",
  "sessionkey",
];
const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

const nameCache = new Map<string, boolean>();
/** True for names like api_key, apiKey, x-api-key, Authorization, access_token, password, client_secret. */
export function isSecretName(name: string): boolean {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const n = norm(name);
  const result = !!n && SECRET_SUFFIXES.some((s) => n === s || n.endsWith(s));
  if (nameCache.size < 10_000) nameCache.set(name, result);
  return result;
}

/**
 * A cheap pre-check before parsing JSON: is there an object key ending like a secret name
 * (`"api_key":`, `"X-Auth-Token" :`, `"password":`)? Usage fields such as `"prompt_tokens":` do not
 * match, so ordinary request and response bodies are never parsed.
 */
const SECRET_KEY_HINT = /(?:key|token|passw(?:or)?d|secret|authorization|cookie|credentials?)[^A-Za-z0-9"\\]*"\s*:/i;
/** Redact secret-named fields anywhere inside a JSON value; returns undefined when nothing changed. */
function redactJsonFields(value: unknown): { changed: boolean; value: unknown } {
  let changed = false;
  // `schema`: the object is a JSON Schema "properties" map, whose keys name fields rather than hold values
  const walk = (v: unknown, depth: number, schema = false): unknown => {
    if (depth > 32 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const isSchemaMap = (k === "properties" || k === "patternProperties") && x !== null && typeof x === "object" && !Array.isArray(x);
      if (!schema && isSecretName(k) && x !== null && typeof x !== "number" && typeof x !== "boolean" && x !== REDACTED) {
        out[k] = REDACTED;
        changed = true;
      } else out[k] = walk(x, depth + 1, isSchemaMap);
    }
    return out;
  };
  const result = walk(value, 0);
  return { changed, value: result };
}

/** For a string attribute holding JSON: the same JSON with secret-named fields redacted. */
export function redactSecretFieldsInJson(text: string): string {
  const t = text.trimStart();
  if (!(t.startsWith("{") || t.startsWith("[")) || !SECRET_KEY_HINT.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const r = redactJsonFields(parsed);
  return r.changed ? JSON.stringify(r.value) : text;
}

/** Well-known credential shapes that must never be exported even inside free text: [cheap marker, pattern]. */
const KEY_SHAPES: [string, RegExp][] = [
  ["sk-", /\bsk-(?:proj-|ant-(?:api\d\d-|admin\d\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}/g], // OpenAI / Anthropic keys
  ["earer", /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{12,}=*/g], // bearer tokens
  ["AKIA", /\bAKIA[0-9A-Z]{16}\b/g], // AWS access key ids
  ["gh", /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g], // GitHub tokens
  ["xox", /\bxox[abprs]-[A-Za-z0-9-]{10,}/g], // Slack tokens
  ["AIza", /\bAIza[0-9A-Za-z_-]{35}\b/g], // Google API keys
];

const SECRET_ENV = /(^|_)(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|SECRET_KEY|ACCESS_KEY|PRIVATE_KEY|AUTH)$/i;

/** Secret values to look for verbatim: the ingest token, configured header values, credential-named env vars. */
export function knownSecretValues(config: Pick<Config, "token" | "headers">, env: Record<string, string | undefined> = process.env): string[] {
  const values = new Set<string>();
  const add = (v: string | undefined) => {
    if (v && v.length >= 8) values.add(v);
  };
  add(config.token);
  for (const [k, v] of Object.entries(config.headers ?? {})) {
    if (isSecretName(k)) {
      add(v);
      add(v.replace(/^(Bearer|Basic|Token)\s+/i, ""));
    }
  }
  for (const [k, v] of Object.entries(env)) if (SECRET_ENV.test(k)) add(v?.trim());
  return [...values].sort((a, b) => b.length - a.length);
}

/** One scan for what every key shape starts with; nearly all text has none, and the per-shape loop is skipped. */
const KEY_SHAPE_START = /sk-|earer|AKIA|gh[pousr]_|xox[abprs]-|AIza/;

export function redactSecretValues(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  if (!KEY_SHAPE_START.test(out)) return out;
  for (const [marker, re] of KEY_SHAPES) {
    if (!out.includes(marker)) continue;
    re.lastIndex = 0;
    out = out.replace(re, REDACTED);
  }
  return out;
}

/* ---------- base64 media ---------- */

const DATA_URL = /data:([a-z]+\/[a-z0-9.+-]+)((?:;[a-z0-9=.+-]+)*);base64,([A-Za-z0-9+/=\r\n]+)/gi;
/** A bare base64 run (no data: URL) this long or longer is treated as a payload. */
const RAW_BASE64_MIN = 4096;

const isBase64Char = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 47;
/** From lastIndex, to the end of a run (sticky: matched in place, irregexp's native loop). */
const BASE64_RUN = /[A-Za-z0-9+/]*/y;
const HAS_DIGIT = /[0-9]/;
const HAS_UPPER = /[A-Z]/;
const HAS_LOWER = /[a-z]/;

/**
 * Replace every run of at least RAW_BASE64_MIN base64 characters (plus up to two "=") that mixes
 * digits, upper and lower case (long words or hex do not). Linear, and on ordinary text it reads
 * about one character in RAW_BASE64_MIN: a long enough run must cover one of the probed positions,
 * and a probe that lands on a space or punctuation rules out everything up to the next one.
 * (A regex search for the same runs, /[A-Za-z0-9+/]{4096,}/g, restarts at every position of a
 * shorter run: 36 ms for one run of 4,000 letters.)
 */
function replaceRawBase64(text: string): string {
  const n = text.length;
  let out: string | undefined;
  let copied = 0; // text[0, copied) is already in `out`
  let known = 0; // runs ending before this index are settled
  for (let probe = RAW_BASE64_MIN - 1; probe < n; ) {
    if (!isBase64Char(text.charCodeAt(probe))) {
      probe += RAW_BASE64_MIN;
      continue;
    }
    let start = probe;
    while (start > known && isBase64Char(text.charCodeAt(start - 1))) start--;
    BASE64_RUN.lastIndex = probe;
    BASE64_RUN.test(text);
    let end = BASE64_RUN.lastIndex;
    if (end - start >= RAW_BASE64_MIN) {
      const run = text.slice(start, end);
      if (end < n && text.charCodeAt(end) === 61) end++; // "=" padding
      if (end < n && text.charCodeAt(end) === 61) end++;
      if (HAS_DIGIT.test(run) && HAS_UPPER.test(run) && HAS_LOWER.test(run)) {
        out = (out ?? "") + text.slice(copied, start) + `[base64 data omitted: ${end - start} chars]`;
        copied = end;
      }
    }
    known = end;
    // the next run starts at `end` or later (right at it after "=" padding): its first
    // RAW_BASE64_MIN characters include end + RAW_BASE64_MIN - 1
    probe = end + RAW_BASE64_MIN - 1;
  }
  return out === undefined ? text : out + text.slice(copied);
}

/** Base64 media embedded in a longer text (JSON inputs, audio payloads) becomes a short placeholder. */
export function replaceBase64(text: string, maxLength: number): string {
  if (text.length < 256) return text;
  let out = text;
  if (out.includes(";base64,")) {
    DATA_URL.lastIndex = 0;
    out = out.replace(DATA_URL, (whole: string, mime: string, _params: string, data: string) =>
      data.length > Math.min(maxLength, 1024) ? `[base64 ${mime} omitted: ${whole.length} chars]` : whole,
    );
  }
  if (out.length >= RAW_BASE64_MIN) out = replaceRawBase64(out);
  return out;
}

/* ---------- the transform ---------- */

/** Keys whose values are identifiers we set ourselves (kinds, roles, model and provider names): nothing to clean. */
const PLAIN_KEYS = new Set<string>([Attr.SPAN_KIND, Attr.LLM_SYSTEM, Attr.LLM_PROVIDER, Attr.SYSTEM, Attr.MODEL_NAME, Attr.REQUEST_MODEL_NAME, Attr.RESPONSE_MODEL_NAME, Attr.INPUT_MIME_TYPE, Attr.OUTPUT_MIME_TYPE, Attr.FINISH_REASON]);
const ROLE_SUFFIX = `.${Attr.MESSAGE_ROLE}`;
/** The shortest text that can hold a secret we look for (known secret values are at least 8 characters). */
const MIN_SECRET_LENGTH = 8;

function cleanString(s: string, secrets: string[], base64Max: number, imageUrlKey: boolean): string {
  let out = s;
  if (!imageUrlKey) out = replaceBase64(out, base64Max);
  out = redactSecretFieldsInJson(out);
  out = redactSecretValues(out, secrets);
  return out;
}

/** What the transform does with one attribute key, worked out once per key (keys repeat from span to span). */
interface KeyPlan {
  /** OpenInference's masking for this key; "by-value" when it depends on the value (base64 image URLs). */
  mask: "keep" | "redact" | "drop" | "by-value";
  /** The key's last segment names a credential (…api_key, …authorization): string values are redacted. */
  secretName: boolean;
  /** An identifier we set ourselves (kinds, roles, model names): nothing to clean. */
  plain: boolean;
  imageUrl: boolean;
}

function planKey(p: PrivacyConfig, key: string): KeyPlan {
  const inMsg = key.startsWith(INPUT_MESSAGES);
  const imageUrl = key.endsWith(IMAGE_URL);
  const maybeBase64Image = imageUrl && ((inMsg && key.includes(CONTENT_IMAGE)) || within(key, INPUT_IMAGES) || within(key, OUTPUT_IMAGES));
  return {
    mask: maybeBase64Image ? "by-value" : maskAction(p, key, undefined),
    secretName: isSecretName(key.slice(key.lastIndexOf(".") + 1)),
    plain: PLAIN_KEYS.has(key) || key.endsWith(ROLE_SUFFIX),
    imageUrl,
  };
}

export function privacyTransform(config: Config, env: Record<string, string | undefined> = process.env): AttributeTransform {
  const p = config.privacy;
  const secrets = knownSecretValues(config, env);
  const scrub = config.scrub;
  const plans = new Map<string, KeyPlan>();
  const clean = (s: string, plan: KeyPlan) => (s.length < MIN_SECRET_LENGTH ? s : cleanString(s, secrets, p.base64ImageMaxLength, plan.imageUrl));
  return (attributes: Record<string, unknown>, span: ReadableSpan) => {
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      let plan = plans.get(key);
      if (!plan) {
        plan = planKey(p, key);
        if (plans.size < 10_000) plans.set(key, plan);
      }
      const action = plan.mask === "by-value" ? maskAction(p, key, value) : plan.mask;
      if (action === "drop") {
        delete attributes[key];
        continue;
      }
      if (action === "redact") {
        attributes[key] = REDACTED;
        continue;
      }
      if (plan.secretName && (typeof value === "string" || Array.isArray(value))) {
        attributes[key] = REDACTED;
        continue;
      }
      if (plan.plain) continue;
      if (typeof value === "string") {
        const cleaned = clean(value, plan);
        if (cleaned !== value) attributes[key] = cleaned;
      } else if (Array.isArray(value) && value.some((x) => typeof x === "string")) {
        let changed = false;
        const next = value.map((x) => {
          if (typeof x !== "string") return x;
          const c = clean(x, plan);
          if (c !== x) changed = true;
          return c;
        });
        if (changed) attributes[key] = next;
      }
    }
    if (scrub) {
      const info = { name: span?.name, kind: attributes[Attr.SPAN_KIND] as string | undefined };
      for (const key of Object.keys(attributes)) {
        try {
          const next = scrub(key, attributes[key] as ScrubValue, info);
          if (next === undefined) delete attributes[key];
          else if (next !== attributes[key]) attributes[key] = next;
        } catch (err) {
          // fail closed: a value the user's scrubber could not judge is not exported
          attributes[key] = REDACTED;
          internalError("setup({ scrub })", err);
        }
      }
    }
  };
}
