/**
 * OpenAI (openai, v5 to v7): chat.completions.create (and the parse / stream / runTools
 * helpers built on it), responses.create (and its parse / stream helpers), embeddings.create
 * and legacy completions.create, patched on the resource classes' prototypes so every client
 * (OpenAI, AzureOpenAI, OpenAI-compatible servers) of this copy of the package is traced.
 */
import type { PatchContext } from "../types";
import { makeTraced, stainlessTraceContext, wrapMethod, type CallSpec } from "../kit";
import {
  ChatStreamAccumulator,
  CompletionsStreamAccumulator,
  ResponsesStreamAccumulator,
  chatRequest,
  chatResponse,
  completionsRequest,
  completionsResponse,
  embeddingsRequest,
  embeddingsResponse,
  responsesRequest,
  responsesResponse,
} from "./mapping";

function chatSpec(includeUsage: boolean): CallSpec {
  return {
    key: "openai.chat",
    spanName: "OpenAI Chat Completions",
    request: chatRequest,
    response: (span, value) => chatResponse(span, value),
    stream: () => new ChatStreamAccumulator(),
    traceContext: stainlessTraceContext,
    rewriteArgs: includeUsage
      ? (args) => {
          const body = args[0];
          if (!body || body.stream !== true || body.stream_options?.include_usage !== undefined) return undefined;
          const next = args.slice();
          next[0] = { ...body, stream_options: { ...body.stream_options, include_usage: true } };
          return {
            args: next,
            // the extra final chunk (usage, no choices) is ours: the app never sees it, and the
            // `usage: null` the option adds to every other chunk is removed again
            hide: (chunk: any) => {
              if (Array.isArray(chunk?.choices) && chunk.choices.length === 0 && chunk.usage) return true;
              if (chunk && chunk.usage === null) delete chunk.usage;
              return false;
            },
          };
        }
      : undefined,
  };
}

const responsesSpec: CallSpec = {
  key: "openai.responses",
  spanName: "OpenAI Responses",
  request: responsesRequest,
  response: (span, value) => responsesResponse(span, value),
  stream: () => new ResponsesStreamAccumulator(),
  traceContext: stainlessTraceContext,
};

function embeddingsSpec(vectors: boolean): CallSpec {
  return {
    key: "openai.embeddings",
    spanName: "OpenAI Embeddings",
    request: embeddingsRequest,
    response: (span, value) => embeddingsResponse(span, value, vectors),
    traceContext: stainlessTraceContext,
  };
}

const completionsSpec: CallSpec = {
  key: "openai.completions",
  spanName: "OpenAI Completions",
  request: completionsRequest,
  response: (span, value) => completionsResponse(span, value),
  stream: () => new CompletionsStreamAccumulator(),
  traceContext: stainlessTraceContext,
};

/** The OpenAI client class in whatever the caller handed us (ESM namespace, CJS exports, class, client). */
function findClientClass(x: any): any {
  if (!x) return undefined;
  if (typeof x === "function" && x.Chat && x.Embeddings) return x;
  const candidates = [x.OpenAI, x.default?.OpenAI, x.default];
  for (const c of candidates) if (typeof c === "function" && c.Chat && c.Embeddings) return c;
  return undefined;
}

interface Targets {
  chat?: any;
  responses?: any;
  embeddings?: any;
  completions?: any;
}

function targetsOf(x: any): Targets | undefined {
  const cls = findClientClass(x);
  if (cls) {
    return {
      chat: cls.Chat?.Completions?.prototype,
      responses: cls.Responses?.prototype,
      embeddings: cls.Embeddings?.prototype,
      completions: cls.Completions?.prototype,
    };
  }
  // a client instance
  if (x && typeof x === "object" && x.chat?.completions && typeof x.chat.completions.create === "function") {
    const proto = (o: any) => (o ? Object.getPrototypeOf(o) : undefined);
    return {
      chat: proto(x.chat.completions),
      responses: proto(x.responses),
      embeddings: proto(x.embeddings),
      completions: proto(x.completions),
    };
  }
  return undefined;
}

export function patchOpenAI(moduleExports: unknown, ctx: PatchContext): boolean {
  const t = targetsOf(moduleExports);
  if (!t) return false;
  let any = false;
  const chat = chatSpec(ctx.config.openaiIncludeUsage);
  any = wrapMethod(t.chat, "create", (orig) => makeTraced(orig, chat, ctx)) || any;
  any = wrapMethod(t.responses, "create", (orig) => makeTraced(orig, responsesSpec, ctx)) || any;
  const emb = embeddingsSpec(ctx.config.recordEmbeddingVectors);
  any = wrapMethod(t.embeddings, "create", (orig) => makeTraced(orig, emb, ctx, { kind: "EMBEDDING" })) || any;
  any = wrapMethod(t.completions, "create", (orig) => makeTraced(orig, completionsSpec, ctx)) || any;
  return any;
}

export const isOpenAI = (x: unknown): boolean => targetsOf(x) !== undefined;

