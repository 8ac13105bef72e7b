/** Our name and version: the tracer's instrumentation scope and the preload's own package name. */
export const TRACER_NAME = "@inference/tracing";
export const TRACER_VERSION = "0.1.0";
