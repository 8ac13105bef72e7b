/** Our name and version: the tracer's instrumentation scope and the preload's own package name. */
export const TRACER_NAME = "@inference/tracing";
export const TRACER_VERSION = "0.1.0";
/** Where a user should report an SDK version we do not trace (printed in that warning). */
export const REPORT_TO = "the @inference/tracing issue tracker";
