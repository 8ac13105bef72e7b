/**
 * LangGraph (@langchain/langgraph). LangGraph runs every graph, node and tool through
 * @langchain/core's callback managers, so the LangChain integration's handler traces it: the
 * graph run becomes an AGENT span, each node a CHAIN span named after the node, tools TOOL
 * spans and model calls LLM spans; `configurable.thread_id` becomes `session.id`.
 *
 * This integration makes sure @langchain/core is patched whenever LangGraph loads, also when
 * the app's package.json names only @langchain/langgraph (ESM eager mode loads only the
 * packages the app lists).
 */
import type { Integration, PatchContext } from "../types";
import { makeInstallHelpers } from "../public-helpers";
import { findPackage, appManifest } from "../../hooks/resolve";
import { setTracerGetter } from "../langchain/handler";
import { patchAppEsmCore, patchCachedCjsCore, patchEsmCoreFrom, usesEagerEsm } from "../langchain";
import { internalError } from "../../util/log";

function langchainAllowed(config: PatchContext["config"]): boolean {
  const names = (list: string[] | undefined) => !!list?.some((n) => n === "langchain" || n === "@langchain/core");
  if (config.instrumentations && !names(config.instrumentations) && !config.instrumentations.includes("langgraph")) return false;
  return !names(config.disabledInstrumentations);
}

function looksLikeLangGraph(exports: any): boolean {
  return !!exports && (typeof exports.StateGraph === "function" || typeof exports.Pregel === "function" || typeof exports.CompiledStateGraph === "function");
}

export const langgraphIntegration: Integration = {
  key: "langgraph",
  displayName: "LangGraph",
  packages: ["@langchain/langgraph"],
  versionRange: ">=0.2.0 <2",
  patch(exports: any, ctx: PatchContext) {
    if (!looksLikeLangGraph(exports)) return false;
    // LangGraph is traced through @langchain/core: respect an app that turned LangChain off
    if (!langchainAllowed(ctx.config)) return false;
    setTracerGetter(() => ctx.tracer);
    try {
      if (ctx.format === "esm" && usesEagerEsm()) {
        // @langchain/core as LangGraph itself resolves it (its peer), else as the app does
        const app = appManifest()?.dir ?? process.cwd();
        const lg = findPackage("@langchain/langgraph", app);
        const core = lg ? findPackage("@langchain/core", lg.dir) : undefined;
        if (core) patchEsmCoreFrom(core.dir);
        else patchAppEsmCore(app);
      } else if (ctx.format === "cjs") {
        patchCachedCjsCore();
      }
    } catch (err) {
      internalError("langgraph.patch", err);
    }
    return true;
  },
  detect: looksLikeLangGraph,
};

export const { instrument: instrumentLangGraph, install: installLangGraphInstrumentation } = makeInstallHelpers("langgraph");
