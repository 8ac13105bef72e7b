/**
 * LangChain (`@langchain/core`): the declaration the registry reads. The files patched inside
 * the package are listed here, so the hooks (CommonJS, import-in-the-middle, the eager ESM loads
 * and setup() after the app's imports) reach them through the instrumenter; the ESM root entry
 * of @langchain/core exports nothing, hence the ESM files.
 */
import { defineIntegration } from "../types";
import { isLangChain, patchLangChain } from "./patch";

// the AsyncLocalStorage provider lives in dist/singletons/index before 0.3.18 and in
// dist/singletons/async_local_storage/index since (re-exported by the former): both are listed
const CORE_FILES = [
  "dist/callbacks/manager",
  "dist/singletons/index",
  "dist/singletons/async_local_storage/index",
  "dist/language_models/chat_models",
  "dist/language_models/llms",
];

export const langchainIntegration = defineIntegration({
  key: "langchain",
  displayName: "LangChain",
  packages: ["@langchain/core"],
  subpath: "langchain",
  files: CORE_FILES,
  esmFiles: CORE_FILES.map((f) => `${f}.js`),
  // 0.3.0–0.3.8 pair only with LangGraph 0.2.13 or older (below our LangGraph range), so the
  // LangChain + LangGraph tests cannot run on them: not declared
  versionRange: ">=0.3.9 <2",
  patch: patchLangChain,
  detect: isLangChain,
});
