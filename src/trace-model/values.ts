/** Attribute values as the summaries read them: empty strings and non-numbers count as absent. */
export const str = (v: unknown): string | undefined => (v === undefined || v === null || v === "" ? undefined : String(v));
export const num = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
