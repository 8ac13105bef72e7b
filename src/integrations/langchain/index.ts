/**
 * LangChain (`@langchain/core`): the declaration the registry reads. The files patched inside
 * the package are listed here, so the hooks (CommonJS, import-in-the-middle, the eager ESM loads
 * and setup() after the app's imports) reach them through the instrumenter; the ESM root entry
 * of @langchain/core exports nothing, hence the ESM files.
 */
import { defineIntegration } from "../types";
import { isLangChain, patchLangChain } from "./patch";

const CORE_FILES = ["dist/callbacks/manager", "dist/singletons/async_local_storage/index", "dist/language_models/chat_models", "dist/language_models/llms"];

export const langchainIntegration = defineIntegration({
  key: "langchain",
  displayName: "LangChain",
  packages: ["@langchain/core"],
  subpath: "langchain",
  files: CORE_FILES,
  esmFiles: CORE_FILES.map((f) => `${f}.js`),
  versionRange: ">=0.3.0 <2",
  patch: patchLangChain,
  detect: isLangChain,
});
