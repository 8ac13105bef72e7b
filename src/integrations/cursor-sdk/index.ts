/**
 * Cursor SDK (@cursor/sdk). Not implemented yet: the declaration is in the registry so the hooks,
 * installResults and setup({ modules }) already know the package.
 */
import type { Integration } from "../types";
import { makeInstallHelpers } from "../public-helpers";

export const cursorSdkIntegration: Integration = {
  key: "cursorSdk",
  displayName: "Cursor SDK",
  packages: ["@cursor/sdk"],
  versionRange: ">=1.0.0 <2",
  patch: () => false,
};

export const { instrument: instrumentCursorSdk, install: installCursorSdkInstrumentation } = makeInstallHelpers("cursorSdk");
