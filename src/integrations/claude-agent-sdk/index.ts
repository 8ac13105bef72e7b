/**
 * Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`): the declaration the registry reads.
 * The package is ESM-only and query() must be rebound to be traced in process, hence
 * esmNeedsRebinding (the automatic ESM mode uses import-in-the-middle for apps importing it) and
 * reboundExports (the bundler plugins' proxies make those names reassignable).
 */
import { defineIntegration } from "../types";
import { WRAPPERS, isClaudeAgentSdk, patchClaudeAgentSdk, prepareClaudeAgentSdk } from "./patch";

export const claudeAgentSdkIntegration = defineIntegration({
  key: "claudeAgentSdk",
  displayName: "Claude Agent SDK",
  packages: ["@anthropic-ai/claude-agent-sdk"],
  subpath: "claude-agent-sdk",
  // the oldest version the zero-code tests pass on (see docs/integrations/claude-agent-sdk.md)
  versionRange: ">=0.2.20 <1",
  esmNeedsRebinding: true,
  reboundExports: Object.keys(WRAPPERS),
  onSetup: prepareClaudeAgentSdk,
  patch: patchClaudeAgentSdk,
  detect: isClaudeAgentSdk,
});
