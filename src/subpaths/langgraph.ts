/** @inference/tracing/langgraph: explicit patching of LangGraph (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentLangGraph, install: installLangGraphInstrumentation } = installHelpers("langgraph");
