/** @inference/tracing/elevenlabs: explicit patching of ElevenLabs Agents (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentElevenLabs, install: installElevenLabsInstrumentation } = installHelpers("elevenlabs");
