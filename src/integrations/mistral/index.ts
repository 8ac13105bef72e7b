/** Mistral (`@mistralai/mistralai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isMistral, patchMistral } from "./patch";

export const mistralIntegration = defineIntegration({
  key: "mistral",
  displayName: "Mistral",
  packages: ["@mistralai/mistralai"],
  subpath: "mistral",
  versionRange: ">=1.0.0 <3",
  patch: patchMistral,
  detect: isMistral,
});
