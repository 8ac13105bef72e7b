/**
 * The one way we shorten text: at call time (an integration holding a long transcript) and at
 * export time (the size limits), with the same visible marker, never splitting a surrogate pair,
 * and never cutting a base64 data URL in half (it becomes a placeholder naming its media type).
 */
export const truncationMarker = (cut: number) => `…[truncated ${cut} chars]`;

/** `text` itself when it fits in `max` characters, else a prefix plus the marker, within `max`. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (/^data:[a-z]+\/[a-z0-9.+-]+[^,]*;base64,/i.test(text)) {
    return `[base64 ${text.slice(5, text.indexOf(";"))} omitted: ${text.length} chars]`;
  }
  const cutLen = text.length - max;
  const m = truncationMarker(cutLen + 64);
  let keep = Math.max(0, max - m.length);
  const code = text.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  return text.slice(0, keep) + truncationMarker(text.length - keep);
}
