/**
 * LiveKit Agents (@livekit/agents). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const livekitAgentsIntegration: Integration = {
  key: "livekitAgents",
  displayName: "LiveKit Agents",
  packages: ["@livekit/agents"],
  versionRange: ">=1.0.0 <2",
  patch: () => false,
};

export const { instrument: instrumentLiveKitAgents, install: installLiveKitAgentsInstrumentation } = makeInstallHelpers("livekitAgents");
