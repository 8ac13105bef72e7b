/** @inference/tracing/livekit-agents: explicit patching of LiveKit Agents, and its export-time span mapping. */
import { installHelpers } from "../instrument";

export const { instrument: instrumentLiveKitAgents, install: installLiveKitAgentsInstrumentation } = installHelpers("livekitAgents");
/** Maps LiveKit's own spans (recorded through a provider you gave LiveKit) to OpenInference, for a span processor of yours. */
export { livekitAttributeTransform } from "../integrations/livekit-agents/transform";
