/** @inference/tracing/pi-ai: explicit patching of PI AI (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentPiAi, install: installPiAiInstrumentation } = installHelpers("piAi");
