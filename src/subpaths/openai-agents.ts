/** @inference/tracing/openai-agents: explicit patching of OpenAI Agents (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentOpenAIAgents, install: installOpenAIAgentsInstrumentation } = installHelpers("openaiAgents");
