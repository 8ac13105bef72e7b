/**
 * Amazon Bedrock Agents' InvokeAgent → an AGENT span, and the agent's trace (the `trace` events
 * of its response stream, sent when the request sets enableTrace) → its children:
 *  - modelInvocationInput / modelInvocationOutput (pre-processing, orchestration,
 *    post-processing, routing) → LLM spans with the prompt, the raw answer, tool calls and tokens;
 *  - invocationInput / observation of an action group → TOOL, of a knowledge base → RETRIEVER
 *    (with the retrieved references as documents), of the code interpreter → TOOL, of an agent
 *    collaborator → AGENT (the collaborator's own trace parts nest under it);
 *  - guardrail traces → GUARDRAIL.
 * Trace parts of one step share a traceId; an input opens a child, its output (same traceId)
 * closes it. Children are timed by when their events arrived and recorded when the stream ends.
 */
import { context, trace, SpanKind, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { Attr, OpenInferenceAttribute as OIA } from "../../semconv";
import { tokenAttributes } from "../../spans/usage";
import { identityFrom } from "../../spans/context";
import { setInputMessages, setOutputMessages, stringify, truncateText, type MessageLike, type StreamAccumulator } from "../kit";
import { messagesOf as anthropicMessages, outputMessage as anthropicOutputMessage } from "../anthropic/mapping";
import { PROVIDER, requestIdAttributes, systemOf } from "../bedrock/mapping";
import type { TracerSource } from "../types";

/** The AGENT span's attributes before the call: who is invoked, with what input. */
export function invokeAgentRequest(input: any): Attributes {
  const a: Attributes = {};
  if (typeof input?.agentId === "string") {
    a[Attr.AGENT_ID] = input.agentId;
    a[Attr.AGENT_NAME] = input.agentId;
    a["aws.bedrock.agent.id"] = input.agentId;
  }
  if (typeof input?.agentAliasId === "string") a["aws.bedrock.agent.alias_id"] = input.agentAliasId;
  if (typeof input?.sessionId === "string") {
    a["aws.bedrock.agent.session_id"] = input.sessionId;
    // the agent's session is the conversation, unless the app already named one around this call
    if (!identityFrom(context.active())?.sessionId) a[Attr.SESSION_ID] = input.sessionId;
  }
  if (typeof input?.memoryId === "string") a["aws.bedrock.agent.memory_id"] = input.memoryId;
  if (typeof input?.inputText === "string") {
    a[Attr.INPUT_VALUE] = input.inputText;
    a[Attr.INPUT_MIME_TYPE] = "text/plain";
  } else if (input?.sessionState?.returnControlInvocationResults) {
    a[Attr.INPUT_VALUE] = stringify(input.sessionState.returnControlInvocationResults);
    a[Attr.INPUT_MIME_TYPE] = "application/json";
  }
  return a;
}

export function invokeAgentResponse(span: Span, output: any): void {
  const a = requestIdAttributes(output);
  if (typeof output?.memoryId === "string") a["aws.bedrock.agent.memory_id"] = output.memoryId;
  span.setAttributes(a);
}

// ---------------------------------------------------------------------------------------------
// the trace parts
// ---------------------------------------------------------------------------------------------

type ChildKind = "LLM" | "TOOL" | "RETRIEVER" | "AGENT" | "GUARDRAIL";

interface Child {
  kind: ChildKind;
  name: string;
  attributes: Attributes;
  start: number;
  end?: number;
  /** Which open collaborator this child belongs to (its trace parts name it). */
  collaborator?: string;
  /** A collaborator's AGENT child: the name its own trace parts carry. */
  opens?: string;
  span?: Span;
}

/** "PRE_PROCESSING" → "Pre-processing" */
const PHASES: Record<string, string> = {
  PRE_PROCESSING: "Pre-processing",
  ORCHESTRATION: "Orchestration",
  POST_PROCESSING: "Post-processing",
  KNOWLEDGE_BASE_RESPONSE_GENERATION: "Knowledge base response generation",
  ROUTING_CLASSIFIER: "Routing classifier",
};
const PHASE_OF_TRACE: Record<string, string> = {
  preProcessingTrace: "PRE_PROCESSING",
  orchestrationTrace: "ORCHESTRATION",
  postProcessingTrace: "POST_PROCESSING",
  routingClassifierTrace: "ROUTING_CLASSIFIER",
  customOrchestrationTrace: "ORCHESTRATION",
};

/**
 * A union member this SDK version does not know yet arrives as `{ $unknown: [name, value] }`
 * (an older client reading a newer trace): read it as the member it is.
 */
function known(union: any): any {
  const u = union?.$unknown;
  return Array.isArray(u) && typeof u[0] === "string" ? { [u[0]]: u[1] } : union;
}

/** The agent's prompt: a JSON messages body (Anthropic-shaped on Claude agents) or plain text. */
function promptMessages(text: unknown): MessageLike[] {
  if (typeof text !== "string") return [];
  try {
    const body = JSON.parse(text);
    if (body && typeof body === "object" && Array.isArray(body.messages)) {
      return anthropicMessages({ ...body, messages: body.messages.map((m: any) => ({ ...m, content: looseContent(m?.content) })) });
    }
  } catch {
    /* a plain-text prompt */
  }
  return [{ role: "user", content: text }];
}

/** Agents write message content as text that may itself hold JSON content blocks. */
function looseContent(content: unknown): unknown {
  if (typeof content !== "string" || !content.startsWith("[")) return content;
  try {
    const blocks = JSON.parse(content);
    return Array.isArray(blocks) ? blocks : content;
  } catch {
    return content;
  }
}

/** The model's raw answer: an Anthropic message body, or plain text. */
function answerMessage(raw: unknown, parsedText: unknown): { message: MessageLike; finish?: string } {
  if (typeof raw === "string") {
    try {
      const body = JSON.parse(raw);
      if (body && typeof body === "object" && Array.isArray(body.content)) return { message: anthropicOutputMessage(body), finish: body.stop_reason ?? undefined };
    } catch {
      /* plain text */
    }
    return { message: { role: "assistant", content: raw } };
  }
  return { message: { role: "assistant", content: typeof parsedText === "string" ? parsedText : "" } };
}

function toolParameters(input: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of Array.isArray(input?.parameters) ? input.parameters : []) if (p?.name !== undefined) out[p.name] = p.value;
  const body = input?.requestBody?.content;
  if (body && typeof body === "object") {
    for (const [mime, props] of Object.entries<any>(body)) {
      const values: Record<string, unknown> = {};
      for (const p of Array.isArray(props?.properties) ? props.properties : Array.isArray(props) ? props : []) if (p?.name !== undefined) values[p.name] = p.value;
      out[mime] = values;
    }
  }
  return out;
}

