/**
 * Differential test against @arizeai/openinference-instrumentation-openai: the same requests
 * go through both instrumentations at once (theirs wraps ours on the same openai v7 CJS copy);
 * for every request our span's attribute keys and values must match the reference's, except
 * the deliberate differences listed here and in docs/integrations/openai.md.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { startTracing, llmSpans, type Tracing } from "./openai/tracing";
// @ts-expect-error plain ESM fixture without types
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";

const require = createRequire(import.meta.url);
const openaiModule = require("openai");
const OpenAI = openaiModule.default ?? openaiModule;

let mock: any;
let t: Tracing;
const reference = new InMemorySpanExporter();

beforeAll(async () => {
  mock = await startMockOpenAI();
  t = await startTracing({ openai: openaiModule });
  const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(reference)] });
  const oi = new OpenAIInstrumentation({ tracerProvider: provider });
  oi.manuallyInstrument(openaiModule);
});
afterAll(async () => {
  await t?.close();
  await mock?.close();
});

/** Keys only we set, on purpose (documented). */
const OURS_ONLY = [
  /^gen_ai\.system$/,
  /^llm\.streaming$/,
  /^llm\.provider$/, // the reference leaves it unset for hosts it does not know; we give the host
  /^llm\.response\.id$/, // the API's response id, which stitched agent loops continue from (src/runs)
  /^llm\.prompts$/,
  /^llm\.cost\./, // we price known models at export time (src/cost); the reference records no cost
  /^embedding\.invocation_parameters$/,
  /^llm\.token_count\./, // on EMBEDDING spans (the reference records no usage there)
  /^llm\.output_messages\.[1-9]\d*\./, // every choice when n > 1 (the reference keeps choice 0)
  /^llm\.finish_reason$/, // Responses API: the response status
];
/** Keys only the reference sets (documented). */
const THEIRS_ONLY = [/^embedding\.embeddings\.\d+\.embedding\.vector$/];
/** Streams: the reference keeps the requested model name; we record the one the API echoed in the chunks. */
const STREAM_IGNORED = ["llm.model_name"];
/** Values that differ on purpose. */
function normalise(key: string, value: unknown): unknown {
  if (key === "llm.invocation_parameters" && typeof value === "string") {
    const p = JSON.parse(value);
    // we leave tool definitions (recorded as llm.tools) and Responses `instructions` (a message) out
    delete p.tools;
    delete p.functions;
    delete p.instructions;
    return p;
  }
  if (key === "input.value" && typeof value === "string" && value.startsWith("{")) return JSON.parse(value);
  return value;
}

async function compare(call: () => Promise<unknown>, kind = "LLM", ignoreValues: string[] = []) {
  reference.reset();
  const spans = await t.spansAfter(call);
  const ours = spans.filter((s) => s.attributes["openinference.span.kind"] === kind);
  const theirs = reference.getFinishedSpans();
  expect(ours).toHaveLength(1);
  expect(theirs).toHaveLength(1);
  const a = ours[0]!.attributes;
  const b = theirs[0]!.attributes as Record<string, unknown>;
  const problems: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (v === undefined) continue;
    if (!(k in a)) {
      if (!THEIRS_ONLY.some((r) => r.test(k))) problems.push(`missing ${k}=${JSON.stringify(v)}`);
      continue;
    }
    if (ignoreValues.includes(k)) continue;
    const x = normalise(k, a[k]);
    const y = normalise(k, v);
    if (JSON.stringify(x) !== JSON.stringify(y)) problems.push(`value ${k}: ours ${JSON.stringify(a[k])} reference ${JSON.stringify(v)}`);
  }
  for (const k of Object.keys(a)) {
    if (k in b && b[k] !== undefined) continue;
    if (!OURS_ONLY.some((r) => r.test(k))) problems.push(`extra ${k}=${JSON.stringify(a[k])}`);
  }
  expect(problems).toEqual([]);
  return { ours: a, theirs: b };
}

describe("ours vs @arizeai/openinference-instrumentation-openai", () => {
  const client = () => new OpenAI({ apiKey: "sk-test", baseURL: mock.baseURL, maxRetries: 0 });
  const tools = [{ type: "function", function: { name: "lookup_order", description: "find", parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] } } }];

  it("chat completion, plain", () =>
    compare(() => client().chat.completions.create({ model: "gpt-4o-mini", temperature: 0.1, messages: [{ role: "system", content: "sys" }, { role: "user", content: "hello" }] })));

  it("chat completion with tools, tool calls and a tool result", async () => {
    let first: any;
    await compare(async () => {
      first = await client().chat.completions.create({ model: "gpt-4o-mini", tools, messages: [{ role: "user", content: "where?" }] });
    });
    const call = first.choices[0].message.tool_calls[0];
    await compare(() =>
      client().chat.completions.create({
        model: "gpt-4o-mini",
        tools,
        messages: [
          { role: "user", content: "where?" },
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call.id, content: "in transit" },
        ],
      }),
    );
  });

  it("chat completion with text and image-URL parts", () =>
    compare(() =>
      client().chat.completions.create({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }] }],
      }),
    ));

  it("streamed chat completion (text and tool calls)", async () => {
    await compare(async () => {
      const s = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "stream" }] });
      for await (const _ of s) void _;
    }, "LLM", STREAM_IGNORED);
    await compare(async () => {
      const s = await client().chat.completions.create({ model: "gpt-4o-mini", stream: true, tools, messages: [{ role: "user", content: "stream tools" }] });
      for await (const _ of s) void _;
    }, "LLM", STREAM_IGNORED);
  });

  it("Responses API, JSON, with instructions and a function call", async () => {
    await compare(() => client().responses.create({ model: "gpt-4o-mini", instructions: "be kind", input: "hi" }));
    await compare(() =>
      client().responses.create({ model: "gpt-4o-mini", input: [{ role: "user", content: "time?" }], tools: [{ type: "function", name: "get_time", parameters: { type: "object", properties: {} }, strict: false }] }),
    );
  });

  it("embeddings", () => compare(() => client().embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"], encoding_format: "float" }), "EMBEDDING"));

  it("legacy completions", () => compare(() => client().completions.create({ model: "gpt-3.5-turbo-instruct", prompt: "Say hi" })));

  it("HTTP errors: ours ends ERROR with the status; the reference leaves its span unended", async () => {
    reference.reset();
    const spans = await t.spansAfter(() => client().chat.completions.create({ model: "error-500", messages: [{ role: "user", content: "x" }] }).catch(() => undefined));
    const ours = llmSpans(spans)[0]!;
    expect(ours.status).toEqual({ code: 2, message: "500 mock error 500" });
    expect(ours.attributes["http.response.status_code"]).toBe(500);
    // documented difference: the reference only ends spans on success (its _thenUnwrap never runs)
    expect(reference.getFinishedSpans()).toHaveLength(0);
  });
});
