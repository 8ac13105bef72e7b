/** ElevenLabs Agents (`@elevenlabs/client`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isElevenLabs, patchElevenLabs } from "./patch";

export const elevenlabsIntegration = defineIntegration({
  key: "elevenlabs",
  displayName: "ElevenLabs Agents",
  packages: ["@elevenlabs/client"],
  subpath: "elevenlabs",
  // from 1.21.0: the conversation callbacks the spans come from (onIncomingEvent, onOutgoingEvent) arrive in
  // 1.18.0, and 1.18.0–1.20.0 cannot be installed (their @elevenlabs/types was never published)
  versionRange: ">=1.21.0 <2",
  patch: patchElevenLabs,
  detect: isElevenLabs,
});
