/** The public API of @inference/tracing, and nothing else. */
export { setup } from "./setup";
export type { TracingHandle } from "./state";
export type { SetupOptions, Config, BatchingMode, ConsoleMode } from "./config";
export { agentSpan, type AgentSpanOptions, type SpanCallback } from "./spans/agent-span";
export { manualSpan, type ManualSpanOptions } from "./spans/manual-span";
export { SpanHandle } from "./spans/handle";
export { getActiveAgentIdentity, type AgentIdentity } from "./spans/context";
export type { TokenCounts } from "./spans/usage";
export { Attr, SpanKindValues, MessageRole, MimeType, OpenInferenceAttribute, type SpanKind } from "./semconv";
export {
  CatalystTracingError,
  CatalystInstrumentationError,
  CatalystSpanArgumentError,
  ErrorCodes,
} from "./errors";
export type { InstallResult } from "./integrations/types";
export { instrument } from "./instrument";
export { flush, shutdown } from "./flush";
export { wrapClaudeAgentSdkQuery } from "./subpaths/claude-agent-sdk";
