/** OpenAI Agents (`@openai/agents`, `@openai/agents-core`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isOpenAIAgents, patchOpenAIAgents } from "./patch";

export const openaiAgentsIntegration = defineIntegration({
  key: "openaiAgents",
  displayName: "OpenAI Agents",
  packages: ["@openai/agents", "@openai/agents-core"],
  subpath: "openai-agents",
  versionRange: ">=0.3.8 <1",
  patch: patchOpenAIAgents,
  detect: isOpenAIAgents,
});
