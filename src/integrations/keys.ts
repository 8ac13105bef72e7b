/** The keys of setup({ modules }), as the product documents name them. */
export const MODULE_KEYS = [
  "openai",
  "anthropic",
  "openaiAgents",
  "aiSdk",
  "langchain",
  "langgraph",
  "langsmith",
  "livekitAgents",
  "claudeAgentSdk",
  "elevenlabs",
  "cursorSdk",
  "piAi",
] as const;
export type ModuleKey = (typeof MODULE_KEYS)[number];
