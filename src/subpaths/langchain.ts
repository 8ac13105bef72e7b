/** @inference/tracing/langchain: explicit patching of LangChain (@langchain/core) (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentLangChain, install: installLangChainInstrumentation } = installHelpers("langchain");
