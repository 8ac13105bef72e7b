/**
 * Request and response bodies as span text: JSON without inline base64 payloads, invocation
 * parameters without messages or secrets, and call-time truncation with the export-time marker.
 */
import { safeJson } from "../../spans/coerce";
import { truncateText } from "../../util/truncate";

export { truncateText };

const SECRET_KEYS = new Set(["api_key", "apiKey", "authorization", "Authorization", "headers", "password", "secret"]);

/** llm.invocation_parameters: the request minus the listed keys and anything that looks like a secret. */
export function invocationParameters(body: any, omit: readonly string[]): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(body)) {
    if (omit.includes(k) || SECRET_KEYS.has(k)) continue;
    out[k] = body[k];
  }
  return stringify(out);
}

const B64_MIN = 64;

/** A short stand-in for inline base64 data (images, audio, files), so spans stay small. */
export function base64Placeholder(data: string): string {
  return `[base64 omitted: ${data.length} chars]`;
}

/** An image URL as recorded: http(s) URLs kept, data: URLs keep their media type and lose the payload. */
export function imageUrlForSpan(url: unknown): string | undefined {
  if (typeof url !== "string") return undefined;
  if (url.startsWith("data:")) {
    const comma = url.indexOf(",");
    if (comma > 0 && url.length - comma - 1 > B64_MIN) return `${url.slice(0, comma + 1)}${base64Placeholder(url.slice(comma + 1))}`;
  }
  return url;
}

function scrubReplacer(this: any, key: string, value: unknown): unknown {
  if (typeof value === "string" && value.length > B64_MIN) {
    if (value.startsWith("data:") && value.includes(";base64,")) return imageUrlForSpan(value);
    // Anthropic-style { type: "base64", media_type, data }, OpenAI input_audio { data, format }, file_data
    if ((key === "data" && this && (this.type === "base64" || this.format !== undefined)) || key === "file_data") {
      return base64Placeholder(value);
    }
  }
  return value;
}

/** JSON of a request/response with inline base64 payloads replaced by a placeholder. Never throws. */
export function stringify(value: unknown): string {
  try {
    const plain = JSON.stringify(value) ?? "null";
    // the replacer pass (slower) only when the text may hold an inline payload
    if (plain.length < 200 || (!plain.includes(";base64,") && !plain.includes('"data":"') && !plain.includes('"file_data":"'))) return plain;
    return JSON.stringify(value, scrubReplacer) ?? "null";
  } catch {
    return safeJson(value);
  }
}
