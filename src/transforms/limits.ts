/**
 * Export-time size limits, so big prompts never make spans a collector refuses:
 *  1. at most `maxMessages` input messages per span: the oldest are cut, system/developer
 *     messages and the last ones kept, then renumbered 0..n-1; the output side is never cut;
 *  2. each attribute value at most `maxAttributeLength` characters, cut with a visible marker
 *     (a cut JSON value becomes text/plain); base64 data URLs are replaced, never cut in half;
 *  3. at most `maxAttributes` attributes and about MAX_SPAN_CHARS characters per span: more input
 *     messages go first, then other non-essential keys; the output, token counts, cost and
 *     model name are never removed.
 * What was cut is recorded on the span: inference.tracing.truncated_attributes (keys) and
 * inference.tracing.input_messages_dropped (a count).
 */
import type { Config } from "../config";
import type { AttributeTransform } from "./types";
import { Attr } from "../semconv";
import { truncateText } from "../util/truncate";

export const TRUNCATED_ATTRIBUTES = "inference.tracing.truncated_attributes";
export const INPUT_MESSAGES_DROPPED = "inference.tracing.input_messages_dropped";
export const DROPPED_ATTRIBUTES = "inference.tracing.dropped_attribute_count";

const INPUT_PREFIX = `${Attr.LLM_INPUT_MESSAGES}.`;
const ROLE_SUFFIX = `.${Attr.MESSAGE_ROLE}`;
const KEEP_ROLES = new Set(["system", "developer"]);


/** Keys that are never removed to meet the count or size budget. */
export function isEssential(key: string): boolean {
  return (
    key.startsWith("output.") ||
    key.startsWith(`${Attr.LLM_OUTPUT_MESSAGES}.`) ||
    key.startsWith("llm.token_count.") ||
    key.startsWith("llm.cost.") ||
    key === Attr.MODEL_NAME ||
    key === Attr.REQUEST_MODEL_NAME ||
    key === Attr.RESPONSE_MODEL_NAME ||
    key === Attr.EMBEDDING_MODEL_NAME ||
    key === Attr.SPAN_KIND ||
    key === Attr.LLM_PROVIDER ||
    key === Attr.LLM_SYSTEM ||
    key === Attr.SYSTEM ||
    key === Attr.FINISH_REASON ||
    key === Attr.SESSION_ID ||
    key === Attr.USER_ID ||
    key === Attr.TOOL_NAME ||
    key === Attr.TOOL_CALL_ID ||
    key.startsWith("agent.") ||
    key.startsWith("inference.tracing.") ||
    key.startsWith("exception.")
  );
}

/** Input messages grouped by index: index → keys. */
function inputMessages(attributes: Record<string, unknown>): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith(INPUT_PREFIX)) continue;
    const rest = key.slice(INPUT_PREFIX.length);
    const dot = rest.indexOf(".");
    const idx = Number(dot === -1 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(idx) || idx < 0) continue;
    const list = groups.get(idx) ?? [];
    list.push(key);
    groups.set(idx, list);
  }
  return groups;
}

/**
 * Keep at most `max` input messages: every system/developer message (the first ones if even
 * those are too many) and the most recent others; renumber the kept ones in order.
 * Returns how many were dropped.
 */
export function capInputMessages(attributes: Record<string, unknown>, max: number): number {
  const groups = inputMessages(attributes);
  if (groups.size <= max) return 0;
  const indices = [...groups.keys()].sort((a, b) => a - b);
  const isSystem = (i: number) => KEEP_ROLES.has(String(attributes[`${INPUT_PREFIX}${i}${ROLE_SUFFIX}`] ?? "").toLowerCase());
  const keep = new Set<number>();
  // the last message (the current question) always stays
  const lastIdx = indices[indices.length - 1]!;
  keep.add(lastIdx);
  for (const i of indices) {
    if (keep.size >= max) break;
    if (isSystem(i)) keep.add(i);
  }
  for (let k = indices.length - 1; k >= 0 && keep.size < max; k--) keep.add(indices[k]!);
  const kept = indices.filter((i) => keep.has(i));
  // rebuild the llm.input_messages.* keys, renumbered
  const moved: [string, unknown][] = [];
  for (const i of indices) {
    const keys = groups.get(i)!;
    const newIdx = kept.indexOf(i);
    for (const key of keys) {
      const v = attributes[key];
      delete attributes[key];
      if (newIdx >= 0) moved.push([`${INPUT_PREFIX}${newIdx}${key.slice(`${INPUT_PREFIX}${i}`.length)}`, v]);
    }
  }
  for (const [k, v] of moved) attributes[k] = v;
  const dropped = indices.length - kept.length;
  attributes[INPUT_MESSAGES_DROPPED] = (Number(attributes[INPUT_MESSAGES_DROPPED]) || 0) + dropped;
  return dropped;
}