/**
 * Gathers an agent's trace parts into child spans of its AGENT span. Runs as the stream passes:
 * `add` records what each event says and when it came; `finish` starts and ends the children
 * (with those times) under the agent span, then sets the agent's own output.
 */
export class AgentTraceAccumulator implements StreamAccumulator {
  private readonly callContext: Context = context.active();
  private readonly children: Child[] = [];
  /** Open children by the traceId (and kind of step) of the input that opened them. */
  private readonly open = new Map<string, Child>();
  private readonly decoder = new TextDecoder();
  private text = "";
  private returnControl?: unknown;
  private failure?: string;
  private llmCalls = 0;
  private toolCalls = 0;

  constructor(
    private readonly source: TracerSource,
    private readonly maxLength: number,
  ) {}

  add(event: any): void {
    const now = Date.now();
    if (event.chunk?.bytes instanceof Uint8Array) {
      this.text += this.decoder.decode(event.chunk.bytes, { stream: true });
    } else if (event.trace) this.addTrace(event.trace, now);
    else if (event.returnControl) this.returnControl = event.returnControl;
  }

  private addTrace(part: any, now: number): void {
    const t = known(part.trace);
    if (!t || typeof t !== "object") return;
    const collaborator = typeof part.collaboratorName === "string" ? part.collaboratorName : undefined;
    if (t.guardrailTrace) return this.guardrail(t.guardrailTrace, collaborator, now);
    if (t.failureTrace) {
      this.failure = t.failureTrace.failureReason ?? "failed";
      return;
    }
    for (const [key, phase] of Object.entries(PHASE_OF_TRACE)) {
      const step = known(t[key]);
      if (!step) continue;
      if (step.modelInvocationInput) this.modelInput(step.modelInvocationInput, phase, collaborator, now);
      if (step.modelInvocationOutput) this.modelOutput(step.modelInvocationOutput, now);
      if (step.invocationInput) this.invocationInput(step.invocationInput, collaborator, now);
      if (step.observation) this.observation(step.observation, now);
      if (step.invocationOutput) this.observation(step.invocationOutput, now);
    }
  }

  private openChild(key: string, child: Child): void {
    this.children.push(child);
    this.open.set(key, child);
  }

