/**
 * Export-time privacy: OpenInference TraceConfig masking (same flags, same env names, hidden
 * values become "__REDACTED__" or are dropped exactly as OpenInference does), secret redaction
 * that is always on, base64 media placeholders, and the user's own scrub function.
 *
 * Secrets never reach a span, in its attributes, name, status message, events (exception
 * message and stack trace), links or resource:
 *  - attributes whose own name looks like a credential (…authorization, …api_key, …token, cookie…);
 *  - fields named like secrets (api_key, apiKey, token, password, secret, authorization, …) inside
 *    JSON text at any depth, inside JSON held in JSON strings (a tool call's arguments in a
 *    response body), and as `"name": "value"` pairs in text that is not JSON;
 *  - the ingest token, configured header values and credential-named env vars (OPENAI_API_KEY, …)
 *    wherever their value appears, plus well-known key shapes (sk-…, Bearer …, AKIA…, ghp_…, JWTs),
 *    secret-named `name=value` assignments and URL passwords.
 */
import type { AttributeValue, Attributes, Link } from "@opentelemetry/api";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";
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

/**
 * Credential field names, compared after lower-casing and dropping separators (`API-Key`,
 * `api_key` and `apiKey` are one name), matched as the end of a name (`openai_api_key`,
 * `x-amz-security-token`, `aws_secret_access_key`). From real conventions: HTTP headers
 * (authorization, cookie, x-api-key, api-key, ocp-apim-subscription-key), OAuth and OIDC
 * (access_token, refresh_token, id_token, client_secret, client_assertion, code_verifier), JWT,
 * cloud SDKs (AWS secret_access_key / session_token, Azure AccountKey / SharedAccessKey /
 * connection strings, GCP service-account private_key), databases (password, passwd, pwd,
 * passphrase) and the plural forms apps use for lists of them. Not here: `key` and `tokens`
 * alone (lookup keys, token counts and token lists), `pass`, `pin`, `signature`.
 */
const SECRET_SUFFIXES = [
  "apikey",
  "apikeys",
  "token",
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "secret",
  "secrets",
  "secretkey",
  "privatekey",
  "accesskey",
  "accountkey",
  "subscriptionkey",
  "signingkey",
  "encryptionkey",
  "masterkey",
  "sessionkey",
  "authorization",
  "auth",
  "cookie",
  "cookies",
  "credential",
  "credentials",
  "connectionstring",
  "jwt",
  "clientassertion",
  "codeverifier",
];
/** Too short or too common to match as an ending; a credential only as the whole name. */
const SECRET_EXACT = new Set(["pwd"]);
const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");
/** The last three letters or digits of every secret name, lower-cased, as one number: most keys are ruled out by these alone. */
const endingCode = (a: number, b: number, c: number) => (a << 16) | (b << 8) | c;
const SECRET_ENDINGS = new Set([...SECRET_SUFFIXES, ...SECRET_EXACT].map((s) => endingCode(s.charCodeAt(s.length - 3), s.charCodeAt(s.length - 2), s.charCodeAt(s.length - 1))));

const nameCache = new Map<string, boolean>();
/** True for names like api_key, apiKey, x-api-key, Authorization, access_token, password, client_secret. */
export function isSecretName(name: string): boolean {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const n = norm(name);
  const result = !!n && (SECRET_EXACT.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s)));
  if (nameCache.size < 10_000) nameCache.set(name, result);
  return result;
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

/** Do the last three letters or digits before `end` end a secret name (see SECRET_ENDINGS)? Allocates nothing. */
function endsLikeSecretName(text: string, end: number): boolean {
  let code = 0;
  let found = 0;
  for (let i = end - 1; i >= 0 && end - i <= 16 && found < 3; i--) {
    const c = text.charCodeAt(i);
    const lower = c >= 65 && c <= 90 ? c + 32 : c;
    if ((lower >= 97 && lower <= 122) || (c >= 48 && c <= 57)) code |= lower << (8 * found++);
    else if (c === 34 || c === 39) break; // the key's opening quote
  }
  return found === 3 && SECRET_ENDINGS.has(code);
}

