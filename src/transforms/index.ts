/**
 * Export time as one room: the transforms every finished span goes through before any exporter
 * sees it. setup() builds the list and hands it to the export pipeline, which knows nothing of
 * integrations or of what the transforms do.
 */
import type { Config } from "../config";
import type { Integration } from "../integrations/types";
import { costTransform, type PriceTable } from "./cost";
import { limitsTransform } from "./limits";
import { privacyTransform } from "./privacy";
import { tokenEstimate } from "./token-estimate";
import type { AsyncAttributeTransform, AttributeTransform } from "./types";

export type { AsyncAttributeTransform, AttributeTransform };

/**
 * First, off the main thread: token estimates for OpenAI streams without usage (before cost prices
 * them, and before privacy and limits cut the text they count). Then, in order: the enabled
 * integrations' mappings of their SDKs' native spans (so the rest see OpenInference keys), cost,
 * privacy, then size limits (so privacy and limits see every attribute the others add).
 */
export function exportTransforms(config: Config, enabledIntegrations: readonly Integration[]): { transforms: AttributeTransform[]; asyncTransforms: AsyncAttributeTransform[] } {
  return {
    asyncTransforms: [tokenEstimate],
    transforms: [
      ...enabledIntegrations.flatMap((i) => (i.exportTransform ? [i.exportTransform.bind(i)] : [])),
      costTransform({ prices: config.prices as PriceTable | string | undefined, pricesFile: config.pricesFile }),
      privacyTransform(config),
      limitsTransform(config),
    ],
  };
}
