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
  // 0.2.0–0.2.9 ask for @langchain/core 0.2, older than the LangChain integration supports: not traced
  versionRange: ">=0.2.10 <2",
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
