/**
 * Google GenAI (@google/genai, 1.x to 3.x): the Models class's internal request methods, patched
 * on its prototype. The public generateContent / generateContentStream / embedContent are
 * per-instance arrow functions (nothing on the prototype to patch), and they, chats.sendMessage
 * / sendMessageStream and the automatic function calling loop all go through
 * generateContentInternal / generateContentStreamInternal / embedContentInternal, once per
 * request sent: one span per model call, whatever helper made it. (Early 1.x's embedContent is itself a
 * prototype method.) Streams are the SDK's own async generators, observed in place.
 */
import type { PatchContext } from "../types";
import { hostOfOrigin } from "../../runs/propagation";
import { makeTraced, wrapMethod, type CallSpec } from "../kit";
import { TRACEPARENT, isPlainRecord, namesHeader, withHeaders } from "../kit/trace-context";
import {
  GenerateContentStreamAccumulator,
  embedContentRequest,
  embedContentResponse,
  generateContentRequest,
  generateContentResponse,
  googleErrorAttributes,
} from "./mapping";

const GENERATE = "Google GenAI Generate Content";

/** Whether `x` comes out of a JSON round trip as it went in (primitives, plain objects, arrays; no functions). */
function survivesJson(x: unknown, depth = 0): boolean {
  if (x === null || typeof x === "string" || typeof x === "boolean") return true;
  if (typeof x === "number") return Number.isFinite(x);
  if (depth > 4) return false;
  if (Array.isArray(x)) return x.every((v) => v !== undefined && survivesJson(v, depth + 1));
  return isPlainRecord(x) && Object.values(x).every((v) => v === undefined || survivesJson(v, depth + 1));
}

/**
 * Outgoing trace context in the call's own `config.httpOptions.headers`, which the SDK applies over
 * the client's. A request with httpOptions makes the SDK copy the client's httpOptions through JSON:
 * a client whose httpOptions would not survive that (a custom fetch) is left alone, as are params
 * that are not plain objects (undefined: the call enters its context instead). A `traceparent` the
 * app set (the call's or the client's) stands.
 */
export const googleTraceContext: NonNullable<CallSpec["traceContext"]> = {
  host: (models) => hostOfOrigin(models?.apiClient?.clientOptions?.httpOptions?.baseUrl),
  withHeaders(args, headers, models) {
    const params = args[0];
    if (!isPlainRecord(params)) return undefined;
    const config = params.config;
    if (config !== undefined && !isPlainRecord(config)) return undefined;
    const httpOptions = config?.httpOptions;
    if (httpOptions != null && !isPlainRecord(httpOptions)) return undefined;
    const own = httpOptions?.headers;
    if (own != null && !isPlainRecord(own)) return undefined;
    const client = models?.apiClient?.clientOptions?.httpOptions;
    if (!survivesJson(client)) return undefined;
    if (namesHeader(own, TRACEPARENT) || namesHeader((client as { headers?: unknown } | null)?.headers, TRACEPARENT)) return args;
    const next = args.slice();
    next[0] = { ...params, config: { ...config, httpOptions: { ...httpOptions, headers: withHeaders(own, headers) } } };
    return next;
  },
};

const generateSpec: CallSpec = {
  key: "google_genai.generate",
  spanName: GENERATE,
  request: (params, self) => generateContentRequest(params, self, false),
  response: (span, value) => generateContentResponse(span, value),
  errorAttributes: googleErrorAttributes,
  traceContext: googleTraceContext,
};

function generateStreamSpec(maxLength: number): CallSpec {
  return {
    key: "google_genai.generate_stream",
    spanName: GENERATE,
    request: (params, self) => generateContentRequest(params, self, true),
    response: (span, value) => generateContentResponse(span, value),
    stream: () => new GenerateContentStreamAccumulator(maxLength),
    errorAttributes: googleErrorAttributes,
    traceContext: googleTraceContext,
  };
}

function embedSpec(vectors: boolean): CallSpec {
  return {
    key: "google_genai.embed",
    spanName: "Google GenAI Embed Content",
    request: embedContentRequest,
    response: (span, value) => embedContentResponse(span, value, vectors),
    errorAttributes: googleErrorAttributes,
    traceContext: googleTraceContext,
  };
}

const isModelsClass = (c: any): boolean => typeof c === "function" && typeof c.prototype?.generateContentInternal === "function";

/** Models.prototype in whatever the caller handed us: the module, the Models class, a client or its `models`. */
function modelsPrototype(x: any): any {
  if (!x) return undefined;
  if (isModelsClass(x)) return x.prototype;
  for (const c of [x.Models, x.default?.Models]) if (isModelsClass(c)) return c.prototype;
  for (const o of [x.models, x]) {
    const proto = o && typeof o === "object" ? Object.getPrototypeOf(o) : undefined;
    if (proto && typeof proto.generateContentInternal === "function") return proto;
  }
  return undefined;
}

export function patchGoogleGenAI(moduleExports: unknown, ctx: PatchContext): boolean {
  const proto = modelsPrototype(moduleExports);
  if (!proto) return false;
  let any = wrapMethod(proto, "generateContentInternal", (orig) => makeTraced(orig, generateSpec, ctx));
  const stream = generateStreamSpec(ctx.config.maxAttributeLength);
  any = wrapMethod(proto, "generateContentStreamInternal", (orig) => makeTraced(orig, stream, ctx)) || any;
  const embed = embedSpec(ctx.config.recordEmbeddingVectors);
  const embedMethod = typeof proto.embedContentInternal === "function" ? "embedContentInternal" : "embedContent";
  any = wrapMethod(proto, embedMethod, (orig) => makeTraced(orig, embed, ctx, { kind: "EMBEDDING" })) || any;
  return any;
}

export const isGoogleGenAI = (x: unknown): boolean => modelsPrototype(x) !== undefined;
