/**
 * Cost of LLM calls, computed at export time from the span's token counts and a local,
 * dated price table (never fetched from the network). Unknown models get no cost.
 *
 *   llm.cost.prompt      uncached input + cache reads + cache writes
 *   llm.cost.completion  output tokens (reasoning included)
 *   llm.cost.total       the sum
 *   llm.cost.prompt_details.cache_read / cache_write when those tokens were reported
 */
import fs = require("node:fs");
import { Attr } from "../semconv";
import { warnOnce } from "../util/log";
import { DEFAULT_PRICES, PRICES_AS_OF, type ModelPrice, type PriceTable } from "./prices";
import type { AttributeTransform } from "./types";

export { DEFAULT_PRICES, PRICES_AS_OF, type ModelPrice, type PriceTable } from "./prices";

export interface CostOptions {
  /** Extra or replacement prices (USD per million tokens), or the path of a JSON file with them. */
  prices?: PriceTable | string;
  /** A JSON price file (CATALYST_PRICES_FILE, resolved by config). */
  pricesFile?: string;
  /** Only the given prices, without the built-in table. */
  replaceDefaults?: boolean;
}

export interface TokenUsage {
  prompt?: number;
  completion?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface Cost {
  prompt: number;
  completion: number;
  total: number;
  cacheRead?: number;
  cacheWrite?: number;
}

// Vertex AI writes Claude's snapshots with "@": claude-3-5-haiku@20241022
const DATE_SUFFIX = /^(-\d{4}-\d{2}-\d{2}|[-@]\d{8}|-latest)$/;
const PROVIDER_PREFIX = /^(openai|anthropic)[/:]/;
/** Bedrock: an ARN's resource path and a cross-region inference prefix name no other model. */
const BEDROCK_PREFIX = /^(?:arn:aws[\w-]*:bedrock:[^/]*\/)?(?:(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?=[a-z0-9-]+\.))?/;
/** Anthropic's models on Bedrock, priced as Anthropic lists them: "anthropic.claude-…-20241022-v1:0" → "claude-…-20241022". */
const BEDROCK_ANTHROPIC = /^anthropic\.(claude-.+?)(?:-v\d+(?::\d+)?)?$/;

const FIELD_ALIASES: Record<keyof ModelPrice, string[]> = {
  input: ["input", "prompt", "input_per_million", "inputPerMillion"],
  output: ["output", "completion", "output_per_million", "outputPerMillion"],
  cacheRead: ["cacheRead", "cache_read", "cached_input", "cachedInput"],
  cacheWrite: ["cacheWrite", "cache_write", "cache_creation"],
};

/**
 * Validate a user price table: `{ "<model>": { "input": 2.5, "output": 10, "cacheRead": 1.25 } }`,
 * optionally wrapped as `{ "models": { ... } }`. Bad entries are reported (`problems`) and skipped.
 */
export function parsePriceTable(raw: unknown, source = "price table"): { prices: PriceTable; problems: string[] } {
  const prices: PriceTable = {};
  const problems: string[] = [];
  let table = raw as Record<string, unknown>;
  if (table && typeof table === "object" && !Array.isArray(table) && table.models && typeof table.models === "object") {
    table = table.models as Record<string, unknown>;
  }
  if (!table || typeof table !== "object" || Array.isArray(table)) {
    return { prices, problems: [`${source}: expected an object of model → { input, output } prices (USD per million tokens)`] };
  }
  for (const [model, entry] of Object.entries(table)) {
    if (model.startsWith("$") || model === "asOf" || model === "as_of") continue;
    if (!entry || typeof entry !== "object") {
      problems.push(`${source}: "${model}" must be an object like { "input": 2.5, "output": 10 }`);
      continue;
    }
    const e = entry as Record<string, unknown>;
    const price: Partial<ModelPrice> = {};
    let bad = false;
    for (const [field, names] of Object.entries(FIELD_ALIASES) as [keyof ModelPrice, string[]][]) {
      const name = names.find((n) => e[n] !== undefined);
      if (name === undefined) continue;
      const v = e[name];
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        problems.push(`${source}: "${model}".${name} must be a non-negative number (USD per million tokens), got ${JSON.stringify(v)}`);
        bad = true;
      } else price[field] = v;
    }
    if (bad) continue;
    if (price.input === undefined || price.output === undefined) {
      problems.push(`${source}: "${model}" needs both "input" and "output" (USD per million tokens)`);
      continue;
    }
    prices[normalizeModel(model)] = price as ModelPrice;
  }
  return { prices, problems };
}

export function loadPriceFile(file: string): { prices: PriceTable; problems: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    return { prices: {}, problems: [`cannot read the price file ${file}: ${(err as Error).message}`] };
  }
  return parsePriceTable(raw, file);
}

/** The effective table: built-in prices, then the price file, then explicit prices. */
export function resolvePrices(options: CostOptions = {}): PriceTable {
  const table: PriceTable = options.replaceDefaults ? {} : { ...DEFAULT_PRICES };
  const files = [options.pricesFile, typeof options.prices === "string" ? options.prices : undefined];
  for (const file of files) {
    if (!file) continue;
    const { prices, problems } = loadPriceFile(file);
    for (const p of problems) warnOnce(`prices:${p}`, `${p}; those prices are ignored.`);
    Object.assign(table, prices);
  }
  if (options.prices && typeof options.prices === "object") {
    const { prices, problems } = parsePriceTable(options.prices, "the prices option");
    for (const p of problems) warnOnce(`prices:${p}`, `${p}; those prices are ignored.`);
    Object.assign(table, prices);
  }
  return table;
}

