/** @inference/tracing/langsmith: explicit patching of LangSmith, and its export-time span mapping. */
import { installHelpers } from "../instrument";

export const { instrument: instrumentLangSmith, install: installLangSmithInstrumentation } = installHelpers("langsmith");
/** The name the product documents use: patch a LangSmith module (or RunTree) explicitly. */
export const installLangSmith = (module: unknown) => instrumentLangSmith(module);
/** Maps the attributes of LangSmith's own OTel spans (LANGSMITH_TRACING_MODE=otel) to OpenInference, for a span processor of yours. */
export { langsmithAttributeTransform } from "../integrations/langsmith/transform";
