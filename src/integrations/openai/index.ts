/**
 * @inference/tracing/openai: the OpenAI integration and its explicit helpers.
 * The declaration is re-exported before public-helpers is loaded: public-helpers loads setup,
 * setup loads the registry, and the registry reads this module's `openaiIntegration` while this
 * module is still loading when an app imports this subpath first.
 */
export { openaiIntegration, patchOpenAI, INCLUDE_USAGE_ENV, RECORD_VECTORS_ENV } from "./integration";
import { makeInstallHelpers } from "../public-helpers";

export const { instrument: instrumentOpenAI, install: installOpenAIInstrumentation } = makeInstallHelpers("openai");
