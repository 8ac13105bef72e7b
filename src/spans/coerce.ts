/**
 * Turning arbitrary values into OpenTelemetry attribute values without ever throwing:
 * primitives and homogeneous primitive arrays pass through; everything else becomes JSON.
 * Circular references, BigInt, functions, symbols, errors, Maps, Sets and binary data are
 * rendered as readable placeholders.
 */
import type { AttributeValue } from "@opentelemetry/api";

const MAX_DEPTH = 24;

function plain(value: unknown, depth: number, ancestors: object[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
      return null;
    case "function":
      return `[Function${value.name ? `: ${value.name}` : ""}]`;
    case "symbol":
      return value.toString();
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.includes(obj)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Too deep]";
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  if (obj instanceof Error) return { name: obj.name, message: obj.message };
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `[binary ${(obj as ArrayBuffer).byteLength} bytes]`;
  ancestors.push(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => plain(v, depth + 1, ancestors));
    if (obj instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of obj) out[String(k)] = plain(v, depth + 1, ancestors);
      return out;
    }
    if (obj instanceof Set) return [...obj].map((v) => plain(v, depth + 1, ancestors));
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      try {
        return plain(toJSON.call(obj), depth + 1, ancestors);
      } catch {
        /* fall back to own properties */
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(obj)) {
      let v: unknown;
      try {
        v = (obj as Record<string, unknown>)[key];
      } catch {
        v = "[Unreadable]";
      }
      if (v === undefined) continue;
      out[key] = plain(v, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

/** JSON.stringify that never throws. */
export function safeJson(value: unknown): string {
  try {
    return JSON.stringify(plain(value, 0, [])) ?? "null";
  } catch {
    return '"[Unserializable]"';
  }
}

function isPrimitiveAttr(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));
}

/** An OpenTelemetry-safe attribute value (undefined for null/undefined). */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (isPrimitiveAttr(value)) return value;
  if (Array.isArray(value) && value.length > 0) {
    const t = typeof value[0];
    if (isPrimitiveAttr(value[0]) && value.every((v) => typeof v === t && isPrimitiveAttr(v))) {
      return value as AttributeValue;
    }
  }
  if (Array.isArray(value) && value.length === 0) return [] as string[];
  return safeJson(value);
}

/** input.value / output.value and their mime type: strings are text/plain, the rest JSON. */
export function ioValue(value: unknown): { value: string; mimeType: "text/plain" | "application/json" } {
  if (typeof value === "string") return { value, mimeType: "text/plain" };
  return { value: safeJson(value), mimeType: "application/json" };
}
