/**
 * Privacy transforms as pure functions: parity with OpenInference's own masking rules (the
 * reference implementation, loaded from the installed @arizeai/openinference-core), secret
 * redaction, base64 placeholders, the user's scrub function, and the env/option precedence.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig, resolvePrivacy, type PrivacyConfig } from "../../src/config";
import {
  REDACTED,
  isSecretName,
  knownSecretValues,
  maskAction,
  privacyTransform,
  redactSecretFieldsInJson,
  redactSecretValues,
  replaceBase64,
} from "../../src/transforms/privacy";
import { ROOT } from "../helpers/run";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const oi = require(path.join(ROOT, "node_modules/@arizeai/openinference-core/dist/src/trace/trace-config/maskingRules.js")) as {
  mask(p: { config: Record<string, unknown>; key: string; value: unknown }): unknown;
};

const FLAGS = [
  "hideInputs",
  "hideOutputs",
  "hideInputMessages",
  "hideOutputMessages",
  "hideInputImages",
  "hideInputText",
  "hideOutputText",
  "hideEmbeddingVectors",
  "hideLLMTools",
] as const;

const base = (): PrivacyConfig => ({
  hideInputs: false,
  hideOutputs: false,
  hideInputMessages: false,
  hideOutputMessages: false,
  hideInputImages: false,
  hideInputText: false,
  hideOutputText: false,
  hideEmbeddingVectors: false,
  hideLLMTools: false,
  hidePrompts: false,
  hideInvocationParameters: false,
  base64ImageMaxLength: 32000,
});

const longImage = "data:image/png;base64," + "A".repeat(40_000);
const SAMPLE: [string, unknown][] = [
  ["input.value", '{"q":1}'],
  ["input.mime_type", "application/json"],
  ["output.value", "answer"],
  ["output.mime_type", "text/plain"],
  ["llm.input_messages.0.message.role", "user"],
  ["llm.input_messages.0.message.content", "hello"],
  ["llm.input_messages.1.message.contents.0.message_content.type", "text"],
  ["llm.input_messages.1.message.contents.0.message_content.text", "look at this"],
  ["llm.input_messages.1.message.contents.1.message_content.image.image.url", "https://example.com/a.png"],
  ["llm.input_messages.1.message.contents.2.message_content.image.image.url", longImage],
  ["llm.output_messages.0.message.role", "assistant"],
  ["llm.output_messages.0.message.content", "hi"],
  ["llm.output_messages.0.message.contents.0.message_content.text", "hi again"],
  ["llm.tools.0.tool.json_schema", '{"type":"function"}'],
  ["embedding.embeddings.0.embedding.vector", [0.1, 0.2]],
  ["embedding.embeddings.0.embedding.text", "some text"],
  ["llm.model_name", "gpt-4o-mini"],
  ["llm.token_count.total", 12],
];

function oiAction(config: PrivacyConfig, key: string, value: unknown): "keep" | "redact" | "drop" {
  const out = oi.mask({ config: config as any, key, value });
  if (out === undefined) return "drop";
  if (out === REDACTED && value !== REDACTED) return "redact";
  return "keep";
}

describe("OpenInference masking parity", () => {
  it("every flag alone, and all together, treats every sample key as OpenInference does", () => {
    const configs: PrivacyConfig[] = [base()];
    for (const f of FLAGS) configs.push({ ...base(), [f]: true });
    configs.push(Object.fromEntries(Object.entries(base()).map(([k, v]) => [k, typeof v === "boolean" ? true : v])) as PrivacyConfig);
    configs.push({ ...base(), base64ImageMaxLength: 10 });
    let compared = 0;
    for (const c of configs) {
      for (const [key, value] of SAMPLE) {
        expect([JSON.stringify(c), key, maskAction(c, key, value)]).toEqual([JSON.stringify(c), key, oiAction(c, key, value)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it("reads OPENINFERENCE_* names, and CATALYST_* / options win over them", () => {
    const env = { OPENINFERENCE_HIDE_INPUTS: "true", OPENINFERENCE_HIDE_LLM_TOOLS: "true", OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH: "100", CATALYST_HIDE_LLM_TOOLS: "false" };
    const p = resolvePrivacy({ hideOutputs: true }, env);
    expect(p).toMatchObject({ hideInputs: true, hideOutputs: true, hideLLMTools: false, base64ImageMaxLength: 100, hideInputText: false });
    const cfg = resolveConfig({ privacy: { hideInputs: false } }, { OPENINFERENCE_HIDE_INPUTS: "true" });
    expect(cfg.privacy.hideInputs).toBe(false);
  });
});

describe("secrets", () => {
  it("recognises credential names but not token counts", () => {
    for (const n of ["api_key", "apiKey", "x-api-key", "Authorization", "token", "access_token", "password", "client_secret", "secret", "Cookie", "proxy-authorization"]) {
      expect([n, isSecretName(n)]).toEqual([n, true]);
    }
    for (const n of ["max_tokens", "max_completion_tokens", "tokens", "model", "temperature", "prompt", "total", "tokenizer", "user"]) {
      expect([n, isSecretName(n)]).toEqual([n, false]);
    }
  });

  it("redacts secret-named fields at any depth of a JSON attribute, keeping numbers like max_tokens", () => {
    const params = JSON.stringify({
      model: "gpt-4o",
      max_tokens: 100,
      api_key: "sk-live-123",
      headers: { Authorization: "Bearer abc", "x-trace": "1" },
      nested: [{ password: "hunter2", token: "t0k", apiKey: "k" }],
      secret: { anything: 1 },
    });
    const out = JSON.parse(redactSecretFieldsInJson(params));
    expect(out).toEqual({
      model: "gpt-4o",
      max_tokens: 100,
      api_key: REDACTED,
      headers: { Authorization: REDACTED, "x-trace": "1" },
      nested: [{ password: REDACTED, token: REDACTED, apiKey: REDACTED }],
      secret: REDACTED,
    });
    // not JSON, or no secret-like names: untouched (same string)
    const plain = '{"model":"gpt-4o","max_tokens":5}';
    expect(redactSecretFieldsInJson(plain)).toBe(plain);
    expect(redactSecretFieldsInJson("my password is long")).toBe("my password is long");
  });

  it("finds secret-named keys however the JSON is spaced or cased, and leaves usage fields alone", () => {
    // hand-written JSON (spaces before the colon, upper case, a trailing underscore) is still caught
    const spaced = '{ "X-API-KEY" : "abc", "Client_Secret":"s", "refresh_token_" : "r", "n": {"Cookie" :"c"} }';
    expect(JSON.parse(redactSecretFieldsInJson(spaced))).toEqual({ "X-API-KEY": REDACTED, Client_Secret: REDACTED, refresh_token_: REDACTED, n: { Cookie: REDACTED } });
    // usage counts and values that merely mention a secret word are not fields named like secrets
    const usage = JSON.stringify({ usage: { prompt_tokens: 3, completion_tokens_details: { reasoning_tokens: 0 } }, text: 'the "token": is a word here' });
    expect(redactSecretFieldsInJson(usage)).toBe(usage);
  });

  it("removes known secret values and key shapes from every string attribute", () => {
    const env = { OPENAI_API_KEY: "sk-abcdefghijklmnopqrstuvwxyz0123", MY_SERVICE_TOKEN: "tok-9876543210", HOME: "/root" };
    const config = resolveConfig({ token: "ingest-token-xyz-1", headers: { "x-api-key": "header-secret-1" } }, {});
    expect(knownSecretValues(config, env)).toEqual(expect.arrayContaining(["ingest-token-xyz-1", "header-secret-1", "tok-9876543210"]));
    const t = privacyTransform(config, env);
    const attrs: Record<string, unknown> = {
      "input.value": "use key sk-abcdefghijklmnopqrstuvwxyz0123 and tok-9876543210",
      "output.value": "sent Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig to the server",
      "llm.invocation_parameters": JSON.stringify({ model: "m", apiKey: "whatever", max_tokens: 3 }),
      "http.request.header.authorization": "Basic Zm9vOmJhcg==",
      "tool.parameters": JSON.stringify({ properties: { password: { type: "string" } } }),
      metadata: JSON.stringify({ note: "anthropic key sk-ant-api03-abcdefghijklmnopqrstuvwxyz" }),
      "llm.token_count.total": 9,
      tags: ["ingest-token-xyz-1", "ok"],
    };
    t(attrs, { name: "x" } as any);
    expect(attrs["input.value"]).toBe(`use key ${REDACTED} and ${REDACTED}`);
    expect(attrs["output.value"]).toBe(`sent ${REDACTED} to the server`);
    expect(JSON.parse(attrs["llm.invocation_parameters"] as string)).toEqual({ model: "m", apiKey: REDACTED, max_tokens: 3 });
    expect(attrs["http.request.header.authorization"]).toBe(REDACTED);
    // a JSON schema that describes a password field is not a secret: left as it is
    expect(JSON.parse(attrs["tool.parameters"] as string)).toEqual({ properties: { password: { type: "string" } } });
    expect(attrs.metadata).not.toContain("sk-ant");
    expect(attrs["llm.token_count.total"]).toBe(9);
    expect(attrs.tags).toEqual([REDACTED, "ok"]);
  });
});

describe("credential names and shapes, JSON inside JSON, deep JSON", () => {
  it("names from real credential conventions are secret; ordinary words and token counts are not", () => {
    const secret = [
      // the list
      "secrets", "api_keys", "pwd", "PWD", "passphrase", "auth",
      // OAuth / OIDC / JWT
      "access_token", "refresh_token", "id_token", "client_secret", "client_assertion", "code_verifier", "jwt", "oauth",
      // cloud SDKs
      "aws_secret_access_key", "SecretAccessKey", "AWS_SESSION_TOKEN", "x-amz-security-token", "AccountKey", "SharedAccessKey",
      "Ocp-Apim-Subscription-Key", "x-goog-api-key", "api-key", "private_key", "connection_string", "ConnectionString",
      // common API conventions
      "X-API-KEY", "basic_auth", "set-cookie", "cookies", "proxy-authorization", "webhook_secret", "signing_key", "passwd", "db_password", "credentials",
    ];
    for (const n of secret) expect([n, isSecretName(n)]).toEqual([n, true]);
    const ordinary = [
      "author", "authority", "authors", "authorized", "tokens", "max_tokens", "prompt_tokens", "completion_tokens", "token_count",
      "tokenizer", "token_type", "key", "keys", "monkey", "keyboard", "passage", "password_policy", "secretary", "private_key_id", "session_id",
    ];
    for (const n of ordinary) expect([n, isSecretName(n)]).toEqual([n, false]);
    // attributes: token counts stay, a credential-named attribute goes
    const attrs: Record<string, unknown> = { "llm.token_count.prompt": 7, "llm.invocation_parameters": '{"max_tokens":5,"secrets":["a1b2c3d4"]}', "db.passphrase": "horse-staple" };
    privacyTransform(resolveConfig({}, {}), {})(attrs, undefined as any);
    expect(attrs).toEqual({ "llm.token_count.prompt": 7, "llm.invocation_parameters": `{"max_tokens":5,"secrets":"${REDACTED}"}`, "db.passphrase": REDACTED });
  });

  it("upper-case BEARER, bare JWTs, URL passwords and secret-named assignments in free text", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJl";
    const cases: [string, string][] = [
      ["Authorization: BEARER abcdefghijklmnop123", `Authorization: ${REDACTED}`],
      [`token was ${jwt} then`, `token was ${REDACTED} then`],
      ["connect postgres://app:hunter2-secret@db.internal:5432/app", `connect postgres://app:${REDACTED}@db.internal:5432/app`],
      ["clone https://ghp0123456789abcdefghij@github.com/o/r", `clone https://${REDACTED}@github.com/o/r`],
      ["GET /v1/items?api_key=abc123def456&page=2", `GET /v1/items?api_key=${REDACTED}&page=2`],
      ["AccountName=acct;AccountKey=c2VjcmV0a2V5;EndpointSuffix=core", `AccountName=acct;AccountKey=${REDACTED};EndpointSuffix=core`],
      ["OPENAI_API_KEY=not-a-known-shape-123 node app.js", `OPENAI_API_KEY=${REDACTED} node app.js`],
    ];
    for (const [text, expected] of cases) expect(redactSecretValues(text, [])).toBe(expected);
    // ordinary text with "=", URLs and a short user name is left alone
    for (const text of ["x = y and max_tokens=100, temperature=0.2", "see https://example.com/a?b=c#d", "ssh://git@github.com/o/r", "a bearer of news"]) {
      expect(redactSecretValues(text, [])).toBe(text);
    }
  });

  it("reaches JSON held in JSON strings at every escape level, and pairs in text that is not JSON", () => {
    const args = JSON.stringify({ username: "ada", password: "pw-1", client_secret: "cs-1" });
    const body = JSON.stringify({ choices: [{ message: { tool_calls: [{ function: { name: "login", arguments: args } }] } }], usage: { total_tokens: 9 } });
    const parsed = JSON.parse(redactSecretFieldsInJson(body));
    expect(JSON.parse(parsed.choices[0].message.tool_calls[0].function.arguments)).toEqual({ username: "ada", password: REDACTED, client_secret: REDACTED });
    expect(parsed.usage.total_tokens).toBe(9);
    // three levels: a tool result (JSON) quoted in a message (JSON) inside a request body (JSON)
    const three = JSON.stringify({ input: JSON.stringify({ messages: [{ content: JSON.stringify({ refresh_token: "rt-1", n: 1 }) }] }) });
    expect(redactSecretFieldsInJson(three)).not.toContain("rt-1");
    expect(JSON.parse(JSON.parse(JSON.parse(redactSecretFieldsInJson(three)).input).messages[0].content)).toEqual({ refresh_token: REDACTED, n: 1 });
    // text that is not JSON: prose around JSON, escaped JSON in a log line, single quotes, cut JSON
    const prose: [string, string][] = [
      ['the tool said {"session_token": "st-1", "ok": true}', `the tool said {"session_token": "${REDACTED}", "ok": true}`],
      ['body={\\"password\\":\\"pw-\\\\\\"2\\",\\"user\\":\\"ada\\"}', `body={\\"password\\":\\"${REDACTED}\\",\\"user\\":\\"ada\\"}`],
      ["payload {'api_key': 'ak-3', 'model': 'm'}", `payload {'api_key': '${REDACTED}', 'model': 'm'}`],
      ['{"model":"m","token":"tk-4","messages":[{"content":"cut her', `{"model":"m","token":"${REDACTED}","messages":[{"content":"cut her`],
    ];
    for (const [text, expected] of prose) expect(redactSecretFieldsInJson(text)).toBe(expected);
  });

  it("JSON nested deeper than 32 levels loses its secret, however deep (40, 200, 100,000 levels)", () => {
    const nest = (depth: number) => "{\"a\":".repeat(depth) + '{"password":"deep-secret-1","n":1}' + "}".repeat(depth);
    for (const depth of [40, 200, 100_000]) {
      const text = nest(depth);
      const out = redactSecretFieldsInJson(text);
      expect(out.includes("deep-secret-1"), `depth ${depth}`).toBe(false);
      expect(() => JSON.parse(out)).not.toThrow();
    }
    // within the walked depth only the field goes
    expect(redactSecretFieldsInJson(nest(40))).toBe(nest(40).replace("deep-secret-1", REDACTED));
  });
});

describe("base64 media and the user's scrub function", () => {
  it("replaces embedded base64 images and audio with a short placeholder, keeping JSON valid", () => {
    const img = "data:image/jpeg;base64," + "QUJD".repeat(5000);
    const json = JSON.stringify({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: img } }] }] });
    const out = replaceBase64(json, 32000);
    expect(out.length).toBeLessThan(300);
    expect(JSON.parse(out).messages[0].content[0].image_url.url).toMatch(/^\[base64 image\/jpeg omitted: \d+ chars\]$/);
    const audio = JSON.stringify({ audio: { data: "UklGR".repeat(2000) + "Abc123" } });
    expect(JSON.parse(replaceBase64(audio, 32000)).audio.data).toMatch(/^\[base64 data omitted/);
    // ordinary long prose is left alone
    const prose = "word ".repeat(2000);
    expect(replaceBase64(prose, 32000)).toBe(prose);
  });

  it("finds long raw base64 runs exactly where a regex scan for them does, in one linear pass", () => {
    // the rule, as a regex (the implementation scans instead: the regex is quadratic on shorter runs)
    const byRegex = (text: string) =>
      text.replace(/[A-Za-z0-9+/]{4096,}={0,2}/g, (run) =>
        /[0-9]/.test(run) && /[A-Z]/.test(run) && /[a-z]/.test(run) ? `[base64 data omitted: ${run.length} chars]` : run,
      );
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T,>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const alphabets = ["abcxyz", "ABCXYZ", "abcXYZ", "aZ09+/", "0123456789", "Ab1"];
    const run = (length: number) => {
      const chars = pick(alphabets);
      let r = "";
      for (let i = 0; i < length; i++) r += chars[Math.floor(random() * chars.length)];
      return r;
    };
    let replaced = 0;
    for (let c = 0; c < 100; c++) {
      let text = "";
      const parts = 1 + Math.floor(random() * 5);
      for (let p = 0; p < parts; p++) {
        text += run(pick([1, 9, 80, 700, 4095, 4096, 4097, 4099, 5000, 8200, 12000]));
        text += pick([" ", "=", "==", "===", '"', ",", "\n", "", "é"]);
      }
      const expected = byRegex(text);
      expect(replaceBase64(text, 1_000_000)).toBe(expected);
      if (expected !== text) replaced++;
    }
    expect(replaced).toBeGreaterThan(20); // the cases did exercise replacement
    // a run just under the limit costs one pass, not one pass per position
    const near = "a".repeat(4000) + " " + "b c ".repeat(1200);
    expect(replaceBase64(near, 1_000_000)).toBe(near);
  });

  it("runs the scrub function on every attribute: replace, drop, keep; a throwing scrubber fails closed", () => {
    const config = resolveConfig(
      {
        scrub: (key, value) => {
          if (key === "user.id") return undefined;
          if (typeof value === "string" && value.includes("@")) return value.replace(/\S+@\S+/g, "<email>");
          if (key === "boom") throw new Error("scrubber bug");
          return value;
        },
      },
      {},
    );
    const attrs: Record<string, unknown> = { "input.value": "mail me at a@b.co", "user.id": "u1", boom: "x", "llm.model_name": "m" };
    privacyTransform(config, {})(attrs, { name: "s" } as any);
    expect(attrs).toEqual({ "input.value": "mail me at <email>", boom: REDACTED, "llm.model_name": "m" });
  });
});
