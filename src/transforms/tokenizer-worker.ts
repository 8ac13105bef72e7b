/**
 * The tokenizer's thread: loads a tokenizer family (the `gpt-tokenizer` package) the first time it is
 * asked for one, and answers { id, counts } (or { id, error }) for each { id, family, texts }.
 * Text longer than MAX_COUNTED_CHARS is counted on its first part and scaled (an estimate either way).
 */
import { parentPort } from "node:worker_threads";

const MAX_COUNTED_CHARS = 100_000;
type Encoding = { countTokens(text: string, options?: object): number };
const encodings = new Map<string, Encoding>();
// special-token text in a prompt ("<|endoftext|>") is counted as the ordinary text it is
const options = { disallowedSpecial: new Set<string>() };

function count(family: string, text: string): number {
  let encoding = encodings.get(family);
  if (!encoding) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    encoding = require(`gpt-tokenizer/encoding/${family}`) as Encoding;
    encodings.set(family, encoding);
  }
  if (!text) return 0;
  if (text.length <= MAX_COUNTED_CHARS) return encoding.countTokens(text, options);
  return Math.round((encoding.countTokens(text.slice(0, MAX_COUNTED_CHARS), options) * text.length) / MAX_COUNTED_CHARS);
}

parentPort?.on("message", (message: { id: number; family: string; texts: string[] }) => {
  try {
    if (!/^(o200k_base|cl100k_base)$/.test(message.family)) throw new Error(`unknown tokenizer ${message.family}`);
    parentPort!.postMessage({ id: message.id, counts: message.texts.map((t) => count(message.family, t)) });
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: (err as Error)?.message ?? String(err) });
  }
});
