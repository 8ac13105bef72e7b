/** Amazon Bedrock Agents (`@aws-sdk/client-bedrock-agent-runtime`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isBedrockAgent, patchBedrockAgent } from "./patch";

export const bedrockAgentIntegration = defineIntegration({
  key: "bedrockAgent",
  displayName: "Amazon Bedrock Agents",
  packages: ["@aws-sdk/client-bedrock-agent-runtime"],
  subpath: "bedrock-agent",
  versionRange: ">=3.468.0 <4",
  patch: patchBedrockAgent,
  detect: isBedrockAgent,
});
