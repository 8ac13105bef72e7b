/**
 * The MCP integration in process: the real @modelcontextprotocol/sdk (1.32 and 1.10, the oldest
 * of the supported range; ESM and CJS builds), a real Client and server (McpServer) linked by the
 * SDK's in-memory transport, spans read from the real OTLP receiver. The client-to-server trace
 * across processes is in mcp-zero-code.test.ts; here: what each span records, what the peer
 * receives in `_meta`, and what a peer without (or with a broken) trace context gets.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as client32 from "@modelcontextprotocol/sdk/client/index.js";
import * as mcp32 from "@modelcontextprotocol/sdk/server/mcp.js";
import * as memory32 from "@modelcontextprotocol/sdk/inMemory.js";
import * as types32 from "@modelcontextprotocol/sdk/types.js";
// @ts-expect-error the alias has no types of its own
import * as client10 from "mcp-sdk-v1-10/client/index.js";
// @ts-expect-error the alias has no types of its own
import * as mcp10 from "mcp-sdk-v1-10/server/mcp.js";
// @ts-expect-error the alias has no types of its own
import * as memory10 from "mcp-sdk-v1-10/inMemory.js";
// @ts-expect-error the alias has no types of its own
import * as types10 from "mcp-sdk-v1-10/types.js";
import { startTracing, type Tracing } from "./openai/tracing";
import type { ReceivedSpan } from "../helpers/spans";

const require = createRequire(import.meta.url);

interface Sdk {
  Client: any;
  McpServer: any;
  InMemoryTransport: any;
  McpError: any;
  CreateMessageRequestSchema: any;
  z: any;
}
/** One copy of the SDK: its client, server, in-memory transport, error class, and the zod it is built for. */
function sdk(pkg: string, esm?: { client: any; mcp: any; memory: any; types: any }): Sdk {
  const load = (sub: string) => require(`${pkg}/${sub}`);
  const z = createRequire(require.resolve(`${pkg}/server/mcp.js`))("zod").z;
  const types = esm?.types ?? load("types.js");
  const { McpError, CreateMessageRequestSchema } = types;
  if (esm) return { Client: esm.client.Client, McpServer: esm.mcp.McpServer, InMemoryTransport: esm.memory.InMemoryTransport, McpError, CreateMessageRequestSchema, z };
  return { Client: load("client/index.js").Client, McpServer: load("server/mcp.js").McpServer, InMemoryTransport: load("inMemory.js").InMemoryTransport, McpError, CreateMessageRequestSchema, z };
}

const variants: [string, Sdk][] = [
  ["1.32 esm", sdk("@modelcontextprotocol/sdk", { client: client32, mcp: mcp32, memory: memory32, types: types32 })],
  ["1.32 cjs", sdk("@modelcontextprotocol/sdk")],
  ["1.10 esm", sdk("mcp-sdk-v1-10", { client: client10, mcp: mcp10, memory: memory10, types: types10 })],
  ["1.10 cjs", sdk("mcp-sdk-v1-10")],
];

let t: Tracing;
beforeAll(async () => {
  t = await startTracing();
  const { instrumentMcp } = await import("../../dist/subpaths/mcp.js");
  for (const [name, s] of variants) expect(instrumentMcp(s.Client)?.patched, name).toBe(true);
});
afterAll(async () => {
  await t?.close();
});

const kind = (s: ReceivedSpan) => s.attributes["openinference.span.kind"];
const CLIENT = 3;
const SERVER = 2;

const LOGO = Buffer.from("a picture, ".repeat(30)).toString("base64");

/** A server with a tool, a failing tool, a resource, a prompt. */
function serverOf(s: Sdk) {
  const server = new s.McpServer({ name: "test-server", version: "1.0.0" });
  server.tool("echo", "Echo the text", { text: s.z.string() }, async ({ text }: any) => {
    return { content: [{ type: "text", text: `echo: ${text}` }] };
  });
  // asks the client's model (MCP sampling): a request from the server to the client
  server.tool("ask_client", "Sampling", async () => {
    const r = await server.server.createMessage({ messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 10 });
    return { content: [{ type: "text", text: `client said: ${r.content.text}` }] };
  });
  server.tool("explode", "Always fails", async () => {
    throw new Error("kaboom");
  });
  server.resource("logo", "img://logo", async (uri: URL) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: LOGO }] }));
  server.resource("readme", "docs://readme", async (uri: URL) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: "# Read me" }] }));
  server.prompt("review", { code: s.z.string() }, ({ code }: any) => ({ messages: [{ role: "user", content: { type: "text", text: `Review: ${code}` } }] }));
  return server;
}

