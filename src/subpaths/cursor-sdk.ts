/** @inference/tracing/cursor-sdk: explicit patching of the Cursor SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentCursorSdk, install: installCursorSdkInstrumentation } = installHelpers("cursorSdk");
