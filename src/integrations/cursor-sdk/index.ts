/** Cursor SDK (`@cursor/sdk`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isCursorSdk, patchCursorSdk } from "./patch";

export const cursorSdkIntegration = defineIntegration({
  key: "cursorSdk",
  displayName: "Cursor SDK",
  packages: ["@cursor/sdk"],
  subpath: "cursor-sdk",
  // from 1.0.23, whose run result carries the run's error (see docs/integrations/cursor-sdk.md)
  versionRange: ">=1.0.23 <2",
  patch: patchCursorSdk,
  detect: isCursorSdk,
});
