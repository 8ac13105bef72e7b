/** PI AI (`@mariozechner/pi-ai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isPiAi, patchPiAi } from "./patch";

export const piAiIntegration = defineIntegration({
  key: "piAi",
  displayName: "PI AI",
  packages: ["@mariozechner/pi-ai"],
  subpath: "pi-ai",
  // the oldest version the zero-code tests run on (see docs/integrations/pi-ai.md)
  versionRange: ">=0.52.7 <1",
  patch: patchPiAi,
  detect: isPiAi,
});
