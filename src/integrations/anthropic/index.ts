/**
 * Anthropic (@anthropic-ai/sdk). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const anthropicIntegration: Integration = {
  key: "anthropic",
  displayName: "Anthropic",
  packages: ["@anthropic-ai/sdk"],
  versionRange: ">=0.30.0 <2",
  patch: () => false,
};

export const { instrument: instrumentAnthropic, install: installAnthropicInstrumentation } = makeInstallHelpers("anthropic");
