/**
 * MCP (`@modelcontextprotocol/sdk`): the declaration the registry reads. The package has no
 * usable root entry (apps import subpaths such as `client/index.js`, `server/mcp.js`), so the
 * file patched inside it is listed for both builds: `shared/protocol`, the Protocol class that
 * Client and Server extend (and every entry the apps import leads to).
 */
import { defineIntegration } from "../types";
import { isMcp, patchMcp } from "./patch";

const SDK_FILES = ["shared/protocol"];

export const mcpIntegration = defineIntegration({
  key: "mcp",
  displayName: "MCP",
  packages: ["@modelcontextprotocol/sdk"],
  subpath: "mcp",
  files: SDK_FILES.flatMap((f) => [`dist/cjs/${f}`, `dist/esm/${f}`]),
  esmFiles: SDK_FILES.map((f) => `dist/esm/${f}.js`),
  versionRange: ">=1.10.0 <2",
  patch: patchMcp,
  detect: isMcp,
});
