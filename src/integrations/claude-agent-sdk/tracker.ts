/**
 * Turning the Claude Agent SDK's message stream into spans. Pure call-time logic: it is fed
 * every SDKMessage the app receives (in order) and opens/ends spans as the conversation goes:
 *
 *   AGENT  claude_agent_sdk.query           the whole query() loop (session id, cost, turns, outcome)
 *     LLM  claude_agent_sdk.turn            one per model API turn (grouped by message.id)
 *     TOOL <tool name>                      one per tool_use -> tool_result pair
 *       LLM / TOOL …                        a subagent's turns and tools (parent_tool_use_id)
 *
 * The SDK repeats the same assistant message (same id, same usage) once per content block,
 * so usage is taken once per message id. Every extractor runs under guarded(): a fault in
 * here never reaches the app; the span is marked incomplete instead.
 */
import { SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { Attr, MessageRole, OpenInferenceAttribute as OIA, SpanKindValues } from "../../semconv";
import { ioValue, safeJson } from "../../spans/coerce";
import { normalizeUsage, tokenAttributes, type TokenCounts } from "../../spans/usage";
import { recordError } from "../../spans/run-in-span";
import { faultPoint, guarded } from "../../util/fault";
import { truncateText } from "../../util/truncate";

/** Main-agent key for per-agent state (subagents are keyed by their parent tool_use id). */
const MAIN = "\u0000main";
const MAX_INPUT_MESSAGES = 64;

interface PendingInput {
  role: string;
  content?: string;
  toolCallId?: string;
}

interface Turn {
  id: string;
  span: Span;
  usage?: TokenCounts;
  /** Output tokens known exactly (from a message_delta stream event). */
  exactOutput?: number;
  blocks: any[];
  lastSeen: number;
  model?: string;
  stopReason?: string;
}

interface AgentState {
  /** The span this agent's turns and tools hang under (AGENT for main, its TOOL for subagents). */
  parentCtx: Context;
  pendingInput: PendingInput[];
  turn?: Turn;
  /** When this agent's next model call started (approximately): after its last input arrived. */
  readyAt: number;
}

interface ToolSpan {
  span: Span;
  ctx: Context;
  name: string;
}


/** Text of an Anthropic content value (string or blocks), thinking excluded. */
export function textOfContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return content === undefined || content === null ? "" : safeJson(content);
  const parts: string[] = [];
  for (const b of content) {
    if (typeof b === "string") parts.push(b);
    else if (b?.type === "text" && typeof b.text === "string") parts.push(b.text);
    else if (b?.type === "image") parts.push("[image]");
    else if (b?.type === "tool_result") parts.push(textOfContent(b.content));
  }
  return parts.join("\n");
}

export interface TrackerOptions {
  tracer: Tracer;
  /** Longest text held for a span (the configured maxAttributeLength). */
  maxText: number;
  /** The context query() was called in (the AGENT span's parent). */
  parentCtx: Context;
  prompt: unknown;
  options: Record<string, any> | undefined;
  /** How the query was started: "query", "startup", "prewarm". */
  entry: string;
}

export class QueryTracker {
  readonly agentSpan: Span;
  readonly agentCtx: Context;
  private readonly tracer: Tracer;
  private readonly maxText: number;
  private readonly agents = new Map<string, AgentState>();
  private readonly tools = new Map<string, ToolSpan>();
  /** Contexts of finished tool calls, for subagents that keep running after their tool returned (background agents). */
  private readonly toolCtxs = new Map<string, Context>();
  private readonly subagents = new Map<string, { span: Span; ctx: Context }>();
  /** Message ids whose usage was already counted (bounded: only recent ids are kept). */
  private readonly countedIds = new Set<string>();
  private llmCalls = 0;
  private toolCalls = 0;
  private ended = false;
  private failed = false;
  private sawInput = false;

  private clip(text: string): string {
    return truncateText(text, this.maxText);
  }

