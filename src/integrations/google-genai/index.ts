/** Google GenAI (`@google/genai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isGoogleGenAI, patchGoogleGenAI } from "./patch";

export const googleGenAIIntegration = defineIntegration({
  key: "googleGenai",
  displayName: "Google GenAI",
  packages: ["@google/genai"],
  subpath: "google-genai",
  versionRange: ">=1.1.0 <4",
  patch: patchGoogleGenAI,
  detect: isGoogleGenAI,
});
