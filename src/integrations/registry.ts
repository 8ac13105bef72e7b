/**
 * The single source of truth for what we instrument: the CommonJS hook list, the ESM
 * allowlist, the Bun eager list, setup({ modules }) keys, installResults and the README
 * table all come from here. Adding an SDK = one folder under integrations/ + one line here.
 */
import type { Integration } from "./types";
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

export const INTEGRATIONS: Integration[] = [
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
];
