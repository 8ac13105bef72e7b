/** @inference/tracing/google-genai: explicit patching of the Google GenAI SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentGoogleGenAI, install: installGoogleGenAIInstrumentation } = installHelpers("googleGenai");
