/**
 * LiveKit Agents (`@livekit/agents`): the declaration the registry reads. The export-time
 * mapping covers LiveKit spans that reach our processors through a tracer provider the app gave
 * LiveKit itself.
 */
import { defineIntegration } from "../types";
import { isLiveKitAgents, patchLiveKitAgents } from "./patch";
import { livekitAttributeTransform } from "./transform";

export const livekitAgentsIntegration = defineIntegration({
  key: "livekitAgents",
  displayName: "LiveKit Agents",
  packages: ["@livekit/agents"],
  subpath: "livekit-agents",
  // from 1.8.0, whose own spans carry the gen_ai.* attributes the mapping reads (see the docs)
  versionRange: ">=1.8.0 <2",
  exportTransform: livekitAttributeTransform,
  patch: patchLiveKitAgents,
  detect: isLiveKitAgents,
});
