/** @inference/tracing/bedrock: explicit patching of the Amazon Bedrock runtime client (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentBedrock, install: installBedrockInstrumentation } = installHelpers("bedrock");
