/** The conversation of an LLM span, rebuilt from its flattened OpenInference message keys. */
import { Attr } from "../semconv";
import { str } from "./values";

export interface ToolCall {
  id?: string;
  name?: string;
  arguments?: string;
}
export interface Message {
  role: string;
  content?: string;
  name?: string;
  toolCallId?: string;
  toolCalls: ToolCall[];
  /** Non-text parts (images, audio) described briefly. */
  parts: string[];
}

/** Rebuild `llm.input_messages.N.message.*` (or output) keys into messages, in index order. */
export function messagesOf(attributes: Record<string, unknown>, which: "input" | "output"): Message[] {
  const base = which === "input" ? Attr.LLM_INPUT_MESSAGES : Attr.LLM_OUTPUT_MESSAGES;
  const prefix = `${base}.`;
  const byIndex = new Map<number, Record<string, unknown>>();
  for (const [k, v] of Object.entries(attributes)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const dot = rest.indexOf(".");
    const i = Number(rest.slice(0, dot));
    if (dot < 0 || !Number.isInteger(i)) continue;
    const fields = byIndex.get(i) ?? {};
    fields[rest.slice(dot + 1)] = v;
    byIndex.set(i, fields);
  }
  const out: Message[] = [];
  for (const i of [...byIndex.keys()].sort((x, y) => x - y)) {
    const f = byIndex.get(i)!;
    const m: Message = { role: str(f["message.role"]) ?? "unknown", toolCalls: [], parts: [] };
    const content = str(f["message.content"]);
    if (content !== undefined) m.content = content;
    const name = str(f["message.name"]);
    if (name !== undefined) m.name = name;
    const tcid = str(f["message.tool_call_id"]);
    if (tcid !== undefined) m.toolCallId = tcid;
    const calls = new Map<number, ToolCall>();
    const parts = new Map<number, Record<string, unknown>>();
    for (const [k, v] of Object.entries(f)) {
      let match = /^message\.tool_calls\.(\d+)\.tool_call\.(.+)$/.exec(k);
      if (match) {
        const c = calls.get(Number(match[1])) ?? {};
        if (match[2] === "id") c.id = str(v);
        else if (match[2] === "function.name") c.name = str(v);
        else if (match[2] === "function.arguments") c.arguments = str(v);
        calls.set(Number(match[1]), c);
        continue;
      }
      match = /^message\.contents\.(\d+)\.message_content\.(.+)$/.exec(k);
      if (match) {
        const p = parts.get(Number(match[1])) ?? {};
        p[match[2]!] = v;
        parts.set(Number(match[1]), p);
      }
    }
    m.toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => c);
    const texts: string[] = [];
    for (const [, p] of [...parts.entries()].sort((a, b) => a[0] - b[0])) {
      if (p.text !== undefined) texts.push(String(p.text));
      else if (p["image.image.url"] !== undefined) m.parts.push(`[image ${String(p["image.image.url"]).slice(0, 80)}]`);
      else if (p.type !== undefined) m.parts.push(`[${String(p.type)}]`);
    }
    if (m.content === undefined && texts.length) m.content = texts.join("\n");
    out.push(m);
  }
  return out;
}

/** The tools an LLM span's output asked to call, from its output messages' tool calls. */
export function calledTools(attributes: Record<string, unknown>): string[] {
  return messagesOf(attributes, "output").flatMap((m) => m.toolCalls.map((tc) => tc.name).filter((n): n is string => !!n));
}
