/** Amazon Bedrock runtime (`@aws-sdk/client-bedrock-runtime`): the declaration the registry reads. */
import { defineIntegration } from "../types";
import { isBedrock, patchBedrock } from "./patch";

export const bedrockIntegration = defineIntegration({
  key: "bedrock",
  displayName: "Amazon Bedrock",
  packages: ["@aws-sdk/client-bedrock-runtime"],
  subpath: "bedrock",
  versionRange: ">=3.422.0 <4",
  patch: patchBedrock,
  detect: isBedrock,
});
