/**
 * How a model call carries outgoing trace context in its SDK's own request options (CallSpec.traceContext),
 * so that it need not enter its span's context: the headers are added to a copy, the app's objects stay
 * as they were, a traceparent the app set stands, and shapes that cannot be copied safely are refused
 * (undefined: the call enters its context instead).
 */
import { describe, expect, it } from "vitest";
import { googleTraceContext } from "../../src/integrations/google-genai/patch";
import { stainlessTraceContext } from "../../src/integrations/kit/stainless";

const ours: [string, string][] = [["traceparent", "00-11111111111111111111111111111111-2222222222222222-01"]];
const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

describe("openai / Anthropic (Stainless) request options", () => {
  const resource = (defaultHeaders?: unknown) => ({ _client: { baseURL: "https://api.example.com/v1", _options: { defaultHeaders } } });

  it("adds the headers to a copy of the options, keeping the app's own", () => {
    const body = { model: "m" };
    const options = { headers: { "x-app": "1" }, timeout: 5 };
    const args = [body, options];
    const next = stainlessTraceContext.withHeaders(args, ours, resource())!;
    expect(next).toEqual([body, { headers: { "x-app": "1", traceparent: ours[0]![1] }, timeout: 5 }]);
    expect(next[0]).toBe(body);
    expect(args[1]).toBe(options);
    expect(options.headers).toEqual({ "x-app": "1" });
    expect(stainlessTraceContext.withHeaders([body], ours, resource())).toEqual([body, { headers: { traceparent: ours[0]![1] } }]);
  });

  it("leaves a traceparent the app set (call or client) as it is", () => {
    const args = [{}, { headers: { TraceParent: own } }];
    expect(stainlessTraceContext.withHeaders(args, ours, resource())).toBe(args);
    const plain = [{}];
    expect(stainlessTraceContext.withHeaders(plain, ours, resource({ traceparent: own }))).toBe(plain);
  });

  it("refuses options or headers it cannot copy as they are", () => {
    expect(stainlessTraceContext.withHeaders([{}, { headers: new Headers() }], ours, resource())).toBeUndefined();
    expect(stainlessTraceContext.withHeaders([{}, { headers: [["a", "b"]] }], ours, resource())).toBeUndefined();
    expect(stainlessTraceContext.withHeaders([{}], ours, resource(new Headers()))).toBeUndefined();
  });

  it("names the host of the client's base URL", () => {
    expect(stainlessTraceContext.host(resource())).toBe("api.example.com");
    expect(stainlessTraceContext.host({})).toBeUndefined();
  });
});

describe("Google GenAI config.httpOptions", () => {
  const models = (httpOptions: Record<string, unknown> = { baseUrl: "https://generativelanguage.googleapis.com", headers: { "x-goog-api-key": "k" } }) => ({
    apiClient: { clientOptions: { httpOptions } },
  });

  it("adds the headers to a copy of the request's httpOptions, keeping what the app set", () => {
    const signal = new AbortController().signal;
    const params = { model: "gemini", contents: "hi", config: { temperature: 0.2, abortSignal: signal, httpOptions: { headers: { "x-app": "1" }, timeout: 9 } } };
    const next = googleTraceContext.withHeaders([params], ours, models())!;
    expect(next[0]).toEqual({ ...params, config: { ...params.config, httpOptions: { headers: { "x-app": "1", traceparent: ours[0]![1] }, timeout: 9 } } });
    expect(next[0].config.abortSignal).toBe(signal);
    expect(params.config.httpOptions.headers).toEqual({ "x-app": "1" });
    expect(googleTraceContext.withHeaders([{ model: "gemini", contents: "hi" }], ours, models())![0].config).toEqual({ httpOptions: { headers: { traceparent: ours[0]![1] } } });
  });

  it("leaves a traceparent the app set (request or client) as it is", () => {
    const args = [{ contents: "hi", config: { httpOptions: { headers: { traceparent: own } } } }];
    expect(googleTraceContext.withHeaders(args, ours, models())).toBe(args);
    const plain = [{ contents: "hi" }];
    expect(googleTraceContext.withHeaders(plain, ours, models({ baseUrl: "https://x", headers: { traceparent: own } }))).toBe(plain);
  });

  it("refuses a client whose httpOptions a JSON copy would change (a custom fetch), and params it cannot copy", () => {
    expect(googleTraceContext.withHeaders([{ contents: "hi" }], ours, models({ baseUrl: "https://x", fetch: () => undefined }))).toBeUndefined();
    expect(googleTraceContext.withHeaders([{ contents: "hi" }], ours, {})).toBeUndefined();
    expect(googleTraceContext.withHeaders([{ contents: "hi", config: { httpOptions: { headers: new Headers() } } }], ours, models())).toBeUndefined();
  });

  it("names the host of the client's base URL", () => {
    expect(googleTraceContext.host(models())).toBe("generativelanguage.googleapis.com");
  });
});
