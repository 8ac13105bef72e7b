/** Vercel AI SDK (`ai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isAISdk, patchAISdk } from "./patch";
import { aiSdkAttributeTransform } from "./transform";

export const aiSdkIntegration = defineIntegration({
  key: "aiSdk",
  displayName: "Vercel AI SDK",
  packages: ["ai"],
  subpath: "ai-sdk",
  versionRange: ">=4.0.0 <8",
  esmNeedsRebinding: true,
  exportTransform: aiSdkAttributeTransform,
  patch: patchAISdk,
  detect: isAISdk,
});
