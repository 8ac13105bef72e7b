/** Vercel AI SDK (`ai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isAISdk, patchAISdk } from "./patch";
import { aiSdkAttributeTransform } from "./transform";

export const aiSdkIntegration = defineIntegration({
  key: "aiSdk",
  displayName: "Vercel AI SDK",
  packages: ["ai"],
  subpath: "ai-sdk",
  versionRange: "^6.0.0 || ^7.0.0",
  // AI SDK 7 is traced through its registerTelemetry(): no export needs replacing
  esmNeedsRebinding: "<7",
  exportTransform: aiSdkAttributeTransform,
  patch: patchAISdk,
  detect: isAISdk,
});