/** A connected client and server; `seenMeta` gets the `_meta` of every tools/call as it arrives at the server. */
async function connected(s: Sdk, seenMeta: unknown[] = []) {
  const [clientSide, serverSide] = s.InMemoryTransport.createLinkedPair();
  const server = serverOf(s);
  await server.connect(serverSide);
  const deliver = serverSide.onmessage;
  serverSide.onmessage = (message: any, extra: unknown) => {
    if (message.method === "tools/call") seenMeta.push(message.params?._meta);
    deliver.call(serverSide, message, extra);
  };
  const client = new s.Client({ name: "test-client", version: "1.0.0" });
  await client.connect(clientSide);
  return { client, server, clientSide, serverSide };
}

describe.each(variants)("mcp %s", (_name, s) => {
  it("tools/call: a CLIENT TOOL span under the agent, the server's TOOL span under it, the trace context in _meta", async () => {
    const seen: any[] = [];
    const { client } = await connected(s, seen);
    let result: any;
    const spans = await t.spansAfter(async () => {
      result = await t.api.agentSpan({ agentId: "weather-agent" }, () => client.callTool({ name: "echo", arguments: { text: "hi" } }));
      await client.close();
    }, 3);
    expect(result).toEqual({ content: [{ type: "text", text: "echo: hi" }] });
    const agent = spans.find((x) => kind(x) === "AGENT")!;
    const tools = spans.filter((x) => kind(x) === "TOOL");
    const onClient = tools.find((x) => x.kind === CLIENT)!;
    const onServer = tools.find((x) => x.kind === SERVER)!;
    expect(tools).toHaveLength(2);
    expect(onClient.parentSpanId).toBe(agent.spanId);
    expect(onServer.parentSpanId).toBe(onClient.spanId);
    for (const span of [onClient, onServer]) {
      expect(span.name).toBe("tools/call echo");
      expect(span.traceId).toBe(agent.traceId);
      expect(span.attributes).toMatchObject({
        "tool.name": "echo",
        "gen_ai.tool.name": "echo",
        "gen_ai.operation.name": "execute_tool",
        "mcp.method.name": "tools/call",
        "input.value": '{"text":"hi"}',
        "output.value": "echo: hi",
        "output.mime_type": "text/plain",
        "agent.id": "weather-agent",
      });
      expect(span.status.code).toBe(1);
    }
    expect(onClient.attributes["jsonrpc.request.id"]).toMatch(/^\d+$/);
    // the server knows the id where the SDK hands it to handlers (extra.requestId, 1.11 on)
    if (onServer.attributes["jsonrpc.request.id"] !== undefined) expect(onServer.attributes["jsonrpc.request.id"]).toBe(onClient.attributes["jsonrpc.request.id"]);
    // what went over the wire: W3C traceparent naming the client's span
    expect(seen[0]).toMatchObject({ traceparent: `00-${onClient.traceId}-${onClient.spanId}-01` });
  });

  it("an isError result and a JSON-RPC error: ERROR spans on both sides, the app's result and error unchanged", async () => {
    const { client } = await connected(s);
    let failed: any;
    let rejected: any;
    const spans = await t.spansAfter(async () => {
      failed = await client.callTool({ name: "explode", arguments: {} });
      rejected = await client.getPrompt({ name: "missing", arguments: {} }).catch((e: unknown) => e);
      await client.close();
    }, 4);
    expect(failed).toEqual({ content: [{ type: "text", text: "kaboom" }], isError: true });
    expect(rejected).toBeInstanceOf(s.McpError);
    expect(rejected.code).toBe(-32602);
    const toolSpans = spans.filter((x) => x.name === "tools/call explode");
    expect(toolSpans.map((x) => x.kind).sort()).toEqual([SERVER, CLIENT]);
    for (const x of toolSpans) {
      expect(x.status).toMatchObject({ code: 2, message: "kaboom" });
      expect(x.attributes["error.type"]).toBe("tool_error");
    }
    const promptSpans = spans.filter((x) => x.name === "prompts/get missing");
    expect(promptSpans.map((x) => x.kind).sort()).toEqual([SERVER, CLIENT]);
    for (const x of promptSpans) {
      expect(kind(x)).toBe("PROMPT");
      expect(x.status.code).toBe(2);
      expect(x.status.message).toContain("Prompt missing not found");
      expect(x.attributes).toMatchObject({ "error.type": "-32602", "rpc.response.status_code": "-32602" });
      expect(x.events.map((e) => e.name)).toContain("exception");
    }
  });

  it("resources/read is a RETRIEVER span with documents, prompts/get a PROMPT span; tools/list makes none", async () => {
    const { client } = await connected(s);
    let readme: any;
    const spans = await t.spansAfter(async () => {
      await client.listTools();
      readme = await client.readResource({ uri: "docs://readme" });
      await client.readResource({ uri: "img://logo" });
      await client.getPrompt({ name: "review", arguments: { code: "x = 1" } });
      await client.close();
    }, 6);
    expect(readme.contents[0].text).toBe("# Read me");
    expect(spans.filter((x) => String(x.attributes["mcp.method.name"]).endsWith("/list"))).toEqual([]);
    const docs = spans.filter((x) => x.name === "resources/read docs://readme");
    expect(docs).toHaveLength(2);
    for (const x of docs) {
      expect(x.attributes).toMatchObject({
        "openinference.span.kind": "RETRIEVER",
        "mcp.resource.uri": "docs://readme",
        "input.value": "docs://readme",
        "retrieval.documents.0.document.id": "docs://readme",
        "retrieval.documents.0.document.content": "# Read me",
        "retrieval.documents.0.document.metadata": '{"mimeType":"text/markdown"}',
      });
    }
    const logo = spans.find((x) => x.name === "resources/read img://logo")!;
    expect(logo.attributes["retrieval.documents.0.document.content"]).toBe(`[base64 omitted: ${LOGO.length} chars]`);
    const prompts = spans.filter((x) => x.name === "prompts/get review");
    expect(prompts).toHaveLength(2);
    for (const x of prompts) {
      expect(x.attributes).toMatchObject({ "openinference.span.kind": "PROMPT", "gen_ai.prompt.name": "review", "llm.prompt_template.variables": '{"code":"x = 1"}' });
      expect(JSON.parse(x.attributes["output.value"]).messages[0].content.text).toBe("Review: x = 1");
    }
  });

  it("a peer that sends no trace context, or a malformed one, is answered as before; a valid one is continued", async () => {
    const [peer, serverSide] = s.InMemoryTransport.createLinkedPair();
    await serverOf(s).connect(serverSide);
    const answers = new Map<number, any>();
    peer.onmessage = (m: any) => answers.set(m.id, m);
    await peer.start();
    const call = (id: number, _meta?: unknown) =>
      peer.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { text: `call ${id}` }, ...(_meta === undefined ? {} : { _meta }) } });
    const foreign = { trace: "4bf92f3577b34da6a3ce929d0e0e4736", span: "00f067aa0ba902b7" };
    let ambient: any;
    const spans = await t.spansAfter(async () => {
      await call(1);
      await call(2, { traceparent: "00-not-a-trace-01", tracestate: "%%%" });
      // a span already active where the request arrives (an HTTP server's, say) is linked, not the parent
    ambient = await t.api.manualSpan({ spanName: "ambient" }, async (span: any) => {
      await call(3, { traceparent: `00-${foreign.trace}-${foreign.span}-01`, tracestate: "vendor=abc" });
      return span.raw.spanContext();
    });
      await new Promise((r) => setTimeout(r, 50));
      await peer.close();
    }, 3);
    expect([1, 2, 3].map((id) => answers.get(id)?.result?.content?.[0]?.text)).toEqual(["echo: call 1", "echo: call 2", "echo: call 3"]);
    const server = (n: number) => spans.find((x) => x.attributes["input.value"] === `{"text":"call ${n}"}`)!;
    expect(server(1).parentSpanId).toBeUndefined();
    expect(server(2).parentSpanId).toBeUndefined();
    expect(server(3)).toMatchObject({ traceId: foreign.trace, parentSpanId: foreign.span });
    expect(server(3).links).toEqual([{ traceId: ambient.traceId, spanId: ambient.spanId, attributes: {} }]);
    expect(server(1).links).toEqual([]);
    expect(new Set([server(1).traceId, server(2).traceId, foreign.trace]).size).toBe(3);
  });

  it("a request the server sends the client (sampling) carries the server span's trace context; it gets no span of its own", async () => {
    const [clientSide, serverSide] = s.InMemoryTransport.createLinkedPair();
    await serverOf(s).connect(serverSide);
    const client = new s.Client({ name: "sampling-client", version: "1.0.0" }, { capabilities: { sampling: {} } });
    client.setRequestHandler(s.CreateMessageRequestSchema, async () => ({ model: "m", role: "assistant", content: { type: "text", text: "sampled" } }));
    await client.connect(clientSide);
    const arrived: any[] = [];
    const deliver = clientSide.onmessage;
    clientSide.onmessage = (message: any, extra: unknown) => {
      if (message.method === "sampling/createMessage") arrived.push(message.params?._meta);
      deliver.call(clientSide, message, extra);
    };
    let result: any;
    const spans = await t.spansAfter(async () => {
      result = await client.callTool({ name: "ask_client", arguments: {} });
      await client.close();
    }, 2);
    expect(result.content[0].text).toBe("client said: sampled");
    const onServer = spans.find((x) => x.name === "tools/call ask_client" && x.kind === SERVER)!;
    expect(arrived).toEqual([{ traceparent: `00-${onServer.traceId}-${onServer.spanId}-01` }]);
    expect(spans.filter((x) => String(x.attributes["mcp.method.name"]).startsWith("sampling"))).toEqual([]);
  });
});
