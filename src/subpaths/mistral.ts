/** @inference/tracing/mistral: explicit patching of the Mistral SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentMistral, install: installMistralInstrumentation } = installHelpers("mistral");