/**
 * A cheap pre-check before any parsing: is there a quoted key named like a secret followed by a
 * colon? It also sees keys of JSON held in JSON strings, whatever the escaping (`\"password\":`,
 * `\\\"token\\\":`) and single-quoted ones (`'api_key':`). A scan from each colon back to its key
 * (bounded, and names repeat, so isSecretName answers from its cache): usage fields such as
 * `"prompt_tokens":` are not secret names, so ordinary request and response bodies are never parsed.
 */
function hasSecretKey(text: string): boolean {
  for (let colon = text.indexOf(":"); colon !== -1; colon = text.indexOf(":", colon + 1)) {
    let close = colon - 1;
    while (isSpace(text[close])) close--;
    const quote = text[close];
    if (quote !== '"' && quote !== "'") continue;
    let end = close;
    while (text[end - 1] === "\\") end--;
    if (!endsLikeSecretName(text, end)) continue;
    let open = end - 1;
    while (open >= 0 && end - open <= 128 && text[open] !== quote && text[open] !== "\n") open--;
    if (open < 0 || text[open] !== quote) continue;
    if (open + 1 < end && isSecretName(text.slice(open + 1, end))) return true;
  }
  return false;
}

/** Structural depth walked in a JSON value; a deeper part that may hold a secret is redacted whole. */
const MAX_JSON_DEPTH = 64;
/** JSON held in a string of JSON held in a string …: levels unwrapped; deeper text that may hold a secret is redacted whole. */
const MAX_EMBEDDED_JSON = 8;

/** A secret-named field's value is redacted unless it is a number, boolean or null (counts, flags). */
const isRedactableValue = (x: unknown) => x !== null && typeof x !== "number" && typeof x !== "boolean" && x !== REDACTED;

/** Could this subtree (too deep to walk) hold a secret-named field? Unserializable counts as yes. */
function mayHoldSecretField(v: unknown): boolean {
  try {
    return hasSecretKey(JSON.stringify(v) ?? "");
  } catch {
    return true;
  }
}

/**
 * Redact secret-named fields anywhere in a parsed JSON value, and inside JSON (or text) held in its
 * strings. Returns the same reference when nothing changed.
 */
function redactJsonValue(v: unknown, depth: number, embedded: number, schema = false): unknown {
  if (typeof v === "string") return redactFieldsInText(v, embedded + 1);
  if (v === null || typeof v !== "object") return v;
  if (depth > MAX_JSON_DEPTH) return mayHoldSecretField(v) ? REDACTED : v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = redactJsonValue(v[i], depth + 1, embedded);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    // `schema`: a JSON Schema "properties" map, whose keys name fields rather than hold values
    let next: unknown;
    if (!schema && isSecretName(k) && isRedactableValue(x)) next = REDACTED;
    else {
      const isSchemaMap = (k === "properties" || k === "patternProperties") && x !== null && typeof x === "object" && !Array.isArray(x);
      next = redactJsonValue(x, depth + 1, embedded, isSchemaMap);
    }
    if (next !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = next;
  }
  return out ?? v;
}

/**
 * `"name": "value"` pairs in text that is not JSON as a whole (prose around a JSON fragment, cut or
 * broken JSON, a stack trace quoting a request body), at any escape level: the key's quote and the
 * value's quotes carry the same run of backslashes. A value ends at the first such quote not
 * preceded by another backslash, so an odd value ending in an escaped backslash is redacted
 * further than it runs, never less. Values that are not strings (numbers, objects) are left.
 */
