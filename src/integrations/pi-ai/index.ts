/** PI AI (`@mariozechner/pi-ai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isPiAi, patchPiAi } from "./patch";

export const piAiIntegration = defineIntegration({
  key: "piAi",
  displayName: "PI AI",
  packages: ["@mariozechner/pi-ai"],
  subpath: "pi-ai",
  versionRange: ">=0.1.0 <1",
  patch: patchPiAi,
  detect: isPiAi,
});
