/**
 * OpenAI Agents (@openai/agents). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const openaiAgentsIntegration: Integration = {
  key: "openaiAgents",
  displayName: "OpenAI Agents",
  packages: ["@openai/agents"],
  versionRange: ">=0.1.0 <1",
  patch: () => false,
};

export const { instrument: instrumentOpenAIAgents, install: installOpenAIAgentsInstrumentation } = makeInstallHelpers("openaiAgents");
