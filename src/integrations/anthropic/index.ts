/** Anthropic (`@anthropic-ai/sdk`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isAnthropic, patchAnthropic } from "./patch";

export const anthropicIntegration = defineIntegration({
  key: "anthropic",
  displayName: "Anthropic",
  packages: ["@anthropic-ai/sdk"],
  subpath: "anthropic",
  versionRange: ">=0.50.0 <2",
  patch: patchAnthropic,
  detect: isAnthropic,
});
