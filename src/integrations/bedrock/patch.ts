/**
 * Amazon Bedrock runtime (@aws-sdk/client-bedrock-runtime, v3). Every command goes through the
 * Smithy client's send(), so that is the one method wrapped, on BedrockRuntimeClient.prototype:
 * every client of this copy of the package is covered, BedrockRuntime's convenience methods
 * (which call send()) too, and the HTTP/2 transport the SDK uses underneath is never touched.
 * send() dispatches by command class: Converse, ConverseStream, InvokeModel (embedding models
 * as EMBEDDING spans) and InvokeModelWithResponseStream are traced, every other command passes
 * straight through. The command and its input are only read (they are what the SDK signs); the
 * output object and its event stream reach the app as the SDK made them.
 */
import type { PatchContext } from "../types";
import { makeTraced, wrapMethod, type CallSpec } from "../kit";
import {
  ConverseStreamAccumulator,
  InvokeStreamAccumulator,
  converseRequest,
  converseResponse,
  embeddingRequest,
  embeddingResponse,
  invokeRequest,
  invokeResponse,
  isEmbeddingModel,
  requestIdAttributes,
} from "./mapping";

const asyncIterable = (v: unknown): AsyncIterable<unknown> | undefined =>
  v && typeof (v as any)[Symbol.asyncIterator] === "function" ? (v as AsyncIterable<unknown>) : undefined;

const converseSpec: CallSpec = {
  key: "bedrock.converse",
  spanName: "Bedrock Converse",
  request: (command) => converseRequest(command?.input, false),
  response: (span, output) => converseResponse(span, output),
};

const converseStreamSpec: CallSpec = {
  key: "bedrock.converse_stream",
  spanName: "Bedrock ConverseStream",
  request: (command) => converseRequest(command?.input, true),
  response: (span, output) => span.setAttributes(requestIdAttributes(output)),
  events: (output) => asyncIterable(output?.stream),
  stream: () => new ConverseStreamAccumulator(),
};

const invokeSpec: CallSpec = {
  key: "bedrock.invoke_model",
  spanName: "Bedrock InvokeModel",
  request: (command) => invokeRequest(command?.input, false),
  response: (span, output) => invokeResponse(span, output),
};

const invokeStreamSpec: CallSpec = {
  key: "bedrock.invoke_model_stream",
  spanName: "Bedrock InvokeModelWithResponseStream",
  request: (command) => invokeRequest(command?.input, true),
  response: (span, output) => span.setAttributes(requestIdAttributes(output)),
  events: (output) => asyncIterable(output?.body),
  stream: () => new InvokeStreamAccumulator(),
};

function embeddingSpec(vectors: boolean): CallSpec {
  return {
    key: "bedrock.embedding",
    spanName: "Bedrock InvokeModel",
    request: (command) => embeddingRequest(command?.input),
    response: (span, output) => embeddingResponse(span, output, vectors),
  };
}

const TRACED_COMMANDS = ["ConverseCommand", "ConverseStreamCommand", "InvokeModelCommand", "InvokeModelWithResponseStreamCommand"] as const;
type TracedCommand = (typeof TRACED_COMMANDS)[number];
const TRACED_NAMES = new Set<string>(TRACED_COMMANDS);

/** The client class and the command classes of this copy, from whatever the caller handed us. */
function targetsOf(x: any): { proto: any; commands: Map<unknown, TracedCommand> } | undefined {
  if (!x) return undefined;
  const mod = typeof x.BedrockRuntimeClient === "function" ? x : typeof x.default?.BedrockRuntimeClient === "function" ? x.default : undefined;
  if (mod) {
    const commands = new Map<unknown, TracedCommand>();
    for (const name of TRACED_COMMANDS) if (typeof mod[name] === "function") commands.set(mod[name], name);
    return { proto: mod.BedrockRuntimeClient.prototype, commands };
  }
  // a client class or instance handed to instrument(): commands are told by their class name
  const proto = typeof x === "function" ? x.prototype : Object.getPrototypeOf(x);
  let p = proto;
  while (p && p !== Object.prototype) {
    if (p.constructor?.name === "BedrockRuntimeClient" && typeof p.send === "function") return { proto: p, commands: new Map() };
    p = Object.getPrototypeOf(p);
  }
  return undefined;
}

export function patchBedrock(moduleExports: unknown, ctx: PatchContext): boolean {
  const t = targetsOf(moduleExports);
  if (!t) return false;
  const { commands } = t;
  return wrapMethod(t.proto, "send", (original) => {
    const traced: Record<TracedCommand, (...a: any[]) => any> = {
      ConverseCommand: makeTraced(original, converseSpec, ctx),
      ConverseStreamCommand: makeTraced(original, converseStreamSpec, ctx),
      InvokeModelCommand: makeTraced(original, invokeSpec, ctx),
      InvokeModelWithResponseStreamCommand: makeTraced(original, invokeStreamSpec, ctx),
    };
    const tracedEmbedding = makeTraced(original, embeddingSpec(ctx.config.recordEmbeddingVectors), ctx, { kind: "EMBEDDING" });
    return function send(this: any, command: any, optionsOrCb?: any, cb?: any) {
      const ctor = command?.constructor;
      const name = commands.get(ctor) ?? (TRACED_NAMES.has(ctor?.name) ? (ctor.name as TracedCommand) : undefined);
      // eslint-disable-next-line prefer-rest-params
      if (!name) return original.apply(this, arguments as any);
      const call = name === "InvokeModelCommand" && isEmbeddingModel(command.input?.modelId) ? tracedEmbedding : traced[name];
      return sendTraced(call, this, command, optionsOrCb, cb);
    };
  });
}

/**
 * A traced send() with the SDK's three forms: send(command), send(command, options) return the
 * promise; send(command, cb) and send(command, options, cb) return nothing and answer the callback
 * (traced through the promise form, the callback answered as the SDK answers it).
 */
export function sendTraced(traced: (...a: any[]) => any, client: unknown, command: unknown, optionsOrCb?: unknown, cb?: unknown): any {
  const callback = typeof optionsOrCb === "function" ? optionsOrCb : typeof cb === "function" ? cb : undefined;
  if (!callback) return optionsOrCb === undefined ? traced.call(client, command) : traced.call(client, command, optionsOrCb);
  (traced.call(client, command, typeof optionsOrCb === "function" ? undefined : optionsOrCb) as Promise<unknown>).then(
    (output) => callback(null, output),
    (err) => callback(err),
  ).catch(() => {});
  return undefined;
}

export const isBedrock = (x: unknown): boolean => targetsOf(x) !== undefined;
