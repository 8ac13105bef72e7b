/**
 * OpenAI (openai). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const openaiIntegration: Integration = {
  key: "openai",
  displayName: "OpenAI",
  packages: ["openai"],
  versionRange: ">=5.0.0 <8",
  patch: () => false,
};

export const { instrument: instrumentOpenAI, install: installOpenAIInstrumentation } = makeInstallHelpers("openai");
