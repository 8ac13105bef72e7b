/**
 * Mistral (@mistralai/mistralai, 1.x CommonJS and 2.x ESM): chat.complete / stream (and 2.x's
 * parse / parseStream, which bypass them), fim.complete / stream, embeddings.create,
 * agents.complete / stream. The resource classes are not exported: the Mistral client makes
 * them in its `chat`, `fim`, `embeddings` and `agents` getters, so those getters are wrapped on
 * Mistral.prototype and the first resource each one hands out has its class prototype patched
 * (once per class; later accesses cost one own-property check).
 *
 * The SDK's own OpenTelemetry spans (2.x, MISTRAL_SDK_TELEMETRY or registerTracerProvider) stay
 * the user's choice; when on, they nest under ours (the call runs with our span active).
 */
import type { PatchContext } from "../types";
import { internalError } from "../../util/log";
import { makeTraced, markPatched, originalOf, wrapFunction, wrapMethod, type CallSpec } from "../kit";
import {
  CompletionStreamAccumulator,
  chatRequest,
  chatResponse,
  embeddingsRequest,
  embeddingsResponse,
  fimRequest,
  mistralErrorAttributes,
} from "./mapping";

function completionSpecs(key: string, spanName: string, request: (body: any, streaming: boolean) => any) {
  const json: CallSpec = {
    key,
    spanName,
    request: (body) => request(body, false),
    response: (span, value) => chatResponse(span, value),
    errorAttributes: mistralErrorAttributes,
  };
  const stream: CallSpec = {
    key: `${key}_stream`,
    spanName,
    request: (body) => request(body, true),
    response: (span, value) => chatResponse(span, value),
    stream: () => new CompletionStreamAccumulator(),
    errorAttributes: mistralErrorAttributes,
  };
  return { json, stream };
}

const chat = completionSpecs("mistral.chat", "Mistral Chat Completions", chatRequest);
const agents = completionSpecs("mistral.agents", "Mistral Agents Completions", chatRequest);
const fim = completionSpecs("mistral.fim", "Mistral FIM Completions", fimRequest);

function embeddingsSpec(vectors: boolean): CallSpec {
  return {
    key: "mistral.embeddings",
    spanName: "Mistral Embeddings",
    request: embeddingsRequest,
    response: (span, value) => embeddingsResponse(span, value, vectors),
    errorAttributes: mistralErrorAttributes,
  };
}

type ResourcePatcher = (proto: any, ctx: PatchContext) => boolean;

const RESOURCES: Record<string, ResourcePatcher> = {
  chat: (proto, ctx) => {
    let any = wrapMethod(proto, "complete", (orig) => makeTraced(orig, chat.json, ctx));
    any = wrapMethod(proto, "stream", (orig) => makeTraced(orig, chat.stream, ctx)) || any;
    // 2.x structured output: these call the request function directly, not complete()/stream()
    wrapMethod(proto, "parse", (orig) => makeTraced(orig, chat.json, ctx));
    wrapMethod(proto, "parseStream", (orig) => makeTraced(orig, chat.stream, ctx));
    return any;
  },
  fim: (proto, ctx) => {
    const any = wrapMethod(proto, "complete", (orig) => makeTraced(orig, fim.json, ctx));
    return wrapMethod(proto, "stream", (orig) => makeTraced(orig, fim.stream, ctx)) || any;
  },
  agents: (proto, ctx) => {
    const any = wrapMethod(proto, "complete", (orig) => makeTraced(orig, agents.json, ctx));
    return wrapMethod(proto, "stream", (orig) => makeTraced(orig, agents.stream, ctx)) || any;
  },
  embeddings: (proto, ctx) => {
    const spec = embeddingsSpec(ctx.config.recordEmbeddingVectors);
    return wrapMethod(proto, "create", (orig) => makeTraced(orig, spec, ctx, { kind: "EMBEDDING" }));
  },
};

/** Patch the class of one resource object the client handed out, once per class. */
function patchResource(resource: any, name: string, ctx: PatchContext): void {
  const proto = resource && typeof resource === "object" ? Object.getPrototypeOf(resource) : undefined;
  if (!proto || !markPatched(proto)) return;
  if (!RESOURCES[name]!(proto, ctx)) ctx.debug(`Mistral: the ${name} resource of this SDK version has none of the methods we trace; its calls are not traced`);
}

/** Wrap Mistral.prototype[name]'s getter so the resources it makes get patched. */
function wrapResourceGetter(proto: any, name: string, ctx: PatchContext): boolean {
  const desc = Object.getOwnPropertyDescriptor(proto, name);
  if (typeof desc?.get !== "function") return false;
  if (originalOf(desc.get)) return true;
  const get = wrapFunction(desc.get, (original) =>
    function (this: any) {
      const resource = original.call(this);
      try {
        patchResource(resource, name, ctx);
      } catch (err) {
        internalError(`mistral.${name}`, err);
      }
      return resource;
    },
  );
  Object.defineProperty(proto, name, { ...desc, get });
  return true;
}

const isMistralClass = (c: any): boolean => typeof c === "function" && typeof Object.getOwnPropertyDescriptor(c.prototype ?? {}, "chat")?.get === "function";
const isClient = (x: any): boolean => !!x && typeof x === "object" && typeof x.chat?.complete === "function" && typeof x.embeddings?.create === "function";

function clientClass(x: any): any {
  if (!x) return undefined;
  if (isMistralClass(x)) return x;
  for (const c of [x.Mistral, x.default?.Mistral, x.default]) if (isMistralClass(c)) return c;
  return undefined;
}

export function patchMistral(moduleExports: unknown, ctx: PatchContext): boolean {
  const cls = clientClass(moduleExports);
  if (cls) {
    let any = false;
    for (const name of Object.keys(RESOURCES)) any = wrapResourceGetter(cls.prototype, name, ctx) || any;
    return any;
  }
  // a client instance: patch the classes of its resources directly
  if (!isClient(moduleExports)) return false;
  const client = moduleExports as any;
  for (const name of Object.keys(RESOURCES)) patchResource(client[name], name, ctx);
  return true;
}

export const isMistral = (x: unknown): boolean => clientClass(x) !== undefined || isClient(x);
