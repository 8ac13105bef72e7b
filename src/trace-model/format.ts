/** The formatters every view uses (console tree, CLI, web page): durations, tokens, cost. */

/** Put before a figure that is a tokenizer's estimate (tokens, and the cost computed from them). */
export const ESTIMATE_MARK = "≈";
const mark = (estimated: boolean | undefined) => (estimated ? ESTIMATE_MARK : "");

/** 0.56ms, 85ms, 2.35s, 3m12s; "-" when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

/** Dollars: two significant digits below a dollar ($0.000039, $0.042, $0.50), cents above ($1.23); "-" when unknown. */
export function formatCost(usd: number | undefined, estimated?: boolean): string {
  if (usd === undefined || !Number.isFinite(usd)) return "-";
  if (usd === 0) return `${mark(estimated)}$0`;
  const abs = Math.abs(usd);
  const digits = abs >= 1 ? 2 : Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(abs))));
  return `${mark(estimated)}$${usd.toFixed(digits)}`;
}

/** prompt→completion (total), "?" for a missing side; "-" when there are none. */
export function formatTokens(prompt?: number, completion?: number, total?: number, estimated?: boolean): string {
  if (prompt === undefined && completion === undefined && total === undefined) return "-";
  return `${mark(estimated)}${prompt ?? "?"}→${completion ?? "?"}${total !== undefined ? ` (${total})` : ""}`;
}

/** A token count on its own ("≈155" when estimated); "-" when unknown. */
export function formatTokenCount(total: number | undefined, estimated?: boolean): string {
  return total === undefined ? "-" : `${mark(estimated)}${total}`;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
