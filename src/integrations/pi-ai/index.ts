/**
 * PI AI (@mariozechner/pi-ai). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const piAiIntegration: Integration = {
  key: "piAi",
  displayName: "PI AI",
  packages: ["@mariozechner/pi-ai"],
  versionRange: ">=0.1.0 <1",
  patch: () => false,
};

export const { instrument: instrumentPiAi, install: installPiAiInstrumentation } = makeInstallHelpers("piAi");
