/**
 * LangGraph (`@langchain/langgraph`). LangGraph runs every graph, node and tool through
 * @langchain/core's callback managers, so the LangChain integration's handler traces it: the
 * graph run becomes an AGENT span, each node a CHAIN span named after the node, tools TOOL
 * spans and model calls LLM spans; `configurable.thread_id` becomes `session.id`. The hooks load
 * and patch the @langchain/core that LangGraph resolves (its peer), also when the app names only
 * LangGraph; this declaration reports LangGraph in installResults and respects an app that
 * turned LangChain off.
 */
import { defineIntegration, type PatchContext } from "../types";

function looksLikeLangGraph(exports: any): boolean {
  return !!exports && (typeof exports.StateGraph === "function" || typeof exports.Pregel === "function" || typeof exports.CompiledStateGraph === "function");
}

export const langgraphIntegration = defineIntegration({
  key: "langgraph",
  displayName: "LangGraph",
  packages: ["@langchain/langgraph"],
  subpath: "langgraph",
  uses: ["langchain"],
  // the oldest version the tests pass on: before it a node's function is a RunnableLambda run of its own
  // under the node (0.2.12), and interrupt()/Command (0.2.23) and compile({ name }) (0.2.46) are missing
  versionRange: ">=0.2.46 <2",
  patch(exports: unknown, ctx: PatchContext) {
    if (!looksLikeLangGraph(exports)) return false;
    if (!ctx.isEnabled("langchain")) {
      ctx.debug("traced through LangChain, which the configuration turns off: not traced");
      return false;
    }
    return true;
  },
  detect: looksLikeLangGraph,
});
