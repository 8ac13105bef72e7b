/**
 * What the Stainless-generated SDKs (openai, @anthropic-ai/sdk) share: a resource's `_client`, and
 * request options as a method's second argument whose `headers` are applied after the client's own.
 */
import { hostOfOrigin } from "../../runs/propagation";
import type { CallSpec } from "./call-spec";
import { TRACEPARENT, isPlainRecord, namesHeader, withHeaders } from "./trace-context";

/**
 * Outgoing trace context carried in the call's request options. A `traceparent` the app set (in the
 * call's options or the client's default headers) is left as it is; options or headers of a shape
 * other than a plain object are not rewritten (undefined: the call enters its context instead).
 */
export const stainlessTraceContext: NonNullable<CallSpec["traceContext"]> = {
  host: (resource) => hostOfOrigin(resource?._client?.baseURL),
  withHeaders(args, headers, resource) {
    const options = args[1];
    if (options !== undefined && !isPlainRecord(options)) return undefined;
    const own = options?.headers;
    if (own != null && !isPlainRecord(own)) return undefined;
    const clientHeaders = resource?._client?._options?.defaultHeaders;
    if (clientHeaders != null && !isPlainRecord(clientHeaders)) return undefined;
    if (namesHeader(own, TRACEPARENT) || namesHeader(clientHeaders, TRACEPARENT)) return args;
    const next = args.length > 1 ? args.slice() : [args[0], undefined];
    next[1] = { ...options, headers: withHeaders(own, headers) };
    return next;
  },
};