  constructor(o: TrackerOptions) {
    this.tracer = o.tracer;
    this.maxText = o.maxText;
    const attrs: Attributes = { [Attr.SPAN_KIND]: SpanKindValues.AGENT, [Attr.LLM_SYSTEM]: "anthropic", [Attr.LLM_PROVIDER]: "anthropic" };
    this.agentSpan = this.tracer.startSpan("claude_agent_sdk.query", { attributes: attrs }, o.parentCtx);
    this.agentCtx = trace.setSpan(o.parentCtx, this.agentSpan);
    guarded(this.agentSpan, "claude-agent-sdk.start", () => {
      faultPoint("claude-agent-sdk.start");
      const a: Attributes = { "claude_agent_sdk.entry": o.entry };
      const opts = o.options ?? {};
      if (typeof o.prompt === "string") {
        const io = ioValue(this.clip(o.prompt));
        a[Attr.INPUT_VALUE] = io.value;
        a[Attr.INPUT_MIME_TYPE] = io.mimeType;
      }
      if (typeof opts.model === "string") a[Attr.MODEL_NAME] = opts.model;
      if (typeof opts.agent === "string") a[Attr.AGENT_NAME] = opts.agent;
      else a[Attr.AGENT_NAME] = "Claude Agent";
      if (typeof opts.resume === "string") a[Attr.SESSION_ID] = opts.resume;
      else if (typeof opts.sessionId === "string") a[Attr.SESSION_ID] = opts.sessionId;
      const params: Record<string, unknown> = {};
      for (const k of ["model", "fallbackModel", "maxTurns", "maxBudgetUsd", "permissionMode", "allowedTools", "disallowedTools", "tools", "effort", "maxThinkingTokens", "thinking", "cwd", "resume", "continue", "forkSession", "includePartialMessages"]) {
        const v = opts[k];
        if (v !== undefined && typeof v !== "function") params[k] = v;
      }
      if (opts.mcpServers && typeof opts.mcpServers === "object") params.mcpServers = Object.keys(opts.mcpServers);
      if (opts.agents && typeof opts.agents === "object") params.agents = Object.keys(opts.agents);
      if (Object.keys(params).length > 0) a[Attr.INVOCATION_PARAMETERS] = safeJson(params);
      if (typeof opts.systemPrompt === "string" && opts.systemPrompt) {
        this.agentState(MAIN).pendingInput.push({ role: MessageRole.SYSTEM, content: this.clip(opts.systemPrompt) });
      } else if (opts.systemPrompt && typeof opts.systemPrompt === "object" && typeof opts.systemPrompt.append === "string") {
        this.agentState(MAIN).pendingInput.push({ role: MessageRole.SYSTEM, content: this.clip(opts.systemPrompt.append) });
      }
      if (typeof o.prompt === "string") this.agentState(MAIN).pendingInput.push({ role: MessageRole.USER, content: this.clip(o.prompt) });
      this.agentSpan.setAttributes(a);
    });
  }

  private agentState(key: string): AgentState {
    let s = this.agents.get(key);
    if (!s) {
      let parentCtx = this.agentCtx;
      if (key !== MAIN) parentCtx = this.tools.get(key)?.ctx ?? this.toolCtxs.get(key) ?? this.agentCtx;
      s = { parentCtx, pendingInput: [], readyAt: Date.now() };
      this.agents.set(key, s);
    }
    return s;
  }

