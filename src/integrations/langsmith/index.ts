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
  // lib/ since 0.10.10, dist/ before: without the traceable file patched at load, the first traceable
  // call's run would start outside its span and its children would lose their parent
  files: ["lib/run_trees", "lib/traceable", "dist/run_trees", "dist/traceable"],
  esmFiles: ["lib/run_trees.mjs", "lib/traceable.mjs", "dist/run_trees.js", "dist/traceable.js"],
  versionRange: ">=0.3.0 <1",
  exportTransform: langsmithAttributeTransform,
  patch: patchLangSmith,
  detect: isLangSmith,
});
