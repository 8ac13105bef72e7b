/**
 * The MCP mappers as pure functions: request params and results in the shapes the MCP schema
 * defines (tools/call, resources/read, prompts/get), attributes out; and the environment a
 * traced client hands a stdio server it starts.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  documentAttributes,
  errorAttributes,
  requestAttributes,
  resultAttributes,
  sanitizeContent,
  spanName,
  transportAttributes,
  withTraceContext,
} from "../../src/integrations/mcp/mapping";
import { forwardedVariables, isJavaScriptCommand, tracedChildEnvironment } from "../../src/integrations/mcp/child-env";

const B64 = "iVBORw0KGgo".repeat(20);

describe("span names and request attributes", () => {
  it("names spans {method} {target}: the tool, the prompt, the resource URI", () => {
    expect(spanName("tools/call", { name: "get_weather" })).toBe("tools/call get_weather");
    expect(spanName("prompts/get", { name: "review" })).toBe("prompts/get review");
    expect(spanName("resources/read", { uri: "file:///docs/readme.md" })).toBe("resources/read file:///docs/readme.md");
    expect(spanName("tools/call", {})).toBe("tools/call");
    expect(spanName("resources/read", { uri: `x://${"a".repeat(500)}` }).length).toBeLessThan(230);
  });

  it("tools/call: a TOOL span with the tool's name and its arguments as JSON input", () => {
    expect(requestAttributes("tools/call", { name: "get_weather", arguments: { city: "Paris" }, _meta: { traceparent: "x" } })).toEqual({
      "openinference.span.kind": "TOOL",
      "mcp.method.name": "tools/call",
      "tool.name": "get_weather",
      "gen_ai.tool.name": "get_weather",
      "gen_ai.operation.name": "execute_tool",
      "input.value": '{"city":"Paris"}',
      "input.mime_type": "application/json",
    });
    expect(requestAttributes("tools/call", { name: "t" })["input.value"]).toBe("{}");
  });

  it("resources/read: a RETRIEVER span whose input is the URI", () => {
    expect(requestAttributes("resources/read", { uri: "docs://readme" })).toEqual({
      "openinference.span.kind": "RETRIEVER",
      "mcp.method.name": "resources/read",
      "mcp.resource.uri": "docs://readme",
      "input.value": "docs://readme",
      "input.mime_type": "text/plain",
    });
  });

  it("prompts/get: a PROMPT span with the arguments as template variables", () => {
    expect(requestAttributes("prompts/get", { name: "review", arguments: { code: "x = 1" } })).toEqual({
      "openinference.span.kind": "PROMPT",
      "mcp.method.name": "prompts/get",
      "gen_ai.prompt.name": "review",
      "input.value": '{"code":"x = 1"}',
      "input.mime_type": "application/json",
      "llm.prompt_template.variables": '{"code":"x = 1"}',
    });
    expect(requestAttributes("prompts/get", { name: "p" })["llm.prompt_template.variables"]).toBeUndefined();
  });
});

describe("the trace context in params._meta", () => {
  const entries = { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };

  it("is added beside what the app put there, which wins; the app's request is not changed", () => {
    const request = { method: "tools/call", params: { name: "t", _meta: { progressToken: 7, traceparent: "the app's own" } } };
    expect(withTraceContext(request, { ...entries, tracestate: "a=1" })).toEqual({
      method: "tools/call",
      params: { name: "t", _meta: { traceparent: "the app's own", tracestate: "a=1", progressToken: 7 } },
    });
    expect(request.params._meta).toEqual({ progressToken: 7, traceparent: "the app's own" });
    expect(withTraceContext({ method: "tools/list" }, entries)).toEqual({ method: "tools/list", params: { _meta: entries } });
  });

  it("is not added where params or _meta are not objects (the app's request goes out as it is)", () => {
    expect(withTraceContext({ method: "x", params: ["positional"] }, entries)).toBeUndefined();
    expect(withTraceContext({ method: "x", params: "text" }, entries)).toBeUndefined();
    expect(withTraceContext({ method: "x", params: { _meta: "not an object" } }, entries)).toBeUndefined();
    expect(withTraceContext({ method: "x", params: { _meta: null } }, entries)).toBeUndefined();
  });
});

describe("results", () => {
  it("a text-only tool result is its text; isError makes a tool_error with the text as message", () => {
    const ok = resultAttributes("tools/call", { content: [{ type: "text", text: "Sunny" }, { type: "text", text: "22°C" }] });
    expect(ok).toEqual({ attributes: { "output.value": "Sunny\n22°C", "output.mime_type": "text/plain" } });
    const failed = resultAttributes("tools/call", { content: [{ type: "text", text: "station down" }], isError: true });
    expect(failed.toolError).toBe("station down");
    expect(failed.attributes["error.type"]).toBe("tool_error");
    expect(failed.attributes["output.value"]).toBe("station down");
    expect(resultAttributes("tools/call", { content: [], isError: true }).toolError).toBe("the tool reported an error");
  });

  it("mixed content and structured content are JSON, with inline media replaced", () => {
    const r = resultAttributes("tools/call", {
      content: [{ type: "text", text: "chart" }, { type: "image", data: B64, mimeType: "image/png" }],
      structuredContent: { temperature: 22 },
    });
    expect(r.attributes["output.mime_type"]).toBe("application/json");
    const out = JSON.parse(String(r.attributes["output.value"]));
    expect(out.structuredContent).toEqual({ temperature: 22 });
    expect(out.content[1]).toEqual({ type: "image", data: `[base64 omitted: ${B64.length} chars]`, mimeType: "image/png" });
  });

  it("a 2024-10-07 server's { toolResult } is the output; a result without content (a task) is its JSON", () => {
    expect(resultAttributes("tools/call", { toolResult: { ok: 1 } }).attributes["output.value"]).toBe('{"ok":1}');
    expect(resultAttributes("tools/call", { task: { taskId: "t-1", status: "working" } }).attributes).toEqual({
      "output.value": '{"task":{"taskId":"t-1","status":"working"}}',
      "output.mime_type": "application/json",
    });
  });

  it("resource contents become retrieval documents (id, content, MIME type); blobs a placeholder", () => {
    expect(
      documentAttributes([
        { uri: "docs://readme", mimeType: "text/markdown", text: "# Hi" },
        { uri: "img://logo", mimeType: "image/png", blob: B64 },
      ]),
    ).toEqual({
      "retrieval.documents.0.document.id": "docs://readme",
      "retrieval.documents.0.document.content": "# Hi",
      "retrieval.documents.0.document.metadata": '{"mimeType":"text/markdown"}',
      "retrieval.documents.1.document.id": "img://logo",
      "retrieval.documents.1.document.content": `[base64 omitted: ${B64.length} chars]`,
      "retrieval.documents.1.document.metadata": '{"mimeType":"image/png"}',
    });
    expect(resultAttributes("resources/read", { contents: "nonsense" })).toEqual({ attributes: {} });
  });

  it("a prompt's messages are the output, embedded resources and images without their payload", () => {
    const r = resultAttributes("prompts/get", {
      description: "Review code",
      messages: [
        { role: "user", content: { type: "text", text: "Please review" } },
        { role: "user", content: { type: "resource", resource: { uri: "f://a", blob: B64 } } },
      ],
    });
    const out = JSON.parse(String(r.attributes["output.value"]));
    expect(out.description).toBe("Review code");
    expect(out.messages[0].content.text).toBe("Please review");
    expect(out.messages[1].content.resource.blob).toBe(`[base64 omitted: ${B64.length} chars]`);
  });

  it("sanitizeContent leaves the app's objects alone", () => {
    const item = { type: "audio", data: B64, mimeType: "audio/wav" };
    const copy = sanitizeContent(item);
    expect(copy).not.toBe(item);
    expect(item.data).toBe(B64);
  });

  it("ignores results that are not objects", () => {
    expect(resultAttributes("tools/call", undefined)).toEqual({ attributes: {} });
  });
});

describe("errors and transports", () => {
  it("a JSON-RPC error names its code; anything else its class", () => {
    class McpError extends Error {
      constructor(readonly code: number) {
        super("boom");
      }
    }
    expect(errorAttributes(new McpError(-32602))).toEqual({ "error.type": "-32602", "rpc.response.status_code": "-32602" });
    expect(errorAttributes(new TypeError("x"))).toEqual({ "error.type": "TypeError" });
    expect(errorAttributes("a string")).toEqual({ "error.type": "_OTHER" });
  });

  it("stdio is a pipe; HTTP names the server's address; the session id and protocol version when the transport has them", () => {
    expect(transportAttributes({ _serverParams: { command: "node" } })).toEqual({ "network.transport": "pipe" });
    expect(transportAttributes({ _stdin: {}, _stdout: {} })).toEqual({ "network.transport": "pipe" });
    expect(transportAttributes({ _url: new URL("https://mcp.example.com/mcp"), sessionId: "s-1", protocolVersion: "2025-06-18" })).toEqual({
      "mcp.session.id": "s-1",
      "mcp.protocol.version": "2025-06-18",
      "network.transport": "tcp",
      "network.protocol.name": "http",
      "server.address": "mcp.example.com",
      "server.port": 443,
    });
    expect(transportAttributes({ _url: new URL("http://[::1]:3000/mcp") })).toMatchObject({ "server.address": "::1", "server.port": 3000 });
    expect(transportAttributes({ handleRequest() {} })).toEqual({ "network.transport": "tcp", "network.protocol.name": "http" });
    expect(transportAttributes({ get protocolVersion(): string { throw new Error("theirs") } })).toEqual({});
    expect(transportAttributes(undefined)).toEqual({});
  });
});

describe("the environment of a stdio server the app starts", () => {
  const doors = { node: "/opt/app/node_modules/@inference/tracing/register.cjs", bun: "/opt/app/node_modules/@inference/tracing/register.bun.mjs" };
  const defaults = { HOME: "/home/u", PATH: "/usr/bin" };
  const parent = {
    CATALYST_OTLP_ENDPOINT: "http://collector:4318",
    CATALYST_OTLP_TOKEN: "tok-123",
    CATALYST_SERVICE_NAME: "the-client",
    OTEL_SERVICE_NAME: "the-client",
    OTEL_RESOURCE_ATTRIBUTES: "service.name=the-client,deployment.environment=prod",
    OTEL_EXPORTER_OTLP_HEADERS: "x-team=ai",
    OPENINFERENCE_HIDE_INPUTS: "true",
    OPENAI_API_KEY: "sk-app-secret",
    NODE_OPTIONS: "--import @inference/tracing/register",
  };

  it("adds the preload and our settings to the SDK's minimal environment, and nothing else of the app's", () => {
    const env = tracedChildEnvironment({ command: "npx", env: undefined }, parent, defaults, doors, "/usr/bin/node")!;
    expect(env).toEqual({
      HOME: "/home/u",
      PATH: "/usr/bin",
      CATALYST_OTLP_ENDPOINT: "http://collector:4318",
      CATALYST_OTLP_TOKEN: "tok-123",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod",
      OTEL_EXPORTER_OTLP_HEADERS: "x-team=ai",
      OPENINFERENCE_HIDE_INPUTS: "true",
      NODE_OPTIONS: `--require ${doors.node}`,
      BUN_OPTIONS: `--preload ${doors.bun}`,
    });
  });

  it("keeps what the app passed (its values win, its NODE_OPTIONS are extended), without the SDK's defaults it did not ask for", () => {
    const given = { OPENAI_BASE_URL: "http://mock", CATALYST_OTLP_ENDPOINT: "http://other:4318", NODE_OPTIONS: "--max-old-space-size=512" };
    const env = tracedChildEnvironment({ command: "node", env: given }, parent, defaults, doors, "/usr/bin/node")!;
    expect(env.OPENAI_BASE_URL).toBe("http://mock");
    expect(env.CATALYST_OTLP_ENDPOINT).toBe("http://other:4318");
    expect(env.CATALYST_OTLP_TOKEN).toBe("tok-123");
    expect(env.NODE_OPTIONS).toBe(`--max-old-space-size=512 --require ${doors.node}`);
    expect(env.HOME).toBeUndefined();
    expect(given).toEqual({ OPENAI_BASE_URL: "http://mock", CATALYST_OTLP_ENDPOINT: "http://other:4318", NODE_OPTIONS: "--max-old-space-size=512" });
  });

  it("adds no second preload where the app's NODE_OPTIONS already name ours", () => {
    const env = tracedChildEnvironment({ command: "node", env: { NODE_OPTIONS: "--import @inference/tracing/register" } }, {}, defaults, doors, "/usr/bin/node")!;
    expect(env.NODE_OPTIONS).toBe("--import @inference/tracing/register");
  });

  it("quotes a preload path with spaces as NODE_OPTIONS reads it", () => {
    const spaced = { node: "/Users/Jo Doe/app/register.cjs", bun: "/Users/Jo Doe/app/register.bun.mjs" };
    expect(tracedChildEnvironment({ command: "node" }, {}, {}, spaced, "/x")!.NODE_OPTIONS).toBe('--require "/Users/Jo Doe/app/register.cjs"');
  });

  it("leaves the child alone for commands that are not JavaScript, and when the app's env for it says CATALYST_DISABLED", () => {
    expect(tracedChildEnvironment({ command: "uvx", env: undefined }, parent, defaults, doors, "/usr/bin/node")).toBeUndefined();
    expect(tracedChildEnvironment({ command: "python3" }, parent, defaults, doors, "/usr/bin/node")).toBeUndefined();
    expect(tracedChildEnvironment({ command: "node", env: { CATALYST_DISABLED: "true" } }, parent, defaults, doors, "/usr/bin/node")).toBeUndefined();
  });

  it("knows JavaScript commands: runtimes, package runners, script files, this runtime", () => {
    for (const c of ["node", "/usr/local/bin/node", "bun", "npx", "pnpm", "tsx", "node.exe", "npx.cmd", "./server.mjs", "dist/index.js"]) expect(isJavaScriptCommand(c, "/x"), c).toBe(true);
    for (const c of ["python", "uvx", "docker", "deno", "", 3]) expect(isJavaScriptCommand(c, "/x"), String(c)).toBe(false);
    expect(isJavaScriptCommand("/opt/runtimes/my-node-build", "/opt/runtimes/my-node-build")).toBe(true);
  });

  it("forwards no service identity, and keeps a production app's servers quiet", () => {
    const vars = forwardedVariables({ CATALYST_SERVICE_VERSION: "1.2", CATALYST_RESOURCE_ATTRIBUTES: "service.name=a, service.version=2", NODE_ENV: "production" });
    expect(vars).toEqual({ CATALYST_CONSOLE: "off" });
    expect(forwardedVariables({ NODE_ENV: "production", CATALYST_CONSOLE: "tree" })).toEqual({ CATALYST_CONSOLE: "tree" });
  });

  it("finds this package's doors", async () => {
    const { ourDoors } = await import("../../src/integrations/mcp/child-env");
    const root = path.resolve(__dirname, "../..");
    expect(ourDoors()).toEqual({ node: path.join(root, "register.cjs"), bun: path.join(root, "register.bun.mjs") });
  });
});
