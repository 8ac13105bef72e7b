/** @inference/tracing/bedrock-agent: explicit patching of the Amazon Bedrock Agents runtime client (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentBedrockAgent, install: installBedrockAgentInstrumentation } = installHelpers("bedrockAgent");
