/**
 * The LangChain callback handler: one OpenTelemetry span per LangChain run, parented by the
 * run tree (runId / parentRunId), kept in a bounded registry so runs that never end (a crashed
 * chain, an abandoned stream) cannot leak memory.
 */
import { context, createContextKey, trace, SpanStatusCode, type Attributes, type Context, type Span } from "@opentelemetry/api";
import type { TracerSource } from "../types";
import { Attr, SpanKindValues, type SpanKind } from "../../semconv";
import { recordError } from "../../spans/run-in-span";
import { guarded } from "../../util/fault";
import { internalError } from "../../util/log";
import {
  chainIO,
  chatInputAttributes,
  commonAttributes,
  documentAttributes,
  isGraphRun,
  llmEndAttributes,
  llmStartAttributes,
  promptInputAttributes,
  serializedName,
  toolInput,
  toolOutput,
} from "./mapping";

/** The name our handler carries inside LangChain callback managers (also the dedupe key there). */
export const HANDLER_NAME = "inference_tracing_handler";
/** Set on a span we had to end because its run never reported an end. */
export const UNFINISHED_ATTR = "langchain.run.unfinished";

interface RunEntry {
  /** Undefined for hidden runs (LangGraph bookkeeping): their children attach to the parent. */
  span?: Span;
  /** The context children of this run start in. */
  ctx: Context;
  started: number;
  kind?: SpanKind;
  isGraph?: boolean;
  name?: string;
}

export interface RegistryLimits {
  maxRuns: number;
  ttlMs: number;
}

/** How many ended run ids are remembered (LangSmith posts a run after LangChain ended it). */
const RECENTLY_ENDED = 4096;

/** runId → span, oldest first (Map keeps insertion order), bounded in size and age. */
export class RunRegistry {
  private readonly runs = new Map<string, RunEntry>();
  private readonly ended = new Set<string>();
  constructor(public limits: RegistryLimits = { maxRuns: 10_000, ttlMs: 60 * 60 * 1000 }) {}

  get size(): number {
    return this.runs.size;
  }
  get(runId: unknown): RunEntry | undefined {
    return typeof runId === "string" ? this.runs.get(runId) : undefined;
  }
  set(runId: string, entry: RunEntry): void {
    this.sweep(entry.started);
    this.runs.set(runId, entry);
  }
  take(runId: unknown): RunEntry | undefined {
    if (typeof runId !== "string") return undefined;
    const e = this.runs.get(runId);
    if (e) {
      this.runs.delete(runId);
      this.ended.add(runId);
      if (this.ended.size > RECENTLY_ENDED) this.ended.delete(this.ended.values().next().value!);
    }
    return e;
  }
  /** Whether this run is open here or ended here recently (so another recorder must not record it again). */
  owns(runId: unknown): boolean {
    return typeof runId === "string" && (this.runs.has(runId) || this.ended.has(runId));
  }
  /** Evict runs older than the TTL, and the oldest ones beyond the size limit, ending their spans. */
  sweep(now = Date.now()): void {
    for (const [id, e] of this.runs) {
      const tooMany = this.runs.size >= this.limits.maxRuns;
      if (!tooMany && now - e.started < this.limits.ttlMs) break; // the rest are younger
      this.runs.delete(id);
      if (e.span) {
        try {
          e.span.setAttribute(UNFINISHED_ATTR, true);
          e.span.end();
        } catch (err) {
          internalError("langchain.sweep", err);
        }
      }
    }
  }
}

export const registry = new RunRegistry();

/** Set by the _streamIterator patch: the model run starting in this context streams. */
export const STREAMING_KEY = createContextKey("@inference/tracing.langchain.streaming");
function streamingAttr(): Attributes {
  return context.active().getValue(STREAMING_KEY) ? { [Attr.STREAMING]: true } : {};
}

/** The OpenTelemetry context LangChain work under this run should run in (used by the runWithConfig patch). */
export function contextForRun(runId: unknown): Context | undefined {
  return registry.get(runId)?.ctx;
}

