/**
 * OpenAI (openai, v5 to v7): chat.completions.create (and the parse / stream / runTools
 * helpers built on it), responses.create (and its parse / stream helpers), embeddings.create
 * and legacy completions.create, patched on the resource classes' prototypes so every client
 * (OpenAI, AzureOpenAI, OpenAI-compatible servers) of this copy of the package is traced.
 */
import type { Integration, PatchContext } from "../types";
import { envFlag, makeTraced, wrapMethod, type CallSpec } from "../llm-common";
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

/** Opt-in: ask for stream usage (stream_options.include_usage) and hide the extra chunk from the app. */
export const INCLUDE_USAGE_ENV = "CATALYST_OPENAI_INCLUDE_USAGE";
/** Opt-in: record embedding vectors (also: OPENINFERENCE_HIDE_EMBEDDING_VECTORS=false). */
export const RECORD_VECTORS_ENV = "CATALYST_RECORD_EMBEDDING_VECTORS";

function recordVectors(): boolean {
  if (envFlag(RECORD_VECTORS_ENV)) return true;
  return process.env.OPENINFERENCE_HIDE_EMBEDDING_VECTORS?.trim().toLowerCase() === "false";
}

function chatSpec(includeUsage: boolean): CallSpec {
  return {
    key: "openai.chat",
    spanName: "OpenAI Chat Completions",
    system: "openai",
    request: chatRequest,
    response: (span, value) => chatResponse(span, value),
    stream: () => new ChatStreamAccumulator(),
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
  system: "openai",
  request: responsesRequest,
  response: (span, value) => responsesResponse(span, value),
  stream: () => new ResponsesStreamAccumulator(),
};

function embeddingsSpec(vectors: boolean): CallSpec {
  return {
    key: "openai.embeddings",
    spanName: "OpenAI Embeddings",
    system: "openai",
    request: embeddingsRequest,
    response: (span, value) => embeddingsResponse(span, value, vectors),
  };
}

const completionsSpec: CallSpec = {
  key: "openai.completions",
  spanName: "OpenAI Completions",
  system: "openai",
  request: completionsRequest,
  response: (span, value) => completionsResponse(span, value),
  stream: () => new CompletionsStreamAccumulator(),
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

export function patchOpenAI(moduleExports: unknown, ctx: Pick<PatchContext, "tracer">): boolean {
  const t = targetsOf(moduleExports);
  if (!t) return false;
  const getTracer = () => ctx.tracer;
  const includeUsage = envFlag(INCLUDE_USAGE_ENV);
  const vectors = recordVectors();
  let any = false;
  const chat = chatSpec(includeUsage);
  any = wrapMethod(t.chat, "create", (orig) => makeTraced(orig, chat, { getTracer })) || any;
  any = wrapMethod(t.responses, "create", (orig) => makeTraced(orig, responsesSpec, { getTracer })) || any;
  const emb = embeddingsSpec(vectors);
  any = wrapMethod(t.embeddings, "create", (orig) => makeTraced(orig, emb, { getTracer, kind: "EMBEDDING" })) || any;
  any = wrapMethod(t.completions, "create", (orig) => makeTraced(orig, completionsSpec, { getTracer })) || any;
  return any;
}

export const openaiIntegration: Integration = {
  key: "openai",
  displayName: "OpenAI",
  packages: ["openai"],
  versionRange: ">=5.0.0 <8",
  patch: (moduleExports, ctx) => patchOpenAI(moduleExports, ctx),
  detect: (x) => targetsOf(x) !== undefined,
};

