/** Cursor SDK (`@cursor/sdk`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isCursorSdk, patchCursorSdk } from "./patch";

export const cursorSdkIntegration = defineIntegration({
  key: "cursorSdk",
  displayName: "Cursor SDK",
  packages: ["@cursor/sdk"],
  subpath: "cursor-sdk",
  versionRange: ">=1.0.0 <2",
  patch: patchCursorSdk,
  detect: isCursorSdk,
});
