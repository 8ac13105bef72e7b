/**
 * ElevenLabs Agents (@elevenlabs/client). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const elevenlabsIntegration: Integration = {
  key: "elevenlabs",
  displayName: "ElevenLabs Agents",
  packages: ["@elevenlabs/client"],
  versionRange: ">=0.1.0 <2",
  patch: () => false,
};

export const { instrument: instrumentElevenLabs, install: installElevenLabsInstrumentation } = makeInstallHelpers("elevenlabs");
