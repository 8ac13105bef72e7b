/**
 * Claude Agent SDK (`@anthropic-ai/claude-agent-sdk`): the declaration the registry reads.
 * The package is ESM-only and query() must be rebound to be traced in process, hence
 * esmNeedsRebinding (the automatic ESM mode uses import-in-the-middle for apps importing it).
 */
import { defineIntegration } from "../types";
import { isClaudeAgentSdk, patchClaudeAgentSdk, prepareClaudeAgentSdk } from "./patch";

export const claudeAgentSdkIntegration = defineIntegration({
  key: "claudeAgentSdk",
  displayName: "Claude Agent SDK",
  packages: ["@anthropic-ai/claude-agent-sdk"],
  subpath: "claude-agent-sdk",
  versionRange: ">=0.1.0 <1",
  esmNeedsRebinding: true,
  onSetup: prepareClaudeAgentSdk,
  patch: patchClaudeAgentSdk,
  detect: isClaudeAgentSdk,
});