  /** A subagent started under a tool call (Agent/Task): its own AGENT span under that TOOL span. */
  private onTaskStarted(msg: any): void {
    const toolUseId = msg.tool_use_id;
    if (typeof toolUseId !== "string" || this.subagents.has(toolUseId)) return;
    const parentCtx = this.tools.get(toolUseId)?.ctx ?? this.toolCtxs.get(toolUseId) ?? this.agentCtx;
    const name = typeof msg.subagent_type === "string" ? msg.subagent_type : "subagent";
    const span = this.tracer.startSpan(`subagent ${name}`, { attributes: { [Attr.SPAN_KIND]: SpanKindValues.AGENT, [Attr.AGENT_NAME]: name } }, parentCtx);
    guarded(span, "claude-agent-sdk.task", () => {
      faultPoint("claude-agent-sdk.task");
      const a: Attributes = { "claude_agent_sdk.parent_tool_use_id": toolUseId };
      if (typeof msg.task_id === "string") a[Attr.AGENT_ID] = msg.task_id;
      if (typeof msg.description === "string") a["claude_agent_sdk.task.description"] = this.clip(msg.description);
      if (typeof msg.is_backgrounded === "boolean") a["claude_agent_sdk.task.backgrounded"] = msg.is_backgrounded;
      if (typeof msg.prompt === "string") {
        a[Attr.INPUT_VALUE] = this.clip(msg.prompt);
        a[Attr.INPUT_MIME_TYPE] = "text/plain";
      }
      if (typeof msg.session_id === "string") a[Attr.SESSION_ID] = msg.session_id;
      span.setAttributes(a);
    });
    const ctx = trace.setSpan(parentCtx, span);
    this.subagents.set(toolUseId, { span, ctx });
    const st = this.agentState(toolUseId);
    st.parentCtx = ctx;
    if (typeof msg.prompt === "string" && st.pendingInput.length === 0) st.pendingInput.push({ role: MessageRole.USER, content: this.clip(msg.prompt) });
  }

  private onTaskEnded(msg: any): void {
    const toolUseId = msg.tool_use_id;
    const sub = typeof toolUseId === "string" ? this.subagents.get(toolUseId) : undefined;
    if (!sub) return;
    this.subagents.delete(toolUseId);
    const st = this.agents.get(toolUseId);
    if (st?.turn) this.endTurn(st);
    this.agents.delete(toolUseId);
    guarded(sub.span, "claude-agent-sdk.task-end", () => {
      faultPoint("claude-agent-sdk.task-end");
      const a: Attributes = {};
      if (typeof msg.status === "string") a["claude_agent_sdk.task.status"] = msg.status;
      if (typeof msg.summary === "string") {
        a[Attr.OUTPUT_VALUE] = this.clip(msg.summary);
        a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
      }
      if (msg.usage && typeof msg.usage === "object") a["claude_agent_sdk.task.usage"] = safeJson(msg.usage);
      sub.span.setAttributes(a);
      if (msg.status === "failed" || msg.status === "killed" || msg.status === "error") sub.span.setStatus({ code: SpanStatusCode.ERROR, message: String(msg.status) });
      else sub.span.setStatus({ code: SpanStatusCode.OK });
    });
    sub.span.end();
  }

  /** A user message the app streamed in (AsyncIterable prompt): input of the next main turn. */
  observeInput(msg: any): void {
    if (this.ended || !msg || typeof msg !== "object") return;
    guarded(this.agentSpan, "claude-agent-sdk.input", () => {
      faultPoint("claude-agent-sdk.input");
      if (msg.type !== "user") return;
      const key = typeof msg.parent_tool_use_id === "string" && msg.parent_tool_use_id ? msg.parent_tool_use_id : MAIN;
      const st = this.agentState(key);
      const text = textOfContent(msg.message?.content);
      if (text) st.pendingInput.push({ role: MessageRole.USER, content: this.clip(text) });
      if (st.pendingInput.length > MAX_INPUT_MESSAGES) st.pendingInput.splice(0, st.pendingInput.length - MAX_INPUT_MESSAGES);
      st.readyAt = Date.now();
      if (key === MAIN && text && !this.sawInput) {
        this.sawInput = true;
        this.agentSpan.setAttributes({ [Attr.INPUT_VALUE]: this.clip(text), [Attr.INPUT_MIME_TYPE]: "text/plain" });
      }
    });
  }

  /** Observe one message the SDK yielded. Never throws. */
  observe(msg: any): void {
    if (this.ended || !msg || typeof msg !== "object") return;
    guarded(this.agentSpan, "claude-agent-sdk.message", () => {
      faultPoint("claude-agent-sdk.message");
      const key = typeof msg.parent_tool_use_id === "string" && msg.parent_tool_use_id ? msg.parent_tool_use_id : MAIN;
      switch (msg.type) {
        case "system":
          if (msg.subtype === "init") this.onInit(msg);
          else if (msg.subtype === "task_started") this.onTaskStarted(msg);
          else if (msg.subtype === "task_notification") this.onTaskEnded(msg);
          break;
        case "assistant":
          this.onAssistant(key, msg);
          break;
        case "user":
          this.onUser(key, msg);
          break;
        case "stream_event":
          this.onStreamEvent(key, msg);
          break;
        case "result":
          this.onResult(msg);
          break;
        default:
          break;
      }
    });
  }

