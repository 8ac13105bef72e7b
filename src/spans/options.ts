/**
 * Reading the descriptive options of agentSpan() / manualSpan() (names, ids, model, tags, usage,
 * attributes) without ever throwing: they describe the span, and a value of the wrong type must not
 * stop the app's function from running. null and undefined mean "not given" (an API response's
 * `usage` can be null); numbers, booleans and bigints become text silently; anything else of the
 * wrong type is coerced or ignored with one warning per option. The options that decide whether a
 * span can exist at all (the options object, the callback, agentId, spanKind) throw typed errors
 * instead (see agent-span.ts, manual-span.ts).
 */
import { warnOnce } from "../util/log";
import { safeJson } from "./coerce";

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function misuse(fnName: string, field: string, expected: string, value: unknown, outcome: string): void {
  warnOnce(`${fnName}.options.${field}`, `${fnName}: options.${field} should be ${expected} (got ${typeName(value)}); ${outcome}.`);
}

/** Any value as text, never throwing: its own String() when it has a meaningful one, else JSON. */
export function safeText(value: unknown): string {
  try {
    const s = String(value);
    if (!/^\[object \w+\]$/.test(s)) return s;
  } catch {
    /* no usable String(): an object without a prototype, a throwing toString */
  }
  return safeJson(value);
}

/** An optional text option (spanName, toolName, agentName, sessionId, model, …). */
export function textOption(fnName: string, field: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  const text = safeText(value);
  misuse(fnName, field, "a string", value, `recorded as ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`);
  return text;
}

/** `tags`: an array of strings; a lone string is one tag, anything else is ignored. */
export function tagsOption(fnName: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    return value.map((tag, i) => (typeof tag === "string" ? tag : (textOption(fnName, `tags[${i}]`, tag) ?? "null")));
  }
  if (typeof value === "string") {
    misuse(fnName, "tags", "an array of strings", value, "recorded as one tag");
    return [value];
  }
  misuse(fnName, "tags", "an array of strings", value, "ignored");
  return undefined;
}

/** An object option (`usage`, `attributes`): anything but an object is ignored. */
export function objectOption(fnName: string, field: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  misuse(fnName, field, "an object", value, "ignored");
  return undefined;
}
