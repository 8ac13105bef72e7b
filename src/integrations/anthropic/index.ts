/**
 * @inference/tracing/anthropic: the Anthropic integration and its explicit helpers.
 * The declaration is re-exported before public-helpers is loaded: public-helpers loads setup,
 * setup loads the registry, and the registry reads this module's `anthropicIntegration` while this
 * module is still loading when an app imports this subpath first.
 */
export { anthropicIntegration, patchAnthropic } from "./integration";
import { makeInstallHelpers } from "../public-helpers";

export const { instrument: instrumentAnthropic, install: installAnthropicInstrumentation } = makeInstallHelpers("anthropic");
