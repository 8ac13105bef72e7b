/**
 * LangGraph (@langchain/langgraph). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const langgraphIntegration: Integration = {
  key: "langgraph",
  displayName: "LangGraph",
  packages: ["@langchain/langgraph"],
  versionRange: ">=0.2.0 <2",
  patch: () => false,
};

export const { instrument: instrumentLangGraph, install: installLangGraphInstrumentation } = makeInstallHelpers("langgraph");