  private modelInput(input: any, phase: string, collaborator: string | undefined, now: number): void {
    const type = typeof input.type === "string" ? input.type : phase;
    const model = input.foundationModel;
    const a: Attributes = { [Attr.LLM_PROVIDER]: PROVIDER, [Attr.STREAMING]: false };
    const system = systemOf(model);
    if (system) {
      a[Attr.LLM_SYSTEM] = system;
      a[Attr.SYSTEM] = system;
    }
    if (typeof model === "string") a[Attr.MODEL_NAME] = model;
    if (typeof input.text === "string") {
      a[Attr.INPUT_VALUE] = input.text;
      a[Attr.INPUT_MIME_TYPE] = input.text.startsWith("{") ? "application/json" : "text/plain";
      setInputMessages(a, promptMessages(input.text));
    }
    if (input.inferenceConfiguration) a[Attr.INVOCATION_PARAMETERS] = stringify(input.inferenceConfiguration);
    this.llmCalls++;
    this.openChild(`llm:${input.traceId}`, { kind: "LLM", name: `${PHASES[type] ?? type} model`, attributes: a, start: now, collaborator });
  }

  private modelOutput(output: any, now: number): void {
    const child = this.open.get(`llm:${output.traceId}`);
    if (!child) return;
    this.open.delete(`llm:${output.traceId}`);
    const a = child.attributes;
    const raw = output.rawResponse?.content;
    const { message, finish } = answerMessage(raw, output.parsedResponse?.text ?? output.parsedResponse?.rationale);
    a[Attr.OUTPUT_VALUE] = typeof raw === "string" ? raw : (message.content ?? "");
    a[Attr.OUTPUT_MIME_TYPE] = typeof raw === "string" && raw.startsWith("{") ? "application/json" : "text/plain";
    setOutputMessages(a, [message]);
    if (finish) a[Attr.FINISH_REASON] = finish;
    const usage = output.metadata?.usage;
    if (usage) Object.assign(a, tokenAttributes({ prompt: usage.inputTokens, completion: usage.outputTokens }));
    child.end = now;
  }

  private invocationInput(input: any, collaborator: string | undefined, now: number): void {
    const key = `step:${input.traceId}`;
    if (input.actionGroupInvocationInput) {
      const g = input.actionGroupInvocationInput;
      const name = g.function ?? g.apiPath ?? g.actionGroupName ?? "action group";
      const a: Attributes = { [Attr.TOOL_NAME]: name, [Attr.INPUT_VALUE]: stringify(toolParameters(g)), [Attr.INPUT_MIME_TYPE]: "application/json" };
      if (g.actionGroupName) a["aws.bedrock.agent.action_group"] = g.actionGroupName;
      if (g.verb) a["http.request.method"] = String(g.verb).toUpperCase();
      if (g.invocationId) a[Attr.TOOL_CALL_ID] = g.invocationId;
      this.toolCalls++;
      this.openChild(key, { kind: "TOOL", name, attributes: a, start: now, collaborator });
    } else if (input.knowledgeBaseLookupInput) {
      const kb = input.knowledgeBaseLookupInput;
      const a: Attributes = { [Attr.INPUT_VALUE]: kb.text ?? "", [Attr.INPUT_MIME_TYPE]: "text/plain" };
      if (kb.knowledgeBaseId) a["aws.bedrock.knowledge_base.id"] = kb.knowledgeBaseId;
      this.openChild(key, { kind: "RETRIEVER", name: `Knowledge base ${kb.knowledgeBaseId ?? ""}`.trim(), attributes: a, start: now, collaborator });
    } else if (input.codeInterpreterInvocationInput) {
      const c = input.codeInterpreterInvocationInput;
      this.toolCalls++;
      this.openChild(key, { kind: "TOOL", name: "code_interpreter", attributes: { [Attr.TOOL_NAME]: "code_interpreter", [Attr.INPUT_VALUE]: c.code ?? "", [Attr.INPUT_MIME_TYPE]: "text/plain" }, start: now, collaborator });
    } else if (input.agentCollaboratorInvocationInput) {
      const c = input.agentCollaboratorInvocationInput;
      const name = c.agentCollaboratorName ?? "collaborator";
      const text = c.input?.text ?? (c.input?.returnControlResults ? stringify(c.input.returnControlResults) : undefined);
      const a: Attributes = { [Attr.AGENT_NAME]: name };
      if (text !== undefined) {
        a[Attr.INPUT_VALUE] = text;
        a[Attr.INPUT_MIME_TYPE] = "text/plain";
      }
      if (c.agentCollaboratorAliasArn) a["aws.bedrock.agent.alias_arn"] = c.agentCollaboratorAliasArn;
      this.openChild(key, { kind: "AGENT", name, attributes: a, start: now, collaborator, opens: name });
    }
  }