  private onInit(msg: any): void {
    // the CLI is up: the first model call starts now, not when the process was spawned
    const main = this.agentState(MAIN);
    if (this.llmCalls === 0 && !main.turn) main.readyAt = Math.max(main.readyAt, Date.now());
    const a: Attributes = {};
    if (typeof msg.session_id === "string") a[Attr.SESSION_ID] = msg.session_id;
    if (typeof msg.model === "string") a[Attr.MODEL_NAME] = msg.model;
    if (typeof msg.claude_code_version === "string") a["claude_agent_sdk.claude_code_version"] = msg.claude_code_version;
    if (typeof msg.permissionMode === "string") a["claude_agent_sdk.permission_mode"] = msg.permissionMode;
    if (Array.isArray(msg.tools)) a["claude_agent_sdk.tools"] = msg.tools.filter((t: unknown) => typeof t === "string").slice(0, 200);
    this.agentSpan.setAttributes(a);
  }

  private startTurn(key: string, st: AgentState, id: string, model: string | undefined): Turn {
    const span = this.tracer.startSpan(
      "claude_agent_sdk.turn",
      { attributes: { [Attr.SPAN_KIND]: SpanKindValues.LLM, [Attr.LLM_SYSTEM]: "anthropic", [Attr.LLM_PROVIDER]: "anthropic" }, startTime: st.readyAt },
      st.parentCtx,
    );
    this.llmCalls++;
    const turn: Turn = { id, span, blocks: [], lastSeen: Date.now(), model };
    guarded(span, "claude-agent-sdk.turn-input", () => {
      faultPoint("claude-agent-sdk.turn-input");
      const a: Attributes = {};
      if (model) a[Attr.MODEL_NAME] = model;
      if (key !== MAIN) a["claude_agent_sdk.parent_tool_use_id"] = key;
      const inputs = st.pendingInput.slice(-MAX_INPUT_MESSAGES);
      inputs.forEach((m, i) => {
        const p = OIA.inputMessagePrefix(i);
        a[OIA.role(p)] = m.role;
        if (m.content !== undefined) a[OIA.content(p)] = m.content;
        if (m.toolCallId) a[OIA.messageToolCallId(p)] = m.toolCallId;
      });
      const last = [...inputs].reverse().find((m) => m.role !== MessageRole.SYSTEM);
      if (last?.content !== undefined) {
        a[Attr.INPUT_VALUE] = last.content;
        a[Attr.INPUT_MIME_TYPE] = "text/plain";
      }
      span.setAttributes(a);
    });
    st.pendingInput = [];
    st.turn = turn;
    return turn;
  }

  private onAssistant(key: string, msg: any): void {
    const m = msg.message ?? {};
    const st = this.agentState(key);
    const id = typeof m.id === "string" ? m.id : `anon-${this.llmCalls}`;
    let turn = st.turn;
    if (!turn || turn.id !== id) {
      if (turn) this.endTurn(st);
      turn = this.startTurn(key, st, id, typeof m.model === "string" ? m.model : undefined);
    }
    turn.lastSeen = Date.now();
    if (typeof m.model === "string") turn.model = m.model;
    if (typeof m.stop_reason === "string") turn.stopReason = m.stop_reason;
    // usage: once per API turn, whatever the number of messages repeating it
    if (m.usage && typeof m.usage === "object") {
      const counts = normalizeUsage(m.usage);
      if (!turn.usage) turn.usage = counts;
      else if ((counts.completion ?? 0) > (turn.usage.completion ?? 0)) turn.usage.completion = counts.completion;
    }
    const content = Array.isArray(m.content) ? m.content : [];
    for (const b of content) {
      turn.blocks.push(b);
      if (b?.type === "tool_use" && typeof b.id === "string") this.startTool(st, b, key);
    }
    if (msg.error) {
      turn.span.setAttribute("claude_agent_sdk.error", String(msg.error));
      turn.span.setStatus({ code: SpanStatusCode.ERROR, message: String(msg.error) });
    }
  }