const SECRET_PAIR = /(?<!\\)(\\*)(["'])([^"'\\\n]{1,128})\1\2(\s*:\s*)\1\2[\s\S]*?(?<!\\)\1\2/g;

function redactPairs(text: string): string {
  SECRET_PAIR.lastIndex = 0;
  return text.replace(SECRET_PAIR, (whole, slashes: string, quote: string, name: string, colon: string) =>
    isSecretName(name) ? `${slashes}${quote}${name}${slashes}${quote}${colon}${slashes}${quote}${REDACTED}${slashes}${quote}` : whole,
  );
}

/** Text that may hold secret-named fields: parsed as JSON when it is JSON, else searched for pairs. */
function redactFieldsInText(text: string, embedded: number): string {
  if (text.length < 8 || !hasSecretKey(text)) return text;
  if (embedded > MAX_EMBEDDED_JSON) return REDACTED;
  const t = text.trimStart();
  if (t.startsWith("{") || t.startsWith("[") || t.startsWith('"')) {
    let parsed: unknown;
    let isJson = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      isJson = false;
    }
    if (isJson) {
      const r = redactJsonValue(parsed, 0, embedded);
      return r === parsed ? text : JSON.stringify(r);
    }
  }
  return redactPairs(text);
}

/**
 * The same text with secret-named fields redacted: in a JSON value at any depth, in JSON held in its
 * strings (a tool call's arguments inside a response body, a tool result inside the next request),
 * and in `"name": "value"` pairs of text that is not JSON. Unchanged text is returned as is.
 */
export function redactSecretFieldsInJson(text: string): string {
  return redactFieldsInText(text, 0);
}

/** Well-known credential shapes that must never be exported even inside free text: [cheap marker, pattern]. */
const KEY_SHAPES: [string | RegExp, RegExp][] = [
  ["sk-", /\bsk-(?:proj-|ant-(?:api\d\d-|admin\d\d-)?|svcacct-)?[A-Za-z0-9_-]{20,}/g], // OpenAI / Anthropic keys
  [/earer|EARER/, /\bbearer\s+[A-Za-z0-9._~+/-]{12,}=*/gi], // bearer tokens, however the scheme is cased
  ["AKIA", /\bAKIA[0-9A-Z]{16}\b/g], // AWS access key ids
  ["gh", /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g], // GitHub tokens
  ["xox", /\bxox[abprs]-[A-Za-z0-9-]{10,}/g], // Slack tokens
  ["AIza", /\bAIza[0-9A-Za-z_-]{35}\b/g], // Google API keys
  ["eyJ", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g], // JWTs (header and payload are base64url JSON)
];

const NAME_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_END = /[\s&;,"'<>]/;
const USERINFO_END = /[\s/?#"'<>]/;

/**
 * `name=value` where the name is a credential's: query strings, connection strings and env dumps
 * (`?api_key=…&`, `Password=…;`, `OPENAI_API_KEY=…`). A scan from each "=" (linear; a regex
 * anchored on the name would retry at every word of the text).
 */
function redactSecretAssignments(text: string): string {
  let out = "";
  let copied = 0;
  for (let eq = text.indexOf("="); eq !== -1; eq = text.indexOf("=", eq + 1)) {
    let start = eq;
    while (start > 0 && eq - start < 64 && NAME_CHAR.test(text[start - 1]!)) start--;
    if (start === eq || !isSecretName(text.slice(start, eq))) continue;
    let end = eq + 1;
    while (end < text.length && !VALUE_END.test(text[end]!)) end++;
    if (end === eq + 1 || text.startsWith(REDACTED, eq + 1)) continue;
    out += text.slice(copied, eq + 1) + REDACTED;
    copied = end;
    eq = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The password in a URL's userinfo (`postgres://app:<password>@db`), or a token given as its user name. */
function redactUrlPasswords(text: string): string {
  let out = "";
  let copied = 0;
  for (let at = text.indexOf("://"); at !== -1; at = text.indexOf("://", at + 3)) {
    const from = at + 3;
    let end = from;
    while (end < text.length && !USERINFO_END.test(text[end]!) && text[end] !== "@") end++;
    if (text[end] !== "@") continue;
    const colon = text.indexOf(":", from);
    // user:password, or a lone user part long enough to be a token (`https://<token>@github.com`)
    const secretFrom = colon !== -1 && colon < end ? colon + 1 : end - from >= 20 ? from : end;
    if (secretFrom >= end || text.startsWith(REDACTED, secretFrom)) continue;
    out += text.slice(copied, secretFrom) + REDACTED;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

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
const KEY_SHAPE_START = /sk-|earer|EARER|AKIA|gh[pousr]_|xox[abprs]-|AIza|eyJ/;

/**
 * Known secret values, credential shapes, secret-named `name=value` assignments and URL passwords,
 * wherever they appear in a text.
 */
export function redactSecretValues(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  if (KEY_SHAPE_START.test(out)) {
    for (const [marker, re] of KEY_SHAPES) {
      if (typeof marker === "string" ? !out.includes(marker) : !marker.test(out)) continue;
      re.lastIndex = 0;
      out = out.replace(re, REDACTED);
    }
  }
  if (out.includes("://")) out = redactUrlPasswords(out);
  if (out.includes("=")) out = redactSecretAssignments(out);
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

/** A string, or the strings of an array, cleaned; the same value when nothing changed. Fails closed. */
function cleanValue(value: unknown, clean: (s: string) => string): unknown {
  try {
    if (typeof value === "string") return clean(value);
    if (!Array.isArray(value) || !value.some((x) => typeof x === "string")) return value;
    let next: unknown[] | undefined;
    value.forEach((x, i) => {
      if (typeof x !== "string") return;
      const c = clean(x);
      if (c !== x) (next ??= value.slice())[i] = c;
    });
    return next ?? value;
  } catch (err) {
    internalError("privacy.clean", err);
    return REDACTED;
  }
}

/**
 * The attributes of an event, a link or the resource: secret-named keys redacted, every string
 * cleaned (the hide flags are about span attributes and do not apply). The same object when nothing changed.
 */
function cleanOtherAttributes(attributes: Attributes | undefined, clean: (s: string) => string): Attributes | undefined {
  if (!attributes) return attributes;
  let out: Attributes | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    const secret = isSecretName(key.slice(key.lastIndexOf(".") + 1)) && (typeof value === "string" || Array.isArray(value));
    const next = secret ? REDACTED : cleanValue(value, clean);
    if (next !== value) (out ??= { ...attributes })[key] = next as AttributeValue;
  }
  return out ?? attributes;
}

type Resource = ReadableSpan["resource"];
type MutableSpan = { -readonly [K in "name" | "status" | "resource"]: ReadableSpan[K] } & { events: TimedEvent[]; links: Link[] };

/**
 * Everything else of a span that reaches an exporter or the console: its name, status message,
 * events (exception.message and exception.stacktrace among them), links' attributes and the
 * resource's attributes (cleaned once per resource: `resources` keeps the cleaned copy, whose
 * prototype is the original so the SDK's own methods still work on it).
 */
function cleanSpanText(span: ReadableSpan, clean: (s: string) => string, resources: WeakMap<Resource, Resource>): void {
  const s = span as unknown as MutableSpan;
  if (typeof s.name === "string") s.name = cleanValue(s.name, clean) as string;
  if (s.status?.message) {
    const message = cleanValue(s.status.message, clean) as string;
    if (message !== s.status.message) s.status = { ...s.status, message };
  }
  s.events?.forEach((e, i) => {
    const name = cleanValue(e.name, clean) as string;
    const attributes = cleanOtherAttributes(e.attributes, clean);
    if (name !== e.name || attributes !== e.attributes) s.events[i] = { ...e, name, attributes };
  });
  s.links?.forEach((l, i) => {
    const attributes = cleanOtherAttributes(l.attributes, clean);
    if (attributes !== l.attributes) s.links[i] = { ...l, attributes };
  });
  const resource = s.resource;
  if (resource && typeof resource === "object") {
    let cleaned = resources.get(resource);
    if (!cleaned) {
      const attributes = cleanOtherAttributes(resource.attributes, clean);
      cleaned = attributes === resource.attributes ? resource : (Object.create(resource, { attributes: { value: attributes, enumerable: true } }) as Resource);
      resources.set(resource, cleaned);
      resources.set(cleaned, cleaned);
    }
    if (cleaned !== resource) s.resource = cleaned;
  }
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
  const resources = new WeakMap<Resource, Resource>();
  const cleanText = (s: string) => (s.length < MIN_SECRET_LENGTH ? s : cleanString(s, secrets, p.base64ImageMaxLength, false));
  // an image URL's base64 data is judged by the masking rules (base64ImageMaxLength), not shortened here
  const cleanImageUrl = (s: string) => (s.length < MIN_SECRET_LENGTH ? s : cleanString(s, secrets, p.base64ImageMaxLength, true));
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
      const cleaned = cleanValue(value, plan.imageUrl ? cleanImageUrl : cleanText);
      if (cleaned !== value) attributes[key] = cleaned;
    }
    if (span) cleanSpanText(span, cleanText, resources);
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
