/**
 * Vercel AI SDK (ai). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const aiSdkIntegration: Integration = {
  key: "aiSdk",
  displayName: "Vercel AI SDK",
  packages: ["ai"],
  versionRange: ">=4.0.0 <8",
  patch: () => false,
};

export const { instrument: instrumentAISdk, install: installAISdkInstrumentation } = makeInstallHelpers("aiSdk");
