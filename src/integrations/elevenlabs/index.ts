/** ElevenLabs Agents (`@elevenlabs/client`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isElevenLabs, patchElevenLabs } from "./patch";

export const elevenlabsIntegration = defineIntegration({
  key: "elevenlabs",
  displayName: "ElevenLabs Agents",
  packages: ["@elevenlabs/client"],
  subpath: "elevenlabs",
  versionRange: ">=0.1.0 <2",
  patch: patchElevenLabs,
  detect: isElevenLabs,
});
