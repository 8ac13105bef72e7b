/** What loader.mjs uses when Node gives it no data (--experimental-loader): our allowlist. */
import { INTEGRATIONS } from "../integrations/registry";
import { esmIncludeList, ESM_EXCLUDE } from "./esm-hook";

export function defaultLoaderData() {
  return { include: esmIncludeList(INTEGRATIONS), exclude: ESM_EXCLUDE };
}
