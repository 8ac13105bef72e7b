/**
 * LangSmith (langsmith). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const langsmithIntegration: Integration = {
  key: "langsmith",
  displayName: "LangSmith",
  packages: ["langsmith"],
  versionRange: ">=0.3.0 <1",
  patch: () => false,
};

export const { instrument: instrumentLangSmith, install: installLangSmithInstrumentation } = makeInstallHelpers("langsmith");