const CONTROL_FLOW = /^(GraphInterrupt|NodeInterrupt|ParentCommand|GraphBubbleUp|Command)$/;

function parentContext(parentRunId: unknown): Context {
  return registry.get(parentRunId)?.ctx ?? context.active();
}

function isHidden(tags: unknown): boolean {
  return Array.isArray(tags) && tags.includes("langsmith:hidden");
}

function start(source: TracerSource, runId: unknown, parentRunId: unknown, name: string, kind: SpanKind, attrs: () => Attributes, extra?: Partial<RunEntry>): void {
  if (typeof runId !== "string") return;
  const parent = parentContext(parentRunId);
  const span = source.tracer.startSpan(name, { attributes: { [Attr.SPAN_KIND]: kind } }, parent);
  guarded(span, "langchain.start", () => span.setAttributes(attrs()));
  registry.set(runId, { span, ctx: trace.setSpan(parent, span), started: Date.now(), kind, name, ...extra });
}

function finish(runId: unknown, attrs?: () => Attributes): void {
  const e = registry.take(runId);
  if (!e?.span) return;
  if (attrs) guarded(e.span, "langchain.end", () => e.span!.setAttributes(attrs()));
  e.span.setStatus({ code: SpanStatusCode.OK });
  e.span.end();
}

function fail(runId: unknown, err: unknown): void {
  const e = registry.take(runId);
  if (!e?.span) return;
  const name = (err as Error | undefined)?.name ?? (err as any)?.constructor?.name;
  if (typeof name === "string" && CONTROL_FLOW.test(name)) {
    // LangGraph interrupts and parent commands are control flow, not failures
    e.span.addEvent("langgraph.interrupt", { "exception.type": name });
    e.span.end();
    return;
  }
  recordError(e.span, err);
  e.span.end();
}

function safe(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    internalError(`langchain.${what}`, err);
  }
}

/**
 * The handler's methods, in the shape LangChain's CallbackManager calls them
 * (@langchain/core 0.3 and 1.x signatures), recording through this install's tracer.
 * Every method swallows its own errors.
 */
