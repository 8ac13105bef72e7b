/** @inference/tracing/openai: explicit patching of the OpenAI SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentOpenAI, install: installOpenAIInstrumentation } = installHelpers("openai");
