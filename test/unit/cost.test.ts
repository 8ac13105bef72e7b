import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { CompositeProcessor } from "../../src/export/pipeline";
import { DEFAULT_PRICES, PRICES_AS_OF, applyCost, computeCost, costTransform, findPrice, parsePriceTable, resolvePrices } from "../../src/transforms/cost";
import { resolveConfig } from "../../src/config";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cost-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const llm = (model: string, tokens: Record<string, number>, extra: Record<string, unknown> = {}) => ({
  "openinference.span.kind": "LLM",
  "llm.model_name": model,
  ...Object.fromEntries(Object.entries(tokens).map(([k, v]) => [`llm.token_count.${k}`, v])),
  ...extra,
});

describe("price table", () => {
  it("is dated and lists common OpenAI and Anthropic models with per-million prices", () => {
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const m of ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "claude-sonnet-4", "claude-3-5-haiku", "claude-opus-4-1"]) {
      expect(DEFAULT_PRICES[m], m).toBeDefined();
    }
    expect(DEFAULT_PRICES["gpt-4o-mini"]).toMatchObject({ input: 0.15, output: 0.6 });
    expect(DEFAULT_PRICES["claude-sonnet-4"]).toMatchObject({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
  });

  it("matches dated snapshots of a listed model by prefix, and nothing else", () => {
    expect(findPrice("gpt-4o-mini-2024-07-18")?.key).toBe("gpt-4o-mini");
    expect(findPrice("gpt-4o-2024-08-06")?.key).toBe("gpt-4o");
    // an explicitly listed snapshot keeps its own price
    expect(findPrice("gpt-4o-2024-05-13")?.price).toMatchObject({ input: 5, output: 15 });
    expect(findPrice("claude-3-5-haiku-20241022")?.key).toBe("claude-3-5-haiku");
    expect(findPrice("claude-sonnet-4-20250514")?.key).toBe("claude-sonnet-4");
    expect(findPrice("claude-3-5-sonnet-latest")?.key).toBe("claude-3-5-sonnet");
    expect(findPrice("GPT-4o-Mini")?.key).toBe("gpt-4o-mini");
    expect(findPrice("openai/gpt-4o-mini")?.key).toBe("gpt-4o-mini");
    // variants with their own (unlisted) prices: no guess
    expect(findPrice("gpt-4o-audio-preview")).toBeUndefined();
    expect(findPrice("gpt-4o-mini-realtime-preview-2024-12-17")).toBeUndefined();
    expect(findPrice("ft:gpt-4o-mini-2024-07-18:acme::abc")).toBeUndefined();
    expect(findPrice("my-local-llama")).toBeUndefined();
    expect(findPrice(undefined)).toBeUndefined();
    expect(findPrice("")).toBeUndefined();
  });
});

describe("computeCost", () => {
  it("prices prompt and completion tokens", () => {
    expect(computeCost({ input: 2.5, output: 10 }, { prompt: 1000, completion: 500 })).toEqual({ prompt: 0.0025, completion: 0.005, total: 0.0075 });
  });

  it("prices OpenAI cached prompt tokens at the cached rate (prompt count includes them)", () => {
    const c = computeCost(DEFAULT_PRICES["gpt-4o"]!, { prompt: 10_000, completion: 0, cacheRead: 8_000 })!;
    // 2,000 uncached at $2.50/M + 8,000 cached at $1.25/M
    expect(c.prompt).toBeCloseTo(0.005 + 0.01, 12);
    expect(c.cacheRead).toBeCloseTo(0.01, 12);
    expect(c.total).toBeCloseTo(0.015, 12);
  });

  it("prices Anthropic cache reads and writes", () => {
    // prompt = input 100 + cache read 1,000 + cache write 2,000 (OpenInference counts them all)
    const c = computeCost(DEFAULT_PRICES["claude-sonnet-4"]!, { prompt: 3_100, completion: 200, cacheRead: 1_000, cacheWrite: 2_000 })!;
    expect(c.cacheRead).toBeCloseTo((1_000 * 0.3) / 1e6, 12);
    expect(c.cacheWrite).toBeCloseTo((2_000 * 3.75) / 1e6, 12);
    expect(c.prompt).toBeCloseTo((100 * 3 + 1_000 * 0.3 + 2_000 * 3.75) / 1e6, 12);
    expect(c.completion).toBeCloseTo((200 * 15) / 1e6, 12);
    expect(c.total).toBeCloseTo(c.prompt + c.completion, 12);
  });

  it("needs token counts", () => {
    expect(computeCost({ input: 1, output: 1 }, {})).toBeUndefined();
  });
});