const sizeOf = (key: string, v: unknown): number =>
  key.length + (typeof v === "string" ? v.length : Array.isArray(v) ? v.reduce((n: number, x) => n + (typeof x === "string" ? x.length : 8), 0) : 8);

export interface LimitSettings {
  maxAttributeLength: number;
  maxMessages: number;
  maxAttributes: number;
  /** Approximate characters per span (keys + values). */
  maxSpanChars?: number;
}

/** One pass over the span: true when no limit can apply (the common case), so nothing else runs. */
function withinAllLimits(attributes: Record<string, unknown>, s: LimitSettings, maxChars: number): boolean {
  let inputKeys = 0;
  let total = 0;
  // Object.keys, not for-in: several times faster on the dictionary-mode objects that hold many attributes
  const keys = Object.keys(attributes);
  const count = keys.length;
  if (count > s.maxAttributes) return false;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    const v = attributes[key];
    if (typeof v === "string") {
      if (v.length > s.maxAttributeLength) return false;
      total += key.length + v.length;
    } else if (Array.isArray(v)) return false; // arrays have their own per-item and length rules: the full pass
    else total += key.length + 8;
    // every input message has at least one key, so this bounds the number of messages
    if (key.startsWith(INPUT_PREFIX)) inputKeys++;
  }
  return total <= maxChars && inputKeys <= s.maxMessages;
}

export function applyLimits(attributes: Record<string, unknown>, s: LimitSettings): void {
  const maxChars = s.maxSpanChars ?? Math.max(1_000_000, 4 * s.maxAttributeLength);
  if (withinAllLimits(attributes, s, maxChars)) return;
  const truncated: string[] = [];
  capInputMessages(attributes, s.maxMessages);

  for (const key of Object.keys(attributes)) {
    const v = attributes[key];
    if (typeof v === "string") {
      if (v.length > s.maxAttributeLength) {
        attributes[key] = truncateText(v, s.maxAttributeLength);
        truncated.push(key);
      }
    } else if (Array.isArray(v)) {
      let changed = false;
      let next = v.map((x) => {
        if (typeof x === "string" && x.length > s.maxAttributeLength) {
          changed = true;
          return truncateText(x, s.maxAttributeLength);
        }
        return x;
      });
      // an array attribute (e.g. an embedding vector) is also bounded in total
      const budget = Math.max(16, Math.floor(s.maxAttributeLength / 8));
      if (next.length > budget && typeof next[0] !== "string") {
        next = next.slice(0, budget);
        changed = true;
      }
      if (changed) {
        attributes[key] = next;
        truncated.push(key);
      }
    }
  }
  // a cut JSON value is no longer JSON
  for (const [valueKey, mimeKey] of [
    [Attr.INPUT_VALUE, Attr.INPUT_MIME_TYPE],
    [Attr.OUTPUT_VALUE, Attr.OUTPUT_MIME_TYPE],
  ] as const) {
    if (truncated.includes(valueKey) && attributes[mimeKey] === "application/json") attributes[mimeKey] = "text/plain";
  }

  // count and total-size budgets: input messages first (oldest), then other non-essential keys
  const over = () => {
    const keys = Object.keys(attributes);
    if (keys.length > s.maxAttributes) return true;
    let total = 0;
    for (const k of keys) total += sizeOf(k, attributes[k]);
    return total > maxChars;
  };
  let guard = 0;
  while (over() && guard++ < 10_000) {
    const n = inputMessages(attributes).size;
    if (n > 1) {
      capInputMessages(attributes, n - 1);
      continue;
    }
    // drop the largest non-essential attribute (ties: the last one); the last input message goes last
    let victim: string | undefined;
    for (const spareLastMessage of [true, false]) {
      let size = -1;
      for (const k of Object.keys(attributes)) {
        if (isEssential(k) || (spareLastMessage && k.startsWith(INPUT_PREFIX))) continue;
        const z = sizeOf(k, attributes[k]);
        if (z >= size) {
          size = z;
          victim = k;
        }
      }
      if (victim) break;
    }
    if (!victim) break;
    delete attributes[victim];
    attributes[DROPPED_ATTRIBUTES] = (Number(attributes[DROPPED_ATTRIBUTES]) || 0) + 1;
  }
  if (truncated.length) attributes[TRUNCATED_ATTRIBUTES] = truncated.slice(0, 64);
}

export function limitsTransform(config: Pick<Config, "maxAttributeLength" | "maxMessages" | "maxAttributes">): AttributeTransform {
  const settings: LimitSettings = {
    maxAttributeLength: config.maxAttributeLength,
    maxMessages: config.maxMessages,
    maxAttributes: config.maxAttributes,
  };
  return (attributes) => applyLimits(attributes, settings);
}
