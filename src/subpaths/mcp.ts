/** @inference/tracing/mcp: explicit patching of the MCP SDK (for bundles and apps without the preload). */
import { installHelpers } from "../instrument";

export const { instrument: instrumentMcp, install: installMcpInstrumentation } = installHelpers("mcp");
