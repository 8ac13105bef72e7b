/** OpenAI (`openai`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isOpenAI, patchOpenAI } from "./patch";

export const openaiIntegration = defineIntegration({
  key: "openai",
  displayName: "OpenAI",
  packages: ["openai"],
  subpath: "openai",
  versionRange: ">=5.0.0 <8",
  patch: patchOpenAI,
  detect: isOpenAI,
});
