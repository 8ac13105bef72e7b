/** Anthropic (`@anthropic-ai/sdk`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isAnthropic, patchAnthropic } from "./patch";

export const anthropicIntegration = defineIntegration({
  key: "anthropic",
  displayName: "Anthropic",
  packages: ["@anthropic-ai/sdk"],
  subpath: "anthropic",
  versionRange: ">=0.50.0 <2",
  // the Bedrock and Vertex clients load the SDK through its `client` file, never its entry
  files: ["client"],
  patch: patchAnthropic,
  detect: isAnthropic,
});
