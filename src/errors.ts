/** Typed errors for wrong-shape arguments to our own API. Each has a stable `code`. */
export class CatalystTracingError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "CatalystTracingError";
    this.code = code;
  }
}
/** setup() or an install helper was given something it cannot use. */
export class CatalystInstrumentationError extends CatalystTracingError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = "CatalystInstrumentationError";
  }
}
/** agentSpan()/manualSpan() was called with options or a callback of the wrong shape. */
export class CatalystSpanArgumentError extends CatalystTracingError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = "CatalystSpanArgumentError";
  }
}
export const ErrorCodes = {
  INVALID_OPTIONS: "INVALID_OPTIONS",
  MISSING_AGENT_ID: "MISSING_AGENT_ID",
  INVALID_CALLBACK: "INVALID_CALLBACK",
  INVALID_SPAN_KIND: "INVALID_SPAN_KIND",
  UNKNOWN_MODULE_KEY: "UNKNOWN_MODULE_KEY",
  INVALID_MODULE: "INVALID_MODULE",
} as const;
