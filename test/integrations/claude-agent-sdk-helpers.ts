/** Shared bits for the Claude Agent SDK tests: a scripted Agent tool call for the mock Anthropic server. */
// @ts-expect-error plain ESM fixture without types
import { sendSse } from "../../fixtures/mock-providers/common.mjs";

/** A one-shot mock answer: the model calls the Agent tool to start the `forecaster` subagent. */
export function scriptAgentToolCall(server: { script: Function[] }, input: Record<string, unknown>) {
  server.script.push((body: any, _req: unknown, res: unknown) => {
    const usage = { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 };
    return sendSse(res, [
      { event: "message_start", data: { type: "message_start", message: { id: "msg_agent_call", type: "message", role: "assistant", model: body.model, content: [], stop_reason: null, stop_sequence: null, usage } } },
      { event: "content_block_start", data: { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_agent_call", name: "Agent", input: {} } } },
      { event: "content_block_delta", data: { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: JSON.stringify(input) } } },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
      { event: "message_delta", data: { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 20 } } },
      { event: "message_stop", data: { type: "message_stop" } },
    ]);
  });
}
