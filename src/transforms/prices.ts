/**
 * The price table shipped in the package: USD per million tokens, as published on the
 * providers' pricing pages on PRICES_AS_OF. It is never fetched or refreshed at run time;
 * users override or extend it with a JSON file (CATALYST_PRICES_FILE) or an option.
 *
 * A model id matches an entry when it equals the entry's key, or is the key followed by a
 * date stamp (`gpt-4o-mini-2024-07-18`, `claude-3-5-haiku-20241022`, Vertex AI's
 * `claude-3-5-haiku@20241022`) or `-latest`. Any other
 * id (a preview, a fine-tune, an audio variant) has no price: we never guess.
 */

export const PRICES_AS_OF = "2025-11-24";

export interface ModelPrice {
  /** Uncached input tokens. */
  input: number;
  /** Output (completion) tokens, reasoning tokens included. */
  output: number;
  /** Input tokens read from the prompt cache (defaults to `input` when the provider lists none). */
  cacheRead?: number;
  /** Input tokens written to the prompt cache (Anthropic's 5-minute cache write). */
  cacheWrite?: number;
}

export type PriceTable = Record<string, ModelPrice>;

const openai: PriceTable = {
  "gpt-5": { input: 1.25, cacheRead: 0.125, output: 10 },
  "gpt-5-mini": { input: 0.25, cacheRead: 0.025, output: 2 },
  "gpt-5-nano": { input: 0.05, cacheRead: 0.005, output: 0.4 },
  "gpt-4.1": { input: 2, cacheRead: 0.5, output: 8 },
  "gpt-4.1-mini": { input: 0.4, cacheRead: 0.1, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, cacheRead: 0.025, output: 0.4 },
  "gpt-4o": { input: 2.5, cacheRead: 1.25, output: 10 },
  // the first gpt-4o snapshot kept its launch price
  "gpt-4o-2024-05-13": { input: 5, output: 15 },
  "gpt-4o-mini": { input: 0.15, cacheRead: 0.075, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-4": { input: 30, output: 60 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, cacheRead: 7.5, output: 60 },
  "o1-mini": { input: 1.1, cacheRead: 0.55, output: 4.4 },
  o3: { input: 2, cacheRead: 0.5, output: 8 },
  "o3-mini": { input: 1.1, cacheRead: 0.55, output: 4.4 },
  "o4-mini": { input: 1.1, cacheRead: 0.275, output: 4.4 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
};

/** Anthropic: cache reads cost 0.1x input, 5-minute cache writes 1.25x input. */
const anthropic: PriceTable = {
  "claude-opus-4-5": { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  "claude-opus-4-1": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-opus-4": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-sonnet-4-5": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-sonnet-4": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-haiku-4-5": { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  "claude-3-7-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-5-sonnet": { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
  "claude-3-opus": { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  "claude-3-haiku": { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 },
};

/**
 * Amazon Bedrock, on-demand in US East (N. Virginia), as listed on https://aws.amazon.com/bedrock/pricing/
 * on 2025-11-24 (Bedrock lists per 1,000 tokens; these are per million). Keys are Bedrock model ids;
 * cost.ts strips an ARN's resource path and a cross-region prefix (`us.`, `eu.`, `global.`, …) before
 * the lookup. Anthropic's models on Bedrock cost what Anthropic lists, so they are priced from the
 * table above (`anthropic.claude-3-5-haiku-20241022-v1:0` → `claude-3-5-haiku`). Nova's cache reads
 * cost a quarter of its input price.
 */
const bedrock: PriceTable = {
  "amazon.nova-micro-v1:0": { input: 0.035, output: 0.14, cacheRead: 0.00875 },
  "amazon.nova-lite-v1:0": { input: 0.06, output: 0.24, cacheRead: 0.015 },
  "amazon.nova-pro-v1:0": { input: 0.8, output: 3.2, cacheRead: 0.2 },
  "amazon.nova-premier-v1:0": { input: 2.5, output: 12.5, cacheRead: 0.625 },
  "amazon.titan-text-express-v1": { input: 0.2, output: 0.6 },
  "amazon.titan-text-lite-v1": { input: 0.15, output: 0.2 },
  "amazon.titan-text-premier-v1:0": { input: 0.5, output: 1.5 },
  "amazon.titan-embed-text-v1": { input: 0.1, output: 0 },
  "amazon.titan-embed-text-v2:0": { input: 0.02, output: 0 },
  "meta.llama3-8b-instruct-v1:0": { input: 0.3, output: 0.6 },
  "meta.llama3-70b-instruct-v1:0": { input: 2.65, output: 3.5 },
  "meta.llama3-1-8b-instruct-v1:0": { input: 0.22, output: 0.22 },
  "meta.llama3-1-70b-instruct-v1:0": { input: 0.72, output: 0.72 },
  "meta.llama3-1-405b-instruct-v1:0": { input: 2.4, output: 2.4 },
  "meta.llama3-2-1b-instruct-v1:0": { input: 0.1, output: 0.1 },
  "meta.llama3-2-3b-instruct-v1:0": { input: 0.15, output: 0.15 },
  "meta.llama3-2-11b-instruct-v1:0": { input: 0.16, output: 0.16 },
  "meta.llama3-2-90b-instruct-v1:0": { input: 0.72, output: 0.72 },
  "meta.llama3-3-70b-instruct-v1:0": { input: 0.72, output: 0.72 },
  "meta.llama4-scout-17b-instruct-v1:0": { input: 0.17, output: 0.66 },
  "meta.llama4-maverick-17b-instruct-v1:0": { input: 0.24, output: 0.97 },
  "mistral.mistral-7b-instruct-v0:2": { input: 0.15, output: 0.2 },
  "mistral.mixtral-8x7b-instruct-v0:1": { input: 0.45, output: 0.7 },
  "mistral.mistral-small-2402-v1:0": { input: 1, output: 3 },
  "mistral.mistral-large-2402-v1:0": { input: 4, output: 12 },
  "mistral.mistral-large-2407-v1:0": { input: 2, output: 6 },
  "mistral.pixtral-large-2502-v1:0": { input: 2, output: 6 },
  "cohere.command-r-v1:0": { input: 0.5, output: 1.5 },
  "cohere.command-r-plus-v1:0": { input: 3, output: 15 },
  "cohere.embed-english-v3": { input: 0.1, output: 0 },
  "cohere.embed-multilingual-v3": { input: 0.1, output: 0 },
  "ai21.jamba-1-5-mini-v1:0": { input: 0.2, output: 0.4 },
  "ai21.jamba-1-5-large-v1:0": { input: 2, output: 8 },
  "deepseek.r1-v1:0": { input: 1.35, output: 5.4 },
};

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({ ...openai, ...anthropic, ...bedrock });
