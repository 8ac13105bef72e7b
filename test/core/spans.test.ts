import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { one, type ReceivedSpan } from "../helpers/spans";

let receiver: Receiver;
let api: typeof import("../../src/index");
let tracing: Awaited<ReturnType<typeof import("../../src/index").setup>>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  api = await import("../../src/index");
  tracing = await api.setup({ endpoint: receiver.url, batching: "simple", serviceName: "spans-test" });
});
afterAll(async () => {
  await tracing.shutdown();
  await receiver.close();
});

async function spansNamed(...names: string[]): Promise<ReceivedSpan[]> {
  await tracing.forceFlush();
  return receiver.waitForSpans((s) => names.every((n) => s.some((x) => x.name === n)));
}

describe("agentSpan / manualSpan", () => {
  it("gives nested agents their own identity and copies the innermost one onto children", async () => {
    await api.agentSpan({ agentId: "triage", agentName: "Triage", role: "triage", sessionId: "conv-9", userId: "u9", tags: ["t"] }, async () => {
      expect(api.getActiveAgentIdentity()).toMatchObject({ id: "triage", role: "triage", sessionId: "conv-9" });
      await api.agentSpan({ agentId: "refunds", agentName: "Refunds", role: "refunds" }, async () => {
        expect(api.getActiveAgentIdentity()).toMatchObject({ id: "refunds", sessionId: "conv-9", userId: "u9" });
        await api.manualSpan({ spanName: "issue_refund", spanKind: "TOOL", toolName: "issue_refund" }, () => "ok");
      });
      await api.manualSpan({ spanName: "route" }, () => "ok");
    });
    expect(api.getActiveAgentIdentity()).toBeUndefined();
    const spans = await spansNamed("Triage", "Refunds", "issue_refund", "route");
    const triage = one(spans, (s) => s.name === "Triage");
    const refunds = one(spans, (s) => s.name === "Refunds");
    const tool = one(spans, (s) => s.name === "issue_refund");
    const route = one(spans, (s) => s.name === "route");
    expect(refunds.parentSpanId).toBe(triage.spanId);
    expect(tool.parentSpanId).toBe(refunds.spanId);
    expect(route.parentSpanId).toBe(triage.spanId);
    expect(refunds.attributes).toMatchObject({ "agent.id": "refunds", "agent.role": "refunds", "session.id": "conv-9", "user.id": "u9", "tag.tags": ["t"] });
    expect(tool.attributes).toMatchObject({ "agent.id": "refunds", "agent.name": "Refunds", "session.id": "conv-9", "openinference.span.kind": "TOOL" });
    expect(route.attributes).toMatchObject({ "agent.id": "triage", "openinference.span.kind": "CHAIN" });
  });

  it("records circular, BigInt, function and symbol values without throwing", async () => {
    const circular: any = { name: "loop", n: 10n, fn: function namedFn() {}, sym: Symbol("s") };
    circular.self = circular;
    const result = await api.manualSpan({ spanName: "weird-input", input: circular }, (span) => {
      span.setAttribute("app.circular", circular);
      span.setAttributes({ "app.list": [1, 2, 3], "app.mixed": [1, "a"], "app.big": 5n, "app.nothing": undefined });
      span.setOutput([circular]);
      return "fine";
    });
    expect(result).toBe("fine");
    const s = one(await spansNamed("weird-input"), (x) => x.name === "weird-input");
    expect(JSON.parse(s.attributes["input.value"])).toEqual({ name: "loop", n: "10", fn: "[Function: namedFn]", sym: "Symbol(s)", self: "[Circular]" });
    expect(s.attributes["input.mime_type"]).toBe("application/json");
    expect(s.attributes["app.list"]).toEqual([1, 2, 3]);
    expect(s.attributes["app.mixed"]).toBe('[1,"a"]');
    expect(s.attributes["app.big"]).toBe('"5"');
    expect("app.nothing" in s.attributes).toBe(false);
    expect(JSON.parse(s.attributes["output.value"])[0].self).toBe("[Circular]");
  });

  it("normalises OpenAI- and Anthropic-shaped usage and computes the total", async () => {
    await api.manualSpan({ spanName: "usage-openai", spanKind: "LLM" }, (span) =>
      span.recordUsage({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 5 } }),
    );
    await api.manualSpan({ spanName: "usage-anthropic", spanKind: "LLM" }, (span) =>
      span.recordUsage({ input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 40, cache_creation_input_tokens: 50 }),
    );
    await api.manualSpan({ spanName: "tokens-manual", spanKind: "LLM", model: "m1", usage: { prompt: 3, completion: 4 } }, (span) => span.setModel("m2"));
    const spans = await spansNamed("usage-openai", "usage-anthropic", "tokens-manual");
    expect(one(spans, (s) => s.name === "usage-openai").attributes).toMatchObject({
      "llm.token_count.prompt": 100,
      "llm.token_count.completion": 20,
      "llm.token_count.total": 120,
      "llm.token_count.prompt_details.cache_read": 30,
      "llm.token_count.completion_details.reasoning": 5,
    });
    expect(one(spans, (s) => s.name === "usage-anthropic").attributes).toMatchObject({
      "llm.token_count.prompt": 100,
      "llm.token_count.completion": 7,
      "llm.token_count.total": 107,
      "llm.token_count.prompt_details.cache_read": 40,
      "llm.token_count.prompt_details.cache_write": 50,
    });
    expect(one(spans, (s) => s.name === "tokens-manual").attributes).toMatchObject({ "llm.token_count.total": 7, "llm.model_name": "m2" });
  });

  it("keeps the span open over a returned async generator and ends it when the stream ends", async () => {
    async function* produce() {
      yield 1;
      await new Promise((r) => setTimeout(r, 30));
      // a span started while producing nests under the manual span
      await api.manualSpan({ spanName: "inside-stream" }, () => null);
      yield 2;
    }
    const gen = await api.manualSpan({ spanName: "streaming" }, async () => produce());
    const seen: number[] = [];
    for await (const v of gen) seen.push(v);
    expect(seen).toEqual([1, 2]);
    const spans = await spansNamed("streaming", "inside-stream");
    const s = one(spans, (x) => x.name === "streaming");
    expect(s.durationMs).toBeGreaterThanOrEqual(25);
    expect(one(spans, (x) => x.name === "inside-stream").parentSpanId).toBe(s.spanId);
  });

  it("ends the span of a stream the consumer abandons early", async () => {
    async function* endless() {
      let i = 0;
      while (true) yield i++;
    }
    const gen = api.manualSpan({ spanName: "abandoned" }, () => endless());
    for await (const v of gen) if (v >= 2) break;
    const s = one(await spansNamed("abandoned"), (x) => x.name === "abandoned");
    expect(s.status.code).toBe(1);
  });

  it("records an error thrown mid-stream and passes it on unchanged", async () => {
    const boom = new Error("stream broke");
    async function* failing() {
      yield "a";
      throw boom;
    }
    const gen = api.manualSpan({ spanName: "stream-error" }, () => failing());
    await expect(
      (async () => {
        for await (const _ of gen) void _;
      })(),
    ).rejects.toBe(boom);
    const s = one(await spansNamed("stream-error"), (x) => x.name === "stream-error");
    expect(s.status).toEqual({ code: 2, message: "stream broke" });
  });

  it("keeps the span open over a returned ReadableStream", async () => {
    const stream = api.manualSpan({ spanName: "readable" }, () =>
      new ReadableStream<string>({
        start(c) {
          c.enqueue("x");
          setTimeout(() => {
            c.enqueue("y");
            c.close();
          }, 30);
        },
      }),
    );
    const got: string[] = [];
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got.push(value);
    }
    expect(got).toEqual(["x", "y"]);
    const s = one(await spansNamed("readable"), (x) => x.name === "readable");
    expect(s.durationMs).toBeGreaterThanOrEqual(25);
  });

  it("accepts an explicit tracer as first argument", async () => {
    const v = await api.agentSpan(tracing.tracer, { agentId: "explicit" }, async () => 5);
    expect(v).toBe(5);
    expect(one(await spansNamed("explicit"), (s) => s.name === "explicit").attributes["agent.id"]).toBe("explicit");
  });

  it("throws typed errors with stable codes for wrong-shape arguments", () => {
    expect(() => api.agentSpan({} as any, () => 1)).toThrow(api.CatalystSpanArgumentError);
    try {
      api.agentSpan({ agentId: "" }, () => 1);
    } catch (e) {
      expect((e as InstanceType<typeof api.CatalystTracingError>).code).toBe("MISSING_AGENT_ID");
    }
    expect(() => api.manualSpan({ spanKind: "NOPE" as any }, () => 1)).toThrow(/not an OpenInference span kind/);
    expect(() => (api.manualSpan as any)({ spanName: "x" })).toThrow(api.CatalystSpanArgumentError);
    return expect(api.setup({ modules: { notAnSdk: {} } as any })).rejects.toMatchObject({ code: "UNKNOWN_MODULE_KEY", name: "CatalystInstrumentationError" });
  });

  it("descriptive options of the wrong type never stop the app's function: null is 'not given', the rest is coerced with one warning", async () => {
    const lines: string[] = [];
    const real = process.stderr.write.bind(process.stderr);
    (process.stderr as any).write = (chunk: any, ...rest: any[]) => (lines.push(String(chunk)), rest.find((r) => typeof r === "function")?.(), true);
    let ran: unknown[];
    try {
      ran = [
        await api.manualSpan(
          { spanName: "bad-options", usage: null, tags: "a,b" as any, toolName: Object.create(null), model: 42 as any, attributes: "x" as any, metadata: null as any },
          async () => "manual ran",
        ),
        api.agentSpan({ agentId: "bad-agent", agentName: Object.create(null), sessionId: 7 as any, tags: [1, Object.create(null)] as any, system: Symbol("sys") as any }, () => "agent ran"),
        await api.manualSpan({ spanName: "usage-not-an-object", usage: 12 as any, tags: { a: 1 } as any }, async () => "ran again"),
      ];
    } finally {
      (process.stderr as any).write = real;
    }
    expect(ran).toEqual(["manual ran", "agent ran", "ran again"]);
    const spans = await spansNamed("bad-options", "{}", "usage-not-an-object");
    const manual = one(spans, (s) => s.name === "bad-options");
    expect(manual.attributes["tool.name"]).toBe("{}");
    expect(manual.attributes["llm.model_name"]).toBe("42");
    expect(manual.attributes["tag.tags"]).toEqual(["a,b"]);
    expect(manual.attributes.metadata).toBeUndefined();
    expect(Object.keys(manual.attributes).filter((k) => k.startsWith("llm.token_count") || /^\d+$/.test(k))).toEqual([]);
    const agent = one(spans, (s) => s.attributes["agent.id"] === "bad-agent");
    expect(agent.name).toBe("{}");
    expect(agent.attributes).toMatchObject({ "agent.name": "{}", "session.id": "7", "tag.tags": ["1", "{}"], "gen_ai.system": "Symbol(sys)" });
    const warnings = lines.join("");
    expect(warnings).toContain("manualSpan: options.tags should be an array of strings (got a string); recorded as one tag.");
    expect(warnings).toContain('manualSpan: options.toolName should be a string (got an object); recorded as "{}".');
    expect(warnings).toContain("manualSpan: options.attributes should be an object (got a string); ignored.");
    expect(warnings).toContain("manualSpan: options.usage should be an object (got a number); ignored.");
    expect(warnings).toContain("agentSpan: options.tags[1] should be a string (got an object)");
    expect(warnings).not.toMatch(/options\.(usage|metadata) should be an object \(got null\)/);
    // a span kind that is not one still gets the typed error, whatever it is
    expect(() => api.manualSpan({ spanKind: Object.create(null) }, () => 1)).toThrow(expect.objectContaining({ code: "INVALID_SPAN_KIND" }));
  });

  it("composes indexed message keys byte-identical to OpenInference", async () => {
    const { OpenInferenceAttribute: O, Attr } = api;
    const p = O.inputMessagePrefix(0);
    expect(O.role(p)).toBe("llm.input_messages.0.message.role");
    expect(O.content(O.outputMessagePrefix(1))).toBe("llm.output_messages.1.message.content");
    expect(O.toolCallFunctionName(O.toolCallPrefix(p, 0))).toBe("llm.input_messages.0.message.tool_calls.0.tool_call.function.name");
    expect(O.toolCallFunctionArguments(O.toolCallPrefix(p, 0))).toBe("llm.input_messages.0.message.tool_calls.0.tool_call.function.arguments");
    expect(O.toolCallId(O.toolCallPrefix(p, 2))).toBe("llm.input_messages.0.message.tool_calls.2.tool_call.id");
    expect(O.contentImageUrl(O.contentPrefix(p, 1))).toBe("llm.input_messages.0.message.contents.1.message_content.image.image.url");
    expect(Attr).toMatchObject({
      SPAN_KIND: "openinference.span.kind",
      AGENT_ID: "agent.id",
      AGENT_ROLE: "agent.role",
      SYSTEM: "gen_ai.system",
      STREAMING: "llm.streaming",
      FINISH_REASON: "llm.finish_reason",
      AGENT_TOOL_CALL_COUNT: "agent.tool_call_count",
      AGENT_LLM_CALL_COUNT: "agent.llm_call_count",
      TOKEN_COUNT_PROMPT_CACHE_READ: "llm.token_count.prompt_details.cache_read",
      TOKEN_COUNT_PROMPT_CACHE_WRITE: "llm.token_count.prompt_details.cache_write",
      TOKEN_COUNT_COMPLETION_REASONING: "llm.token_count.completion_details.reasoning",
    });
    expect(Object.values(api.SpanKindValues).sort()).toEqual(["AGENT", "CHAIN", "EMBEDDING", "EVALUATOR", "GUARDRAIL", "LLM", "PROMPT", "RERANKER", "RETRIEVER", "TOOL"]);
  });
});
