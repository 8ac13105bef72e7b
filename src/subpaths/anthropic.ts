/** @inference/tracing/anthropic: explicit patching of the Anthropic SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentAnthropic, install: installAnthropicInstrumentation } = installHelpers("anthropic");
