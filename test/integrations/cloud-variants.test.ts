/**
 * The cloud variants of the clients we trace, in process, against local mocks that speak each
 * cloud's URL shapes: `AzureOpenAI` (openai 7 and 5; /openai/deployments/<d>/chat/completions?api-version=…),
 * `AnthropicBedrock` (@anthropic-ai/bedrock-sdk 1.2 on @anthropic-ai/sdk 1.16, and 0.21.2;
 * /model/<id>/invoke, AWS event streams) and `AnthropicVertex` (@anthropic-ai/vertex-sdk 1.1 and 0.11.3;
 * …/publishers/anthropic/models/<m>:rawPredict). Every mock runs on 127.0.0.1: `llm.provider` must come
 * from the client, not the host. Credentials are static (AWS keys, a Google access token that
 * google-auth-library hands out without a network call) and never recorded.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI7, { AzureOpenAI as AzureOpenAI7 } from "openai";
import OpenAI5, { AzureOpenAI as AzureOpenAI5 } from "openai-v5";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import { GoogleAuth, OAuth2Client } from "google-auth-library";
import { startTracing, llmSpans as llm, type Tracing } from "./openai/tracing";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";
// @ts-expect-error plain ESM fixture without types
import { startMockBedrock } from "../../fixtures/mock-providers/bedrock.mjs";

const require = createRequire(import.meta.url);
const { AnthropicBedrock: AnthropicBedrock0 } = require("anthropic-bedrock-sdk-v0");
const { AnthropicVertex: AnthropicVertex0 } = require("anthropic-vertex-sdk-v0");
// the 0.x clients carry their own copies of @anthropic-ai/sdk and google-auth-library
const fromBedrock0 = createRequire(require.resolve("anthropic-bedrock-sdk-v0"));
const fromVertex0 = createRequire(require.resolve("anthropic-vertex-sdk-v0"));

let openaiMock: any;
let anthropicMock: any;
let bedrockMock: any;
let t: Tracing;

beforeAll(async () => {
  [openaiMock, anthropicMock, bedrockMock] = await Promise.all([startMockOpenAI(), startMockAnthropic(), startMockBedrock()]);
  t = await startTracing({ openai: OpenAI7, anthropic: Anthropic });
  const { instrumentOpenAI } = await import("../../dist/subpaths/openai.js");
  const { instrumentAnthropic } = await import("../../dist/subpaths/anthropic.js");
  instrumentOpenAI(OpenAI5);
  instrumentAnthropic(fromBedrock0("@anthropic-ai/sdk/client"));
  instrumentAnthropic(fromVertex0("@anthropic-ai/sdk/client"));
});
afterAll(async () => {
  await t?.close();
  await Promise.all([openaiMock?.close(), anthropicMock?.close(), bedrockMock?.close()]);
});

const SECRETS = ["azure-key-secret", "bedrock-secret-key", "ya29.vertex-token", "AWS4-HMAC-SHA256"];
const noSecrets = (spans: ReceivedSpan[]) => {
  const text = JSON.stringify(spans);
  for (const s of SECRETS) expect(text).not.toContain(s);
};

describe.each([
  ["openai 7", AzureOpenAI7],
  ["openai 5", AzureOpenAI5],
] as const)("AzureOpenAI, %s", (_name, AzureOpenAI: any) => {
  it("provider azure on a local host, deployment and API version, the served model; Azure's URL shape", async () => {
    let r: any;
    const spans = await t.spansAfter(async () => {
      const az = new AzureOpenAI({ endpoint: openaiMock.url, apiKey: "azure-key-secret", apiVersion: "2024-10-21", deployment: "prod-chat" });
      r = await az.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello azure" }] });
    });
    expect(openaiMock.requests.at(-1).url).toBe("/openai/deployments/prod-chat/chat/completions?api-version=2024-10-21");
    expect(r.choices[0].message.content).toBe("Echo: hello azure");
    expect(llm(spans)[0]!.attributes).toMatchObject({
      "llm.provider": "azure",
      "llm.system": "openai",
      "llm.model_name": r.model,
      "azure.openai.deployment": "prod-chat",
      "azure.openai.api_version": "2024-10-21",
    });
    noSecrets(spans);
  });

  it("without a deployment option the request's model is the deployment; streams and embeddings too", async () => {
    const spans = await t.spansAfter(async () => {
      const az = new AzureOpenAI({ baseURL: `${openaiMock.url}/openai`, apiKey: "azure-key-secret", apiVersion: "2024-06-01" });
      const stream = await az.chat.completions.create({ model: "my-gpt", stream: true, messages: [{ role: "user", content: "stream azure" }] });
      for await (const _ of stream);
      await az.embeddings.create({ model: "my-embeddings", input: "embed azure" });
    }, 2);
    expect(openaiMock.requests.at(-2).path).toBe("/openai/deployments/my-gpt/chat/completions");
    const chat = llm(spans)[0]!.attributes;
    expect(chat).toMatchObject({ "llm.provider": "azure", "azure.openai.deployment": "my-gpt", "azure.openai.api_version": "2024-06-01", "llm.streaming": true, "output.value": "Echo: stream azure" });
    const emb = spans.find((s) => s.attributes["openinference.span.kind"] === "EMBEDDING")!.attributes;
    expect(emb).toMatchObject({ "llm.provider": "azure", "azure.openai.deployment": "my-embeddings" });
  });
});

it("a plain OpenAI client against the same local server is named by its host, as before", async () => {
  const spans = await t.spansAfter(() => new OpenAI7({ apiKey: "k", baseURL: openaiMock.baseURL }).chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "plain" }] }));
  expect(llm(spans)[0]!.attributes["llm.provider"]).toBe("127.0.0.1");
  expect(llm(spans)[0]!.attributes["azure.openai.deployment"]).toBeUndefined();
});

describe.each([
  ["1.2 on @anthropic-ai/sdk 1.16", AnthropicBedrock],
  ["0.21.2", AnthropicBedrock0],
] as const)("AnthropicBedrock %s", (name, Client: any) => {
  const client = () => new Client({ baseURL: bedrockMock.url, awsRegion: "us-east-1", awsAccessKey: "AKIDEXAMPLE", awsSecretKey: "bedrock-secret-key", maxRetries: 0 });
  const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

  it("messages.create: provider aws, the served model, cost; Bedrock's /model/<id>/invoke, signed", async () => {
    let m: any;
    const spans = await t.spansAfter(async () => {
      m = await client().messages.create({ model: MODEL, max_tokens: 20, messages: [{ role: "user", content: "hello bedrock" }] });
    });
    const req = bedrockMock.requests.at(-1);
    expect(req.path).toBe(`/model/${MODEL}/invoke`);
    expect(req.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(m.content[0].text).toBe("Echo: hello bedrock");
    const s = llm(spans).find((x) => x.scope.name !== "com.anthropic.sdk.typescript")!;
    expect(s.name).toBe("Anthropic Messages");
    expect(s.attributes).toMatchObject({ "llm.provider": "aws", "llm.system": "anthropic", "llm.model_name": "claude-3-5-haiku-20241022", "llm.output_messages.0.message.content": "Echo: hello bedrock" });
    expect(typeof s.attributes["llm.cost.total"]).toBe("number");
    noSecrets(spans);
  });

  // 0.21.2's event-stream class is ignored by the @anthropic-ai/sdk 0.x it installs today (0.137 dropped
  // `__streamClass`): its streams yield nothing, traced or not, so only 1.x streams are tested
  it.runIf(name.startsWith("1."))("streams (the AWS event stream turned back into Anthropic's events): messages.stream() and stream: true", async () => {
    const spans = await t.spansAfter(async () => {
      const final = await client().messages.stream({ model: MODEL, max_tokens: 20, messages: [{ role: "user", content: "stream helper" }] }).finalMessage();
      expect(final.content[0].text).toBe("Echo: stream helper");
      const raw = await client().messages.create({ model: MODEL, max_tokens: 20, stream: true, messages: [{ role: "user", content: "raw stream" }] });
      const types: string[] = [];
      for await (const e of raw) types.push(e.type);
      expect(types.at(-1)).toBe("message_stop");
    }, 2);
    expect(bedrockMock.requests.at(-1).path).toMatch(/\/invoke-with-response-stream$/);
    const ours = llm(spans).filter((s) => s.name === "Anthropic Messages");
    expect(ours).toHaveLength(2);
    for (const s of ours) expect(s.attributes).toMatchObject({ "llm.provider": "aws", "llm.streaming": true });
    expect(ours.map((s) => s.attributes["llm.output_messages.0.message.content"]).sort()).toEqual(["Echo: raw stream", "Echo: stream helper"]);
  });

  it.runIf(name.startsWith("1."))("@anthropic-ai/sdk 1.16's own spans nest under ours, never beside them", async () => {
      await t.spansAfter(async () => {
        await client().messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "own" }] });
        await client().messages.stream({ model: MODEL, max_tokens: 5, messages: [{ role: "user", content: "own stream" }] }).finalMessage();
      }, 2);
      await new Promise((r) => setTimeout(r, 200));
      const all = t.receiver.spans;
      const ours = all.filter((s) => s.name === "Anthropic Messages");
      // the Bedrock client's spans have their own scope: com.anthropic.sdk.typescript.bedrock
      const theirs = all.filter((s) => s.scope.name.startsWith("com.anthropic.sdk.typescript"));
      expect(ours).toHaveLength(2);
      expect(theirs).toHaveLength(2);
      for (const s of theirs) expect(ours.map((o) => o.spanId)).toContain(s.parentSpanId);
      expect(new Set(theirs.map((s) => s.parentSpanId)).size).toBe(2);
      expect(theirs.every((s) => s.attributes["openinference.span.kind"] === undefined)).toBe(true);
  });
});

describe.each([
  ["1.1", AnthropicVertex, () => new GoogleAuth({ authClient: new OAuth2Client({ credentials: { access_token: "ya29.vertex-token", expiry_date: Date.now() + 3_600_000 } }) })],
  [
    "0.11.3",
    AnthropicVertex0,
    () => {
      const g = fromVertex0("google-auth-library");
      return new g.GoogleAuth({ authClient: new g.OAuth2Client({ credentials: { access_token: "ya29.vertex-token", expiry_date: Date.now() + 3_600_000 } }) });
    },
  ],
] as const)("AnthropicVertex %s", (_name, Client: any, auth: () => unknown) => {
  const client = () => new Client({ baseURL: `${anthropicMock.url}/v1`, region: "us-east5", projectId: "my-project", googleAuth: auth(), maxRetries: 0 });

  it("provider google; Vertex's :rawPredict and :streamRawPredict with the token google-auth-library hands out", async () => {
    const spans = await t.spansAfter(async () => {
      const m = await client().messages.create({ model: "claude-3-5-haiku@20241022", max_tokens: 20, messages: [{ role: "user", content: "hello vertex" }] });
      expect(m.content[0].text).toBe("Echo: hello vertex");
      const s = await client().messages.stream({ model: "claude-3-5-haiku@20241022", max_tokens: 20, messages: [{ role: "user", content: "stream vertex" }] }).finalMessage();
      expect(s.content[0].text).toBe("Echo: stream vertex");
    }, 2);
    const [json, stream] = anthropicMock.requests.slice(-2);
    expect(json.path).toBe("/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-3-5-haiku@20241022:rawPredict");
    expect(stream.path).toMatch(/:streamRawPredict$/);
    expect(json.headers.authorization).toBe("Bearer ya29.vertex-token");
    const ours = llm(spans).filter((s) => s.name === "Anthropic Messages");
    expect(ours).toHaveLength(2);
    for (const s of ours) expect(s.attributes).toMatchObject({ "llm.provider": "google", "llm.system": "anthropic", "llm.model_name": "claude-3-5-haiku@20241022" });
    // Vertex's "@" snapshot ids are priced as Anthropic's
    expect(typeof ours[0]!.attributes["llm.cost.total"]).toBe("number");
    noSecrets(spans);
  });
});
