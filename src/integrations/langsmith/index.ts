/**
 * LangSmith (`langsmith`): the declaration the registry reads. The run tree and traceable files
 * are listed so every hook (and the eager ESM loads) reaches them through the instrumenter.
 */
import { defineIntegration } from "../types";
import { isLangSmith, patchLangSmith } from "./patch";
import { langsmithAttributeTransform } from "./transform";

export const langsmithIntegration = defineIntegration({
  key: "langsmith",
  displayName: "LangSmith",
  packages: ["langsmith"],
  subpath: "langsmith",
  files: ["lib/run_trees", "lib/traceable"],
  esmFiles: ["lib/run_trees.mjs", "lib/traceable.mjs"],
  versionRange: ">=0.3.0 <1",
  exportTransform: langsmithAttributeTransform,
  patch: patchLangSmith,
  detect: isLangSmith,
});
