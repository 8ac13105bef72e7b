/**
 * LangChain (@langchain/core). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const langchainIntegration: Integration = {
  key: "langchain",
  displayName: "LangChain",
  packages: ["@langchain/core"],
  versionRange: ">=0.3.0 <2",
  patch: () => false,
};

export const { instrument: instrumentLangChain, install: installLangChainInstrumentation } = makeInstallHelpers("langchain");