  private observation(obs: any, now: number): void {
    const key = `step:${obs.traceId}`;
    const child = this.open.get(key);
    if (!child) return;
    const a = child.attributes;
    if (obs.actionGroupInvocationOutput) {
      a[Attr.OUTPUT_VALUE] = obs.actionGroupInvocationOutput.text ?? "";
      a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    } else if (obs.knowledgeBaseLookupOutput) {
      const refs: any[] = Array.isArray(obs.knowledgeBaseLookupOutput.retrievedReferences) ? obs.knowledgeBaseLookupOutput.retrievedReferences : [];
      refs.forEach((r, i) => {
        const p = OIA.documentPrefix(i);
        if (r?.content?.text !== undefined) a[OIA.documentContent(p)] = r.content.text;
        const location = r?.location?.s3Location?.uri ?? r?.location?.webLocation?.url ?? r?.location?.confluenceLocation?.url ?? r?.location?.sharePointLocation?.url ?? r?.location?.salesforceLocation?.url ?? r?.location?.customDocumentLocation?.id;
        if (location !== undefined) a[OIA.documentId(p)] = location;
        if (r?.metadata || r?.location) a[OIA.documentMetadata(p)] = stringify({ ...(r.metadata ?? {}), ...(r.location ? { location: r.location } : {}) });
      });
    } else if (obs.codeInterpreterInvocationOutput) {
      const c = obs.codeInterpreterInvocationOutput;
      a[Attr.OUTPUT_VALUE] = c.executionOutput ?? c.executionError ?? "";
      a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    } else if (obs.agentCollaboratorInvocationOutput) {
      const c = obs.agentCollaboratorInvocationOutput;
      a[Attr.OUTPUT_VALUE] = c.output?.text ?? stringify(c.output ?? {});
      a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    } else return; // FINISH, ASK_USER, REPROMPT: the step's model call already says it
    this.open.delete(key);
    child.end = now;
  }

  private guardrail(g: any, collaborator: string | undefined, now: number): void {
    const a: Attributes = {};
    if (g.action) a["aws.bedrock.guardrail.action"] = g.action;
    if (Array.isArray(g.inputAssessments) && g.inputAssessments.length) a[Attr.INPUT_VALUE] = stringify(g.inputAssessments);
    if (Array.isArray(g.outputAssessments) && g.outputAssessments.length) a[Attr.OUTPUT_VALUE] = stringify(g.outputAssessments);
    this.children.push({ kind: "GUARDRAIL", name: "Guardrail", attributes: a, start: now, end: now, collaborator });
  }

  finish(span: Span): void {
    const end = Date.now();
    const parentCtx = trace.setSpan(this.callContext, span);
    // a collaborator's own parts nest under the AGENT child that invoked it (by its name)
    const collaborators = new Map<string, Child>();
    for (const c of this.children) {
      const parent = c.collaborator !== undefined ? collaborators.get(c.collaborator) : undefined;
      const ctx = parent?.span ? trace.setSpan(parentCtx, parent.span) : parentCtx;
      c.span = this.source.tracer.startSpan(c.name, { kind: SpanKind.INTERNAL, startTime: c.start }, ctx);
      c.span.setAttributes({ [Attr.SPAN_KIND]: c.kind, ...c.attributes });
      if (c.opens !== undefined) collaborators.set(c.opens, c);
    }
    // children end before the agent; a child whose output never came ends with the stream
    for (let i = this.children.length - 1; i >= 0; i--) {
      const c = this.children[i]!;
      c.span!.end(Math.min(c.end ?? end, end));
    }
    const a: Attributes = {};
    if (this.returnControl !== undefined && this.text === "") {
      a[Attr.OUTPUT_VALUE] = stringify({ returnControl: this.returnControl });
      a[Attr.OUTPUT_MIME_TYPE] = "application/json";
    } else {
      a[Attr.OUTPUT_VALUE] = truncateText(this.text + this.decoder.decode(), this.maxLength);
      a[Attr.OUTPUT_MIME_TYPE] = "text/plain";
    }
    if (this.llmCalls) a[Attr.AGENT_LLM_CALL_COUNT] = this.llmCalls;
    if (this.toolCalls) a[Attr.AGENT_TOOL_CALL_COUNT] = this.toolCalls;
    span.setAttributes(a);
    if (this.failure !== undefined) span.addEvent("bedrock_agent.failure", { reason: this.failure });
  }
}
