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
 * Google Gemini models, from the Gemini Developer API pricing page
 * (https://ai.google.dev/gemini-api/docs/pricing), standard tier, text/image/video input, for
 * prompts up to 200k tokens (the 2.5 Pro and 3 Pro rates double above that; the table is flat);
 * cache reads are the "context caching" rate. Vertex AI lists the same rates for these models
 * (https://cloud.google.com/vertex-ai/generative-ai/pricing); Vertex answers with versioned ids
 * (`-001`), listed too.
 */
const google: PriceTable = {
  "gemini-3-pro-preview": { input: 2, cacheRead: 0.2, output: 12 },
  "gemini-2.5-pro": { input: 1.25, cacheRead: 0.125, output: 10 },
  "gemini-2.5-flash": { input: 0.3, cacheRead: 0.03, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, cacheRead: 0.01, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, cacheRead: 0.025, output: 0.4 },
  "gemini-2.0-flash-001": { input: 0.1, cacheRead: 0.025, output: 0.4 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  "gemini-2.0-flash-lite-001": { input: 0.075, output: 0.3 },
  "gemini-embedding-001": { input: 0.15, output: 0 },
};

/**
 * Mistral AI models, from https://mistral.ai/pricing#api-pricing (La Plateforme, standard tier).
 * `-latest` ids match their family's entry at the price of the model they named on
 * PRICES_AS_OF; dated snapshots (`-2411`: year and month) are listed one by one. Cached prompt
 * tokens cost 10% of input (https://docs.mistral.ai/studio-api/conversations/advanced/prompt-caching).
 */
const mistralModel = (input: number, output: number): ModelPrice => ({ input, output, cacheRead: input / 10 });
const mistral: PriceTable = {
  "mistral-large": mistralModel(2, 6),
  "mistral-large-2411": mistralModel(2, 6),
  "mistral-large-2407": mistralModel(2, 6),
  "mistral-medium": mistralModel(0.4, 2),
  "mistral-medium-2508": mistralModel(0.4, 2),
  "mistral-medium-2505": mistralModel(0.4, 2),
  "mistral-small": mistralModel(0.1, 0.3),
  "mistral-small-2506": mistralModel(0.1, 0.3),
  "mistral-small-2503": mistralModel(0.1, 0.3),
  "magistral-medium": mistralModel(2, 5),
  "magistral-medium-2509": mistralModel(2, 5),
  "magistral-small": mistralModel(0.5, 1.5),
  "magistral-small-2509": mistralModel(0.5, 1.5),
  codestral: mistralModel(0.3, 0.9),
  "codestral-2508": mistralModel(0.3, 0.9),
  "codestral-2501": mistralModel(0.3, 0.9),
  "devstral-medium": mistralModel(0.4, 2),
  "devstral-medium-2507": mistralModel(0.4, 2),
  "devstral-small": mistralModel(0.1, 0.3),
  "devstral-small-2507": mistralModel(0.1, 0.3),
  "ministral-8b": mistralModel(0.1, 0.1),
  "ministral-8b-2410": mistralModel(0.1, 0.1),
  "ministral-3b": mistralModel(0.04, 0.04),
  "ministral-3b-2410": mistralModel(0.04, 0.04),
  "pixtral-large": mistralModel(2, 6),
  "pixtral-large-2411": mistralModel(2, 6),
  "pixtral-12b": mistralModel(0.15, 0.15),
  "pixtral-12b-2409": mistralModel(0.15, 0.15),
  "open-mistral-nemo": mistralModel(0.15, 0.15),
  "open-mistral-nemo-2407": mistralModel(0.15, 0.15),
  "mistral-embed": { input: 0.1, output: 0 },
  "codestral-embed": { input: 0.15, output: 0 },
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

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({ ...openai, ...anthropic, ...google, ...mistral, ...bedrock });
