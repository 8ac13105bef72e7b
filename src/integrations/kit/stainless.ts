/**
 * What the Stainless-generated SDKs (openai, @anthropic-ai/sdk) share: a resource's `_client`, and
 * request options as a method's second argument whose `headers` are applied after the client's own.
 */
import { hostOfOrigin } from "../../runs/propagation";
import type { CallSpec } from "./call-spec";

const isPlainObject = (x: unknown): x is Record<string, unknown> => {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

const namesHeader = (headers: unknown, name: string) => isPlainObject(headers) && Object.keys(headers).some((k) => k.length === name.length && k.toLowerCase() === name);

/**
 * Outgoing trace context carried in the call's request options. A `traceparent` the app set (in the
 * call's options or the client's default headers) is left as it is; options or headers of a shape
 * other than a plain object are not rewritten (undefined: the call enters its context instead).
 */
export const stainlessTraceContext: NonNullable<CallSpec["traceContext"]> = {
  host: (resource) => hostOfOrigin(resource?._client?.baseURL),
  withHeaders(args, headers, resource) {
    const options = args[1];
    if (options !== undefined && !isPlainObject(options)) return undefined;
    const own = options?.headers;
    if (own != null && !isPlainObject(own)) return undefined;
    const clientHeaders = resource?._client?._options?.defaultHeaders;
    if (clientHeaders != null && !isPlainObject(clientHeaders)) return undefined;
    if (namesHeader(own, "traceparent") || namesHeader(clientHeaders, "traceparent")) return args;
    const next = args.length > 1 ? args.slice() : [args[0], undefined];
    const added: Record<string, string> = { ...own };
    for (const [k, v] of headers) added[k] = v;
    next[1] = { ...options, headers: added };
    return next;
  },
};
