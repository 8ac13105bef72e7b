/**
 * Amazon Bedrock Agents (@aws-sdk/client-bedrock-agent-runtime, v3): InvokeAgent through the
 * Smithy client's send(), wrapped on BedrockAgentRuntimeClient.prototype as for the runtime
 * client. One AGENT span per call, open until the app has read the response's `completion`
 * stream (observed in place); the agent's trace events become its LLM, TOOL, RETRIEVER, AGENT
 * and GUARDRAIL children. Other commands (Retrieve, RetrieveAndGenerate, flows, …) pass through.
 */
import type { PatchContext } from "../types";
import { makeTraced, wrapMethod, type CallSpec } from "../kit";
import { sendTraced } from "../bedrock/patch";
import { AgentTraceAccumulator, invokeAgentRequest, invokeAgentResponse } from "./mapping";

const COMMAND = "InvokeAgentCommand";

function targetsOf(x: any): { proto: any; command?: unknown } | undefined {
  if (!x) return undefined;
  const mod = typeof x.BedrockAgentRuntimeClient === "function" ? x : typeof x.default?.BedrockAgentRuntimeClient === "function" ? x.default : undefined;
  if (mod) return { proto: mod.BedrockAgentRuntimeClient.prototype, command: mod[COMMAND] };
  // a client class or instance handed to instrument(): the command is told by its class name
  let p = typeof x === "function" ? x.prototype : Object.getPrototypeOf(x);
  while (p && p !== Object.prototype) {
    if (p.constructor?.name === "BedrockAgentRuntimeClient" && typeof p.send === "function") return { proto: p };
    p = Object.getPrototypeOf(p);
  }
  return undefined;
}

export function patchBedrockAgent(moduleExports: unknown, ctx: PatchContext): boolean {
  const t = targetsOf(moduleExports);
  if (!t) return false;
  const spec: CallSpec = {
    key: "bedrock_agent.invoke_agent",
    spanName: "Bedrock InvokeAgent",
    request: (command) => invokeAgentRequest(command?.input),
    response: (span, output) => invokeAgentResponse(span, output),
    events: (output) => (output?.completion && typeof output.completion[Symbol.asyncIterator] === "function" ? output.completion : undefined),
    stream: () => new AgentTraceAccumulator(ctx, ctx.config.maxAttributeLength),
  };
  return wrapMethod(t.proto, "send", (original) => {
    const traced = makeTraced(original, spec, ctx, { kind: "AGENT" });
    return function send(this: any, command: any, optionsOrCb?: any, cb?: any) {
      const ctor = command?.constructor;
      // eslint-disable-next-line prefer-rest-params
      if (ctor === undefined || (ctor !== t.command && ctor.name !== COMMAND)) return original.apply(this, arguments as any);
      return sendTraced(traced, this, command, optionsOrCb, cb);
    };
  });
}

export const isBedrockAgent = (x: unknown): boolean => targetsOf(x) !== undefined;