  private startTool(st: AgentState, block: any, agentKey: string): void {
    if (this.tools.has(block.id)) return;
    const name = typeof block.name === "string" ? block.name : "tool";
    const span = this.tracer.startSpan(name, { attributes: { [Attr.SPAN_KIND]: SpanKindValues.TOOL } }, st.parentCtx);
    this.toolCalls++;
    guarded(span, "claude-agent-sdk.tool-input", () => {
      faultPoint("claude-agent-sdk.tool-input");
      const io = ioValue(block.input ?? {});
      const a: Attributes = {
        [Attr.TOOL_NAME]: name,
        [Attr.TOOL_CALL_ID]: block.id,
        [Attr.TOOL_PARAMETERS]: safeJson(block.input ?? {}),
        [Attr.INPUT_VALUE]: this.clip(io.value),
        [Attr.INPUT_MIME_TYPE]: io.mimeType,
      };
      if (agentKey !== MAIN) a["claude_agent_sdk.parent_tool_use_id"] = agentKey;
      if (name === "Agent" || name === "Task") {
        const sub = block.input?.subagent_type;
        if (typeof sub === "string") a["claude_agent_sdk.subagent_type"] = sub;
      }
      span.setAttributes(a);
    });
    this.tools.set(block.id, { span, ctx: trace.setSpan(st.parentCtx, span), name });
  }

  private onUser(key: string, msg: any): void {
    const st = this.agentState(key);
    const content = msg.message?.content;
    if (st.turn) this.endTurn(st);
    if (Array.isArray(content)) {
      for (const b of content) {
        if (b?.type === "tool_result") {
          const text = this.clip(textOfContent(b.content));
          st.pendingInput.push({ role: MessageRole.TOOL, content: text, toolCallId: typeof b.tool_use_id === "string" ? b.tool_use_id : undefined });
          this.endTool(b, msg.tool_use_result);
        } else if (b?.type === "text" && typeof b.text === "string") {
          st.pendingInput.push({ role: MessageRole.USER, content: this.clip(b.text) });
        }
      }
    } else if (typeof content === "string") {
      st.pendingInput.push({ role: MessageRole.USER, content: this.clip(content) });
    }
    if (st.pendingInput.length > MAX_INPUT_MESSAGES) st.pendingInput.splice(0, st.pendingInput.length - MAX_INPUT_MESSAGES);
    st.readyAt = Date.now();
  }

  private endTool(block: any, structured: unknown): void {
    const id = block.tool_use_id;
    const t = typeof id === "string" ? this.tools.get(id) : undefined;
    if (!t) return;
    this.tools.delete(id);
    guarded(t.span, "claude-agent-sdk.tool-output", () => {
      faultPoint("claude-agent-sdk.tool-output");
      const text = textOfContent(block.content);
      t.span.setAttributes({ [Attr.OUTPUT_VALUE]: this.clip(text), [Attr.OUTPUT_MIME_TYPE]: "text/plain" });
      if (structured !== undefined && typeof structured === "object" && structured !== null && !Array.isArray(structured)) {
        t.span.setAttribute("claude_agent_sdk.tool_use_result", this.clip(safeJson(structured)));
      }
      if (block.is_error === true) t.span.setStatus({ code: SpanStatusCode.ERROR, message: this.clip(text).slice(0, 500) });
      else t.span.setStatus({ code: SpanStatusCode.OK });
    });
    this.toolCtxs.set(id, t.ctx);
    if (this.toolCtxs.size > 500) this.toolCtxs.delete(this.toolCtxs.keys().next().value as string);
    // a foreground subagent run under this tool is over: close its open turn
    if (!this.subagents.has(id)) {
      const sub = this.agents.get(id);
      if (sub?.turn) this.endTurn(sub);
      this.agents.delete(id);
    }
    t.span.end();
  }

