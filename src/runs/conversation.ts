/**
 * A conversation as a chain of message digests, so a model call can be recognised as the
 * continuation of an earlier one: its input messages begin with that call's input messages
 * followed by its output. Digests use what both sides record identically — the role, the text
 * (reasoning left out), tool call ids and tool result ids — and at most 512 characters of a text,
 * so a long conversation costs little to hash.
 */
import type { MessageLike } from "../integrations/kit/messages";

const TEXT_SAMPLE = 256;

function sample(text: string): string {
  return text.length <= 2 * TEXT_SAMPLE ? text : `${text.length}:${text.slice(0, TEXT_SAMPLE)}${text.slice(-TEXT_SAMPLE)}`;
}

function textOf(m: MessageLike): string {
  if (typeof m.content === "string") return m.content;
  if (!m.contents) return "";
  let out = "";
  for (const c of m.contents) if (c.type !== "reasoning" && typeof c.text === "string") out += c.text;
  return out;
}

/** What identifies one message across the two places it appears (a call's output, the next call's input). */
export function digest(m: MessageLike): string {
  let calls = "";
  if (m.toolCalls) for (const t of m.toolCalls) calls += `${t.id ?? t.name ?? ""};`;
  return `${m.role ?? ""}\u0001${sample(textOf(m))}\u0001${calls}\u0001${m.toolCallId ?? ""}`;
}

/** A 53-bit string hash (cyrb53): not cryptographic, only a key for a bounded in-process map. */
function hash(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The key of a conversation that has `messages` so far, extended one message at a time. */
export function extend(key: number, m: MessageLike): number {
  return hash(digest(m), key);
}

export const EMPTY_CONVERSATION = 0;

/** Keys of every prefix of `messages`: prefixes[k] is the key of messages[0..k). */
export function prefixKeys(messages: readonly MessageLike[]): number[] {
  const keys = [EMPTY_CONVERSATION];
  let key = EMPTY_CONVERSATION;
  for (const m of messages) keys.push((key = extend(key, m)));
  return keys;
}
