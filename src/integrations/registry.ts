/**
 * The single source of truth for what we instrument: the CommonJS hook list, the ESM allowlist,
 * the eager ESM loads, setup({ modules }) keys, installResults, package.json's subpaths and
 * optional peers, and the README's table all come from here (test/unit/registry.test.ts checks the
 * last three). Adding an SDK: one folder under integrations/ with its declaration, one line here,
 * its subpath file under src/subpaths/, and its tests.
 */
import { openaiIntegration } from "./openai";
import { anthropicIntegration } from "./anthropic";
import { openaiAgentsIntegration } from "./openai-agents";
import { aiSdkIntegration } from "./ai-sdk";
import { langchainIntegration } from "./langchain";
import { langgraphIntegration } from "./langgraph";
import { langsmithIntegration } from "./langsmith";
import { livekitAgentsIntegration } from "./livekit-agents";
import { claudeAgentSdkIntegration } from "./claude-agent-sdk";
import { elevenlabsIntegration } from "./elevenlabs";
import { cursorSdkIntegration } from "./cursor-sdk";
import { piAiIntegration } from "./pi-ai";
import { mcpIntegration } from "./mcp";
import { googleGenAIIntegration } from "./google-genai";
import { mistralIntegration } from "./mistral";
import { bedrockIntegration } from "./bedrock";
import { bedrockAgentIntegration } from "./bedrock-agent";

export const INTEGRATIONS = [
  openaiIntegration,
  anthropicIntegration,
  openaiAgentsIntegration,
  aiSdkIntegration,
  langchainIntegration,
  langgraphIntegration,
  langsmithIntegration,
  livekitAgentsIntegration,
  claudeAgentSdkIntegration,
  elevenlabsIntegration,
  cursorSdkIntegration,
  piAiIntegration,
  mcpIntegration,
  googleGenAIIntegration,
  mistralIntegration,
  bedrockIntegration,
  bedrockAgentIntegration,
] as const;

/** The keys of setup({ modules }) and CATALYST_INSTRUMENTATIONS, as the product documents name them. */
export type ModuleKey = (typeof INTEGRATIONS)[number]["key"];
export const MODULE_KEYS: readonly ModuleKey[] = INTEGRATIONS.map((i) => i.key);