  private onStreamEvent(key: string, msg: any): void {
    const ev = msg.event;
    if (!ev || typeof ev !== "object") return;
    const st = this.agentState(key);
    if (ev.type === "message_start") {
      st.readyAt = Math.min(st.readyAt, Date.now());
    } else if (ev.type === "message_delta" && st.turn && typeof ev.usage?.output_tokens === "number") {
      st.turn.exactOutput = ev.usage.output_tokens;
      if (typeof ev.delta?.stop_reason === "string") st.turn.stopReason = ev.delta.stop_reason;
    }
  }

  private endTurn(st: AgentState, exactOutputFromTotals?: number): void {
    const turn = st.turn;
    if (!turn) return;
    st.turn = undefined;
    guarded(turn.span, "claude-agent-sdk.turn-output", () => {
      faultPoint("claude-agent-sdk.turn-output");
      const a: Attributes = {};
      if (turn.model) a[Attr.MODEL_NAME] = turn.model;
      if (turn.stopReason) a[Attr.FINISH_REASON] = turn.stopReason;
      const p = OIA.outputMessagePrefix(0);
      a[OIA.role(p)] = MessageRole.ASSISTANT;
      const text = turn.blocks.filter((b) => b?.type === "text").map((b) => String(b.text ?? "")).join("");
      if (text) a[OIA.content(p)] = this.clip(text);
      const thinking = turn.blocks.filter((b) => b?.type === "thinking" || b?.type === "redacted_thinking");
      if (thinking.length > 0) {
        let k = 0;
        for (const b of turn.blocks) {
          if (b?.type === "text" || b?.type === "thinking" || b?.type === "redacted_thinking") {
            const cp = OIA.contentPrefix(p, k++);
            a[OIA.contentType(cp)] = b.type === "text" ? "text" : "thinking";
            a[OIA.contentText(cp)] = this.clip(String(b.type === "text" ? b.text : (b.thinking ?? "[redacted]")));
          }
        }
      }
      let j = 0;
      for (const b of turn.blocks) {
        if (b?.type !== "tool_use") continue;
        const tp = OIA.toolCallPrefix(p, j++);
        a[OIA.toolCallId(tp)] = String(b.id ?? "");
        a[OIA.toolCallFunctionName(tp)] = String(b.name ?? "");
        a[OIA.toolCallFunctionArguments(tp)] = this.clip(safeJson(b.input ?? {}));
      }
      if (text) {
        a[Attr.OUTPUT_VALUE] = this.clip(text);
        a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
      } else if (j > 0) {
        const io = ioValue(turn.blocks.filter((b) => b?.type === "tool_use").map((b) => ({ name: b.name, input: b.input })));
        a[Attr.OUTPUT_VALUE] = this.clip(io.value);
        a[Attr.OUTPUT_MIME_TYPE] = io.mimeType;
      }
      if (turn.usage && !this.countedIds.has(turn.id)) {
        this.countedIds.add(turn.id);
        if (this.countedIds.size > 1000) this.countedIds.delete(this.countedIds.values().next().value as string);
        const counts: TokenCounts = { ...turn.usage };
        const exact = turn.exactOutput ?? exactOutputFromTotals;
        if (exact !== undefined) counts.completion = exact;
        counts.total = (counts.prompt ?? 0) + (counts.completion ?? 0);
        Object.assign(a, tokenAttributes(counts));
        a["claude_agent_sdk.usage.output_exact"] = exact !== undefined;
      }
      turn.span.setAttributes(a);
    });
    turn.span.end(turn.lastSeen);
  }

