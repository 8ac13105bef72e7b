/**
 * Span text made safe to print and honest to read. Names, messages and attribute values come from
 * the traced app (and from whoever it talks to): printed raw, control characters would act on the
 * terminal (set its title, rewrite lines, write the clipboard through OSC 52, plant OSC 8 links),
 * and bidirectional overrides or zero-width characters would make a name read as something else.
 * Both are shown as visible escapes (`\x1b`, `\u202e`) instead, in the CLI, the console tree and the web view.
 */

/** C0 controls but tab and newline, DEL, C1 controls. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** Bidirectional embeddings, overrides, isolates and marks; zero-width spaces, joiners and the BOM. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
/** Joiners that real scripts and emoji sequences need inside running text. */
const JOINERS = new Set(["\u200c", "\u200d"]);

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, "0");
const escapeControl = (c: string) => NAMED[c] ?? `\\x${hex(c, 2)}`;
const escapeInvisible = (c: string) => `\\u${hex(c, 4)}`;

/** One line of text (a name, an id, a table cell): every control and invisible character escaped, newlines too. */
export function safeLine(text: string): string {
  return text.replace(/[\n\t]/g, escapeControl).replace(CONTROLS, escapeControl).replace(INVISIBLE, escapeInvisible);
}

/** Running text (a message, a JSON value): newlines and tabs kept, and the joiners scripts and emoji need. */
export function safeText(text: string): string {
  return text.replace(CONTROLS, escapeControl).replace(INVISIBLE, (c) => (JOINERS.has(c) ? c : escapeInvisible(c)));
}
