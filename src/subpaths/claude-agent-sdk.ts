/** @inference/tracing/claude-agent-sdk: explicit patching of the Claude Agent SDK, and wrapClaudeAgentSdkQuery. */
import { installHelpers } from "../instrument";
import { wrapQueryFunction, type QuerySource } from "../integrations/claude-agent-sdk/patch";
import { activeTracer, globalState } from "../state";

export const { instrument: instrumentClaudeAgentSdk, install: installClaudeAgentSdkInstrumentation } = installHelpers("claudeAgentSdk");

/** Whatever tracing is set up when the query runs. */
const activeSource: QuerySource = {
  get tracer() {
    return activeTracer();
  },
  get config() {
    // before setup() nothing is cut at call time; the export-time limits still apply
    return { maxAttributeLength: globalState().handle?.config.maxAttributeLength ?? Number.MAX_SAFE_INTEGER };
  },
};

/**
 * Wrap a Claude Agent SDK query() function so each run becomes an AGENT span with LLM and TOOL
 * children. Works wherever the module's exports cannot be patched (ESM without a loader, bundles):
 *
 *   import { query as rawQuery } from "@anthropic-ai/claude-agent-sdk";
 *   const query = wrapClaudeAgentSdkQuery(rawQuery);
 *
 * The returned function takes and returns exactly what query() does.
 */
export function wrapClaudeAgentSdkQuery<T>(query: T): T {
  if (typeof query !== "function") return query;
  return wrapQueryFunction(query as unknown as (...a: any[]) => any, activeSource) as unknown as T;
}