describe("applyCost on span attributes", () => {
  it("adds llm.cost.* to an LLM span with a known model", () => {
    const a: Record<string, unknown> = llm("gpt-4o-mini-2024-07-18", { prompt: 1_000_000, completion: 1_000_000, total: 2_000_000 });
    expect(applyCost(a, DEFAULT_PRICES)).toBe(true);
    expect(a["llm.cost.prompt"]).toBeCloseTo(0.15, 10);
    expect(a["llm.cost.completion"]).toBeCloseTo(0.6, 10);
    expect(a["llm.cost.total"]).toBeCloseTo(0.75, 10);
    expect(a["llm.cost.prompt_details.cache_read"]).toBeUndefined();
  });

  it("leaves unknown models, non-LLM spans and spans that already carry a cost alone", () => {
    const unknown: Record<string, unknown> = llm("some-new-model", { prompt: 10, completion: 10 });
    expect(applyCost(unknown, DEFAULT_PRICES)).toBe(false);
    expect(Object.keys(unknown).filter((k) => k.startsWith("llm.cost"))).toEqual([]);
    const tool: Record<string, unknown> = { "openinference.span.kind": "TOOL", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 5 };
    expect(applyCost(tool, DEFAULT_PRICES)).toBe(false);
    const preset: Record<string, unknown> = llm("gpt-4o", { prompt: 10, completion: 10 }, { "llm.cost.total": 1.23 });
    expect(applyCost(preset, DEFAULT_PRICES)).toBe(false);
    expect(preset["llm.cost.total"]).toBe(1.23);
  });

  it("prices embeddings by their input tokens", () => {
    const a: Record<string, unknown> = { "openinference.span.kind": "EMBEDDING", "embedding.model_name": "text-embedding-3-small", "llm.token_count.prompt": 500_000 };
    expect(applyCost(a, DEFAULT_PRICES)).toBe(true);
    expect(a["llm.cost.total"]).toBeCloseTo(0.01, 10);
  });
});

describe("user prices", () => {
  it("parses a JSON table, accepts aliases, and reports bad entries", () => {
    const { prices, problems } = parsePriceTable({
      models: {
        "acme-large": { input: 1, output: 2 },
        "acme-small": { prompt: 0.1, completion: 0.2, cache_read: 0.01 },
        broken: { input: "cheap", output: 1 },
        half: { input: 1 },
      },
    });
    expect(prices["acme-large"]).toEqual({ input: 1, output: 2 });
    expect(prices["acme-small"]).toEqual({ input: 0.1, output: 0.2, cacheRead: 0.01 });
    expect(prices.broken).toBeUndefined();
    expect(prices.half).toBeUndefined();
    expect(problems.join("\n")).toMatch(/broken.*input.*non-negative number/);
    expect(problems.join("\n")).toMatch(/half.*needs both/);
  });

  it("overrides and extends the built-in table from CATALYST_PRICES_FILE and the option", () => {
    const file = path.join(tmp, "prices.json");
    fs.writeFileSync(file, JSON.stringify({ "gpt-4o-mini": { input: 1, output: 1 }, "acme-large": { input: 10, output: 20 } }));
    const { pricesFile } = resolveConfig({}, { CATALYST_PRICES_FILE: file });
    expect(pricesFile).toBe(file);
    const table = resolvePrices({ prices: { "acme-small": { input: 0.5, output: 0.5 } }, pricesFile });
    expect(table["gpt-4o-mini"]).toEqual({ input: 1, output: 1 });
    expect(table["acme-large"]).toEqual({ input: 10, output: 20 });
    expect(table["acme-small"]).toEqual({ input: 0.5, output: 0.5 });
    expect(table["gpt-4o"]).toEqual(DEFAULT_PRICES["gpt-4o"]);
    const only = resolvePrices({ prices: { "acme-small": { input: 0.5, output: 0.5 } }, replaceDefaults: true });
    expect(Object.keys(only)).toEqual(["acme-small"]);
  });

  it("keeps the built-in prices when the file is missing or broken", () => {
    const bad = path.join(tmp, "bad.json");
    fs.writeFileSync(bad, "{ not json");
    expect(resolvePrices({ pricesFile: bad })["gpt-4o"]).toEqual(DEFAULT_PRICES["gpt-4o"]);
    expect(resolvePrices({ pricesFile: path.join(tmp, "missing.json") })["gpt-4o"]).toEqual(DEFAULT_PRICES["gpt-4o"]);
  });
});

describe("costTransform at export time", () => {
  it("adds cost to finished LLM spans before exporters see them (real SDK spans)", async () => {
    const file = path.join(tmp, "custom.json");
    fs.writeFileSync(file, JSON.stringify({ "acme-large": { input: 10, output: 20 } }));
    const exporter = new InMemorySpanExporter();
    const composite = new CompositeProcessor([new SimpleSpanProcessor(exporter)], [costTransform({ pricesFile: file })]);
    const provider = new BasicTracerProvider({ spanProcessors: [composite] });
    const tracer = provider.getTracer("cost-test");
    const known = tracer.startSpan("chat", { attributes: llm("gpt-4o-2024-08-06", { prompt: 2_000, completion: 100, total: 2_100 }) });
    known.end();
    const custom = tracer.startSpan("chat", { attributes: llm("acme-large", { prompt: 100_000, completion: 50_000 }) });
    custom.end();
    const unknown = tracer.startSpan("chat", { attributes: llm("mystery-model", { prompt: 10, completion: 10 }) });
    unknown.end();
    await provider.forceFlush();
    const [a, b, c] = exporter.getFinishedSpans().map((s) => s.attributes);
    expect(a!["llm.cost.prompt"]).toBeCloseTo(0.005, 12);
    expect(a!["llm.cost.completion"]).toBeCloseTo(0.001, 12);
    expect(a!["llm.cost.total"]).toBeCloseTo(0.006, 12);
    expect(b!["llm.cost.total"]).toBeCloseTo(2, 12);
    expect(c!["llm.cost.total"]).toBeUndefined();
    await provider.shutdown();
  });
});
