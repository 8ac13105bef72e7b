/**
 * The integration kit: the plumbing every integration shares, so an integration folder holds
 * only its declaration, its patch and its mapping.
 */
export { PATCHED, isPatched, markPatched, originalOf, wrapFunction, wrapMethod } from "./wrap";
export { clientOf, providerFromBaseURL } from "./provider";
export { base64Placeholder, imageUrlForSpan, invocationParameters, stringify, truncateText } from "./payload";
export {
  MESSAGE_FUNCTION_CALL_ARGUMENTS,
  MESSAGE_FUNCTION_CALL_NAME,
  setInputMessages,
  setMessage,
  setOutputMessages,
  setTools,
  type ContentPart,
  type MessageLike,
  type ToolCallLike,
} from "./messages";
export type { CallSpec, StreamAccumulator } from "./call-spec";
export { stainlessTraceContext } from "./stainless";
export { SpanOwner, errorAttributes } from "./span-owner";
export { isStreamLike, instrumentStream, observeAPIPromise, observeResult } from "./observe";
export { joinRun, makeTraced, stitchedParent, withClaim, type CallSource, type TracedCallOptions } from "./traced-call";
export { END_REASON_ATTR, INCOMPLETE_ATTR, faultPoint, guarded, markIncomplete } from "../../util/fault";
