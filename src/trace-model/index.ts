/**
 * The one model of a trace every view shares: span records, their summaries, the conversation of
 * an LLM span, the tree, the formatters and the escaping of span text. The console sink
 * (src/export), the store and CLI (src/local, src/cli) and the web page import it; it imports
 * none of them.
 */
export * from "./span-record";
export * from "./summary";
export * from "./messages";
export * from "./tree";
export * from "./format";
export * from "./escape";
export * from "./render-text";
