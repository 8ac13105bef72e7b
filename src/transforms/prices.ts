/**
 * The price table shipped in the package: USD per million tokens, as published on the
 * providers' pricing pages on PRICES_AS_OF. It is never fetched or refreshed at run time;
 * users override or extend it with a JSON file (CATALYST_PRICES_FILE) or an option.
 *
 * A model id matches an entry when it equals the entry's key, or is the key followed by a
 * date stamp (`gpt-4o-mini-2024-07-18`, `claude-3-5-haiku-20241022`) or `-latest`. Any other
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

export const DEFAULT_PRICES: Readonly<PriceTable> = Object.freeze({ ...openai, ...anthropic });