function normalizeModel(model: string): string {
  return model.trim().toLowerCase().replace(PROVIDER_PREFIX, "").replace(BEDROCK_PREFIX, "").replace(BEDROCK_ANTHROPIC, "$1");
}

/** The price of a model id, matching exact ids first, then dated snapshots of a listed id. */
// model id -> its price (or none), per table: an app uses a handful of models, looked up on every span
const found = new WeakMap<PriceTable, Map<string, { key: string; price: ModelPrice } | undefined>>();
const MAX_REMEMBERED = 1000;

export function findPrice(model: unknown, table: PriceTable = DEFAULT_PRICES): { key: string; price: ModelPrice } | undefined {
  if (typeof model !== "string") return undefined;
  let memo = found.get(table);
  if (!memo) found.set(table, (memo = new Map()));
  if (memo.has(model)) return memo.get(model);
  const result = lookupPrice(model, table);
  if (memo.size < MAX_REMEMBERED) memo.set(model, result);
  return result;
}

function lookupPrice(model: string, table: PriceTable): { key: string; price: ModelPrice } | undefined {
  if (model.trim() === "") return undefined;
  const id = normalizeModel(model);
  const exact = table[id];
  if (exact) return { key: id, price: exact };
  for (const [key, price] of Object.entries(table)) {
    if (id.startsWith(key) && DATE_SUFFIX.test(id.slice(key.length))) return { key, price };
  }
  return undefined;
}

const round = (n: number) => Math.round(n * 1e10) / 1e10;

/** Cost in USD of one call; `prompt` counts every input token, cached ones included (OpenInference). */
const has = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0;

export function computeCost(price: ModelPrice, usage: TokenUsage): Cost | undefined {
  if (!has(usage.prompt) && !has(usage.completion)) return undefined;
  const cacheRead = has(usage.cacheRead) ? usage.cacheRead : 0;
  const cacheWrite = has(usage.cacheWrite) ? usage.cacheWrite : 0;
  const prompt = has(usage.prompt) ? usage.prompt : 0;
  const uncached = Math.max(0, prompt - cacheRead - cacheWrite);
  const readCost = (cacheRead * (price.cacheRead ?? price.input)) / 1e6;
  const writeCost = (cacheWrite * (price.cacheWrite ?? price.input)) / 1e6;
  const promptCost = (uncached * price.input) / 1e6 + readCost + writeCost;
  const completionCost = has(usage.completion) ? (usage.completion * price.output) / 1e6 : 0;
  const cost: Cost = { prompt: round(promptCost), completion: round(completionCost), total: round(promptCost + completionCost) };
  if (cacheRead > 0) cost.cacheRead = round(readCost);
  if (cacheWrite > 0) cost.cacheWrite = round(writeCost);
  return cost;
}

const COSTED_KINDS = new Set(["LLM", "EMBEDDING"]);
const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : undefined);

/** Add llm.cost.* to one span's attributes when its model's price is known (in place). Returns whether it did. */
export function applyCost(attributes: Record<string, unknown>, table: PriceTable): boolean {
  if (!COSTED_KINDS.has(String(attributes[Attr.SPAN_KIND]))) return false;
  if (attributes[Attr.COST_TOTAL] !== undefined) return false; // set by the app or upstream: keep it
  const model =
    attributes[Attr.MODEL_NAME] ??
    attributes[Attr.RESPONSE_MODEL_NAME] ??
    attributes[Attr.REQUEST_MODEL_NAME] ??
    attributes[Attr.EMBEDDING_MODEL_NAME];
  const found = findPrice(model, table);
  if (!found) return false;
  const cost = computeCost(found.price, {
    prompt: num(attributes[Attr.TOKEN_COUNT_PROMPT]),
    completion: num(attributes[Attr.TOKEN_COUNT_COMPLETION]),
    cacheRead: num(attributes[Attr.TOKEN_COUNT_PROMPT_CACHE_READ]),
    cacheWrite: num(attributes[Attr.TOKEN_COUNT_PROMPT_CACHE_WRITE]),
  });
  if (!cost) return false;
  attributes[Attr.COST_PROMPT] = cost.prompt;
  attributes[Attr.COST_COMPLETION] = cost.completion;
  attributes[Attr.COST_TOTAL] = cost.total;
  if (cost.cacheRead !== undefined) attributes[Attr.COST_PROMPT_CACHE_READ] = cost.cacheRead;
  if (cost.cacheWrite !== undefined) attributes[Attr.COST_PROMPT_CACHE_WRITE] = cost.cacheWrite;
  return true;
}

/** The export-time transform: llm.cost.* from the token counts and the resolved price table. */
export function costTransform(options: CostOptions): AttributeTransform {
  const table = resolvePrices(options);
  return (attributes) => {
    applyCost(attributes, table);
  };
}

export const pricesAsOf = (): string => PRICES_AS_OF;