export function createHandlerMethods(source: TracerSource) {
  return {
    name: HANDLER_NAME,
    // run inline (not on LangChain's background queue): spans start in the caller's context
    awaitHandlers: true,
    raiseError: false,

    handleChainStart(chain: any, inputs: unknown, runId: string, parentRunId?: string, tags?: string[], metadata?: Record<string, unknown>, _runType?: string, runName?: string) {
      safe("chainStart", () => {
        if (isHidden(tags)) {
          if (typeof runId === "string") registry.set(runId, { ctx: parentContext(parentRunId), started: Date.now() });
          return;
        }
        const graph = isGraphRun(chain);
        const parent = registry.get(parentRunId);
        const node = !graph && parent?.isGraph && typeof metadata?.langgraph_node === "string" ? (metadata.langgraph_node as string) : undefined;
        const name = runName || node || serializedName(chain) || "chain";
        // every graph run (also a sub-agent graph run as a node of another graph) is an agent
        const kind = graph ? SpanKindValues.AGENT : SpanKindValues.CHAIN;
        start(
          source,
          runId,
          parentRunId,
          name,
          kind,
          () => {
            const a: Attributes = { ...commonAttributes(tags, metadata) };
            const io = chainIO(inputs, "input");
            a[Attr.INPUT_VALUE] = io.value;
            a[Attr.INPUT_MIME_TYPE] = io.mimeType;
            if (graph) a[Attr.AGENT_NAME] = name;
            if (node !== undefined) {
              a[Attr.GRAPH_NODE_ID] = node;
              a[Attr.GRAPH_NODE_NAME] = node;
              if (parent?.name) a[Attr.GRAPH_NODE_PARENT_ID] = parent.name;
              if (typeof metadata?.langgraph_step === "number") a["langgraph.step"] = metadata.langgraph_step;
            }
            return a;
          },
          { isGraph: graph },
        );
      });
    },
    handleChainEnd(outputs: unknown, runId: string) {
      safe("chainEnd", () =>
        finish(runId, () => {
          const io = chainIO(outputs, "output");
          return { [Attr.OUTPUT_VALUE]: io.value, [Attr.OUTPUT_MIME_TYPE]: io.mimeType };
        }),
      );
    },
    handleChainError(err: unknown, runId: string) {
      safe("chainError", () => fail(runId, err));
    },

    handleChatModelStart(llm: any, messages: unknown, runId: string, parentRunId?: string, extraParams?: any, tags?: string[], metadata?: Record<string, unknown>, runName?: string) {
      safe("chatModelStart", () =>
        start(source, runId, parentRunId, runName || serializedName(llm) || "chat_model", SpanKindValues.LLM, () => ({
          ...commonAttributes(tags, metadata),
          ...llmStartAttributes(llm, extraParams, metadata),
          ...chatInputAttributes(messages),
          ...streamingAttr(),
        })),
      );
    },
    handleLLMStart(llm: any, prompts: unknown, runId: string, parentRunId?: string, extraParams?: any, tags?: string[], metadata?: Record<string, unknown>, runName?: string) {
      safe("llmStart", () =>
        start(source, runId, parentRunId, runName || serializedName(llm) || "llm", SpanKindValues.LLM, () => ({
          ...commonAttributes(tags, metadata),
          ...llmStartAttributes(llm, extraParams, metadata),
          ...promptInputAttributes(prompts),
          ...streamingAttr(),
        })),
      );
    },
    handleLLMEnd(output: unknown, runId: string) {
      safe("llmEnd", () => finish(runId, () => llmEndAttributes(output)));
    },
    handleLLMError(err: unknown, runId: string) {
      safe("llmError", () => fail(runId, err));
    },

    handleToolStart(tool: any, input: unknown, runId: string, parentRunId?: string, tags?: string[], metadata?: Record<string, unknown>, runName?: string, toolCallId?: string) {
      safe("toolStart", () => {
        const name = runName || serializedName(tool) || "tool";
        start(source, runId, parentRunId, name, SpanKindValues.TOOL, () => {
          const a: Attributes = { ...commonAttributes(tags, metadata), [Attr.TOOL_NAME]: name };
          const io = toolInput(input);
          a[Attr.INPUT_VALUE] = io.value;
          a[Attr.INPUT_MIME_TYPE] = io.mimeType;
          if (typeof toolCallId === "string" && toolCallId) a[Attr.TOOL_CALL_ID] = toolCallId;
          const desc = tool?.kwargs?.description ?? tool?.description;
          if (typeof desc === "string") a[Attr.TOOL_DESCRIPTION] = desc;
          return a;
        });
      });
    },
    handleToolEnd(output: unknown, runId: string) {
      safe("toolEnd", () =>
        finish(runId, () => {
          const io = toolOutput(output);
          return { [Attr.OUTPUT_VALUE]: io.value, [Attr.OUTPUT_MIME_TYPE]: io.mimeType };
        }),
      );
    },
    handleToolError(err: unknown, runId: string) {
      safe("toolError", () => fail(runId, err));
    },

    handleRetrieverStart(retriever: any, query: unknown, runId: string, parentRunId?: string, tags?: string[], metadata?: Record<string, unknown>, name?: string) {
      safe("retrieverStart", () =>
        start(source, runId, parentRunId, name || serializedName(retriever) || "retriever", SpanKindValues.RETRIEVER, () => {
          const a: Attributes = { ...commonAttributes(tags, metadata) };
          const io = toolInput(query);
          a[Attr.INPUT_VALUE] = io.value;
          a[Attr.INPUT_MIME_TYPE] = io.mimeType;
          return a;
        }),
      );
    },
    handleRetrieverEnd(documents: unknown, runId: string) {
      safe("retrieverEnd", () => finish(runId, () => documentAttributes(documents)));
    },
    handleRetrieverError(err: unknown, runId: string) {
      safe("retrieverError", () => fail(runId, err));
    },
  };
}
