/**
 * Claude Agent SDK (@anthropic-ai/claude-agent-sdk). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const claudeAgentSdkIntegration: Integration = {
  key: "claudeAgentSdk",
  displayName: "Claude Agent SDK",
  packages: ["@anthropic-ai/claude-agent-sdk"],
  versionRange: ">=0.1.0 <1",
  patch: () => false,
};

export const { instrument: instrumentClaudeAgentSdk, install: installClaudeAgentSdkInstrumentation } = makeInstallHelpers("claudeAgentSdk");

/** Wrap a Claude Agent SDK query() function so each run becomes an AGENT span (filled in by the integration). */
export function wrapClaudeAgentSdkQuery<T>(query: T): T {
  return query;
}