  private onResult(msg: any): void {
    // the final turn(s): when every other turn of this query had exact output counts, the
    // result's total gives the last one exactly too
    const main = this.agents.get(MAIN);
    let remainder: number | undefined;
    guarded(this.agentSpan, "claude-agent-sdk.result", () => {
      faultPoint("claude-agent-sdk.result");
      const total = msg.usage?.output_tokens;
      if (typeof total === "number" && main?.turn && !main.turn.exactOutput && this.llmCalls === 1 && this.agents.size === 1) remainder = total;
    });
    if (main?.turn) this.endTurn(main, remainder);
    guarded(this.agentSpan, "claude-agent-sdk.result-attrs", () => {
      faultPoint("claude-agent-sdk.result-attrs");
      const a: Attributes = {};
      if (typeof msg.session_id === "string") a[Attr.SESSION_ID] = msg.session_id;
      if (typeof msg.total_cost_usd === "number") a[Attr.COST_TOTAL] = msg.total_cost_usd;
      if (typeof msg.num_turns === "number") a["claude_agent_sdk.num_turns"] = msg.num_turns;
      if (typeof msg.subtype === "string") a["claude_agent_sdk.result.subtype"] = msg.subtype;
      if (typeof msg.stop_reason === "string") a[Attr.FINISH_REASON] = msg.stop_reason;
      if (typeof msg.terminal_reason === "string") a["claude_agent_sdk.result.terminal_reason"] = msg.terminal_reason;
      if (typeof msg.duration_ms === "number") a["claude_agent_sdk.duration_ms"] = msg.duration_ms;
      if (typeof msg.duration_api_ms === "number") a["claude_agent_sdk.duration_api_ms"] = msg.duration_api_ms;
      if (typeof msg.is_error === "boolean") a["claude_agent_sdk.result.is_error"] = msg.is_error;
      // session totals as the SDK reports them; not llm.token_count.* (the LLM spans carry those)
      if (msg.usage && typeof msg.usage === "object") a["claude_agent_sdk.usage"] = safeJson(tokenAttributes(normalizeUsage(msg.usage)));
      if (msg.modelUsage && typeof msg.modelUsage === "object") a["claude_agent_sdk.model_usage"] = this.clip(safeJson(msg.modelUsage));
      if (Array.isArray(msg.permission_denials) && msg.permission_denials.length > 0) a["claude_agent_sdk.permission_denials"] = this.clip(safeJson(msg.permission_denials));
      if (typeof msg.result === "string") {
        a[Attr.OUTPUT_VALUE] = this.clip(msg.result);
        a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
      }
      a[Attr.AGENT_LLM_CALL_COUNT] = this.llmCalls;
      a[Attr.AGENT_TOOL_CALL_COUNT] = this.toolCalls;
      this.agentSpan.setAttributes(a);
      if (msg.is_error === true || (typeof msg.subtype === "string" && msg.subtype.startsWith("error"))) {
        this.failed = true;
        const errors = Array.isArray(msg.errors) ? msg.errors.join("; ") : "";
        this.agentSpan.setStatus({ code: SpanStatusCode.ERROR, message: (errors || msg.result || msg.subtype || "error").toString().slice(0, 500) });
      }
    });
  }

  /** The query ended (iterator finished, threw, was returned or closed). Idempotent. */
  finish(err?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    for (const st of this.agents.values()) if (st.turn) guarded(this.agentSpan, "claude-agent-sdk.finish", () => this.endTurn(st));
    for (const t of this.tools.values()) {
      guarded(t.span, "claude-agent-sdk.finish-tool", () => t.span.setAttribute("claude_agent_sdk.tool_unfinished", true));
      t.span.end();
    }
    this.tools.clear();
    for (const sub of this.subagents.values()) {
      guarded(sub.span, "claude-agent-sdk.finish-task", () => sub.span.setAttribute("claude_agent_sdk.task.unfinished", true));
      sub.span.end();
    }
    this.subagents.clear();
    this.toolCtxs.clear();
    this.agents.clear();
    if (err !== undefined) recordError(this.agentSpan, err);
    else {
      guarded(this.agentSpan, "claude-agent-sdk.finish-attrs", () => {
        this.agentSpan.setAttributes({ [Attr.AGENT_LLM_CALL_COUNT]: this.llmCalls, [Attr.AGENT_TOOL_CALL_COUNT]: this.toolCalls });
      });
      if (!this.failed) this.agentSpan.setStatus({ code: SpanStatusCode.OK });
    }
    this.agentSpan.end();
  }
}

