/**
 * The CLI end to end: `serve` as a subprocess, the fixture agent (real openai package against
 * the mock server) run through the zero-code preload with CATALYST_OTLP_ENDPOINT pointed at it,
 * then `trace`, `span`, `tail` and `import` as a user types them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, freePort, runAgent, startCli, startOpenAIMock, startServe, type OpenAIMock } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-test-"));
const dataDir = path.join(tmp, "store");
let mock: OpenAIMock;
let serve: Awaited<ReturnType<typeof startServe>>;
let plainStdout = "";

interface TraceRow {
  traceId: string;
  name: string;
  agentId?: string;
  sessionId?: string;
  errorCount: number;
  llmCalls: number;
  toolCalls: number;
  tokensTotal?: number;
  costTotal?: number;
  tools: string[];
}
interface SpanRow {
  traceId: string;
  spanId: string;
  kind: string;
  name: string;
  costTotal?: number;
  toolName?: string;
  status: number;
}

const json = async <T>(args: string[]): Promise<T> => {
  const r = await cli([...args, "--json", "--data-dir", dataDir]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};
const traces = () => json<TraceRow[]>(["trace", "list"]);

beforeAll(async () => {
  mock = await startOpenAIMock();
  serve = await startServe(dataDir);
  const env = { OPENAI_BASE_URL: mock.baseURL, TICKETS: "2", FAIL: "1" };
  const traced = await runAgent({ ...env, CATALYST_OTLP_ENDPOINT: serve.url });
  expect(traced.code, traced.stderr).toBe(0);
  const plain = await runAgent(env, false);
  plainStdout = plain.stdout;
  expect(traced.stdout).toBe(plain.stdout);
  // serve prints one line per completed trace
  await serve.waitFor(/Refund Agent.*\n/);
}, 90_000);

afterAll(async () => {
  await serve?.stop();
  await mock?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the fixture agent through the preload into `serve`", () => {
  it("leaves the app's output unchanged", () => {
    expect(plainStdout).toMatch(/^ticket-1: Done: .*\nticket-2: Done: .*\nrefund failed: 500 InternalServerError\n$/);
  });

  it("prints a line per arriving trace", () => {
    expect(serve.stdout()).toMatch(/AGENT\s+Support Agent\s+\S+\s+4 spans/);
    expect(serve.stdout()).toMatch(/AGENT\s+Refund Agent.*✗/);
  });
});

describe("trace list", () => {
  it("lists the traces newest first with agent, session, tokens, cost and errors", async () => {
    const rows = await traces();
    expect(rows.map((t) => t.name)).toEqual(["Refund Agent", "Support Agent", "Support Agent"]);
    expect(rows.map((t) => t.sessionId)).toEqual(["ticket-refund", "ticket-2", "ticket-1"]);
    const support = rows[1]!;
    expect(support).toMatchObject({ agentId: "support-agent", llmCalls: 2, toolCalls: 1, errorCount: 0, tools: ["lookup_order"] });
    expect(support.tokensTotal).toBeGreaterThan(0);
    expect(support.costTotal).toBeGreaterThan(0);
    expect(rows[0]!.errorCount).toBeGreaterThan(0);
    const table = await cli(["trace", "list", "--data-dir", dataDir]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^TRACE\s+STARTED\s+NAME\s+AGENT\s+SESSION\s+SPANS\s+DURATION\s+TOKENS\s+COST\s+STATUS$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/Refund Agent.*ticket-refund.*✗ \d error/);
    expect(lines[2]).toMatch(/Support Agent.*ticket-2\s+4\s.*\$0\.\d+\s+ok$/);
  });

  it("filters by metadata, kind and numbers, sorts and limits", async () => {
    expect((await json<TraceRow[]>(["trace", "list", "--metadata", "session.id=ticket-1"])).map((t) => t.sessionId)).toEqual(["ticket-1"]);
    expect((await json<TraceRow[]>(["trace", "list", "-m", "tool.name=lookup_order"])).length).toBe(2);
    expect((await json<TraceRow[]>(["trace", "list", "-m", "agent.id=refund-agent", "--status", "error"])).length).toBe(1);
    expect((await json<TraceRow[]>(["trace", "list", "--filter", "errors>0"])).map((t) => t.name)).toEqual(["Refund Agent"]);
    expect((await json<TraceRow[]>(["trace", "list", "--filter", "cost_total>0", "--filter", "llm_calls=2"])).length).toBe(2);
    expect((await json<TraceRow[]>(["trace", "list", "--kind", "LLM"])).length).toBe(0);
    const sorted = await json<TraceRow[]>(["trace", "list", "--sort", "cost_total", "--order", "asc", "--limit", "2"]);
    expect(sorted).toHaveLength(2);
    expect(sorted[0]!.costTotal!).toBeLessThanOrEqual(sorted[1]!.costTotal!);
  });
});

describe("trace get", () => {
  it("prints the tree: kinds, names, durations, model, tokens, cost, tool calls", async () => {
    const [, , ticket1] = await traces();
    const r = await cli(["trace", "get", ticket1!.traceId.slice(0, 8), "--data-dir", dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^◆ trace ${ticket1!.traceId} · .* · 4 spans · 2 LLM calls · \\d+ tokens · \\$0\\.\\d+$`));
    expect(lines[1]).toMatch(/service local-view-agent-fixture · agent Support Agent \(support-agent\) · session ticket-1/);
    expect(lines[2]).toMatch(/^AGENT\s+Support Agent\s+\d/);
    expect(lines[3]).toMatch(/^├─ LLM\s+\S.*gpt-4o-mini.*tokens \d+→\d+ \(\d+\)\s+\$0\.\d+\s+→ calls lookup_order/);
    expect(lines[4]).toMatch(/^├─ TOOL\s+lookup_order\s+\S+/);
    expect(lines[5]).toMatch(/^└─ LLM\s+.*gpt-4o-mini.*tokens/);
  });

  it("shows errors in the tree", async () => {
    const [refund] = await traces();
    const r = await cli(["trace", "get", refund!.traceId, "--data-dir", dataDir]);
    expect(r.stdout).toMatch(/\d errors?/);
    expect(r.stdout).toMatch(/AGENT\s+Refund Agent.*✗ .*500/);
    expect(r.stdout).toMatch(/└─ LLM\s+.*error-500.*✗ .*500/);
  });

  it("--json returns the summary and every span", async () => {
    const [, ticket2] = await traces();
    const r = await json<{ trace: TraceRow; spans: { name: string; attributes: Record<string, unknown> }[] }>(["trace", "get", ticket2!.traceId]);
    expect(r.trace.traceId).toBe(ticket2!.traceId);
    expect(r.spans).toHaveLength(4);
  });
});

describe("span list and span get", () => {
  it("finds TOOL spans by tool name (the hosted CLI's example)", async () => {
    const rows = await json<SpanRow[]>(["span", "list", "--kind", "TOOL", "--metadata", "tool.name=lookup_order"]);
    expect(rows).toHaveLength(2);
    expect(rows.every((s) => s.kind === "TOOL" && s.toolName === "lookup_order")).toBe(true);
    const table = await cli(["span", "list", "--kind", "TOOL", "--metadata", "tool.name=lookup_order", "--data-dir", dataDir]);
    expect(table.stdout.trim().split("\n")).toHaveLength(3);
    expect(table.stdout).toMatch(/TOOL\s+lookup_order/);
  });

  it("finds tools by tool.name, not the model calls that asked for them", async () => {
    const rows = await json<SpanRow[]>(["span", "list", "--metadata", "tool.name=lookup_order"]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((s) => s.kind)).toEqual(rows.map(() => "TOOL"));
  });

  it("sorts LLM spans by cost (the hosted CLI's example)", async () => {
    const rows = await json<SpanRow[]>(["span", "list", "--kind", "LLM", "--filter", "cost_total>0", "--sort", "cost_total", "--order", "desc"]);
    expect(rows).toHaveLength(4);
    const costs = rows.map((s) => s.costTotal!);
    expect(costs).toEqual([...costs].sort((a, b) => b - a));
    expect((await json<SpanRow[]>(["span", "list", "--kind", "LLM", "--filter", "cost_total>0.05"])).length).toBe(0);
    expect((await json<SpanRow[]>(["span", "list", "--status", "error"])).map((s) => s.kind).sort()).toEqual(["AGENT", "LLM"]);
  });

  it("prints an LLM span's conversation with the tool call and its result", async () => {
    const [, ticket2] = await traces();
    const llms = await json<SpanRow[]>(["span", "list", "--trace", ticket2!.traceId, "--kind", "LLM", "--sort", "start_time", "--order", "asc"]);
    expect(llms).toHaveLength(2);
    const r = await cli(["span", "get", ticket2!.traceId, llms[1]!.spanId, "--view", "messages", "--data-dir", dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("[system]");
    expect(r.stdout).toContain("[user]\n  Where is my order ORD-1002?");
    expect(r.stdout).toMatch(/\[assistant\]\n\s+→ lookup_order\(\{.*order_id.*\}\)\s+id call_/);
    expect(r.stdout).toMatch(/\[tool result \(call_\w+\)\]\n\s+\{"order_id":"ABC-123","status":"shipped"/);
    expect(r.stdout).toMatch(/── output ──\n\[assistant\]\n\s+Done: /);
  });

  it("prints attributes, input/output and events views", async () => {
    const [refund, ticket2] = await traces();
    const spans = await json<SpanRow[]>(["span", "list", "--trace", ticket2!.traceId]);
    const llm = spans.find((s) => s.kind === "LLM")!;
    const attrs = await cli(["span", "get", ticket2!.traceId, llm.spanId, "--view", "attributes", "--data-dir", dataDir]);
    expect(attrs.stdout).toMatch(/^LLM .*\ntrace [0-9a-f]{32}\s+span [0-9a-f]{16}/);
    expect(attrs.stdout).toMatch(/\nllm\.model_name\s+gpt-4o-mini/);
    expect(attrs.stdout).toMatch(/\nllm\.cost\.total\s+0\.\d+/);
    expect(attrs.stdout).toMatch(/\nservice\.name\s+local-view-agent-fixture/);
    const tool = spans.find((s) => s.kind === "TOOL")!;
    const io = await cli(["span", "get", ticket2!.traceId, tool.spanId, "--view", "io", "--data-dir", dataDir]);
    expect(io.stdout).toMatch(/── input ──\n\{\n\s+"order_id": "ABC-123"\n\}/);
    expect(io.stdout).toMatch(/── output ──\n\{\n\s+"order_id": "ABC-123",\n\s+"status": "shipped"/);
    const failing = (await json<SpanRow[]>(["span", "list", "--trace", refund!.traceId, "--kind", "LLM"]))[0]!;
    const events = await cli(["span", "get", refund!.traceId.slice(0, 12), failing.spanId.slice(0, 10), "--view", "events", "--data-dir", dataDir]);
    expect(events.stdout).toMatch(/exception\n\s+exception\.type: /);
    expect(events.stdout).toMatch(/exception\.message: .*500/);
    const whole = await json<{ spanId: string; attributes: Record<string, unknown> }>(["span", "get", ticket2!.traceId, llm.spanId]);
    expect(whole.spanId).toBe(llm.spanId);
    expect(whole.attributes["openinference.span.kind"]).toBe("LLM");
  });
});

describe("bad arguments", () => {
  const cases: [string, string[], number, RegExp][] = [
    ["unknown option", ["trace", "list", "--bogus"], 2, /trace list: Unknown option '--bogus'/],
    ["bad filter", ["span", "list", "--filter", "cost_total>>1"], 2, /--filter "cost_total>>1": .*not a number/],
    ["unknown filter field", ["span", "list", "--filter", "price>1"], 2, /unknown field "price"/],
    ["bad metadata", ["span", "list", "--metadata", "tool.name"], 2, /expected key=value/],
    ["bad kind", ["span", "list", "--kind", "ROBOT"], 2, /unknown span kind/],
    ["bad order", ["trace", "list", "--order", "sideways"], 2, /--order sideways: expected asc or desc/],
    ["bad limit", ["trace", "list", "--limit", "ten"], 2, /--limit ten/],
    ["missing span id", ["span", "get", "abcd"], 2, /span get: missing <trace-id> <span-id>/],
    ["bad view", ["span", "get", "abcd", "ef", "--view", "pixels"], 2, /--view pixels: expected one of attributes, messages, io, events/],
    ["extra argument", ["trace", "get", "abcd", "efgh"], 2, /unexpected argument "efgh"/],
    ["unknown subcommand", ["trace", "delete"], 2, /trace: unknown subcommand "delete"/],
    ["unknown command", ["frobnicate"], 2, /unknown command "frobnicate"/],
    ["unknown trace", ["trace", "get", "ffffffffff"], 1, /no trace starting with ffffffffff/],
    ["not a trace id", ["trace", "get", "hello"], 2, /trace get: "hello" is not a trace id/],
  ];
  for (const [label, args, code, message] of cases) {
    it(`${label}: exit ${code} with a clear message`, async () => {
      const r = await cli([...args, "--data-dir", dataDir]);
      expect(r.code).toBe(code);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split("\n").filter(Boolean).length).toBeLessThanOrEqual(2);
    });
  }

  it("explains a missing store", async () => {
    const r = await cli(["trace", "list", "--data-dir", path.join(tmp, "nowhere")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no local trace store at .*nowhere yet\. Start the collector with `npx @inference\/tracing serve`/);
  });

  it("refuses a port in use", async () => {
    const port = new URL(serve.url).port;
    const r = await cli(["serve", "--port", port, "--data-dir", path.join(tmp, "other")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  });

  it("prints help and the version", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+serve/);
    const sub = await cli(["span", "get", "--help"]);
    expect(sub.stdout).toMatch(/--view attributes\|messages\|io\|events/);
    const v = await cli(["--version"]);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("tail", () => {
  it("follows a running collector and prints each matching trace as it arrives", async () => {
    const port = new URL(serve.url).port;
    const tail = startCli(["tail", "--port", port, "--metadata", "agent.id=support-agent", "--data-dir", dataDir]);
    try {
      await tail.waitFor(/following the collector at http:\/\/127\.0\.0\.1:\d+/, "stderr");
      const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", FAIL: "1", CATALYST_OTLP_ENDPOINT: serve.url });
      expect(r.code).toBe(0);
      await tail.waitFor(/◆ trace [0-9a-f]{32}[^\n]*\n[^\n]*session ticket-1\nAGENT\s+Support Agent[\s\S]*└─ LLM/);
      await new Promise((res) => setTimeout(res, 500));
      expect(tail.stdout()).not.toContain("Refund Agent");
      expect(tail.stdout().match(/◆ trace/g)).toHaveLength(1);
    } finally {
      expect(await tail.stop()).toBe(0);
    }
  });

  it("starts its own collector when none runs, and prints JSON with --json", async () => {
    const port = await freePort();
    const dir = path.join(tmp, "tail-own");
    const tail = startCli(["tail", "--port", String(port), "--json", "--filter", "errors>0", "--data-dir", dir]);
    try {
      await tail.waitFor(/no collector was running on 127\.0\.0\.1:\d+, so this process is one now: send traces to http:\/\/127\.0\.0\.1:\d+ .*Ctrl-C stops it and tail\.\n/, "stderr");
      const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", FAIL: "1", CATALYST_OTLP_ENDPOINT: `http://127.0.0.1:${port}` });
      expect(r.code).toBe(0);
      await tail.waitFor(/\n/);
      const line = JSON.parse(tail.stdout().trim().split("\n")[0]!);
      expect(line.trace).toMatchObject({ name: "Refund Agent", errorCount: 2 });
      expect(line.spans).toHaveLength(2);
    } finally {
      expect(await tail.stop("SIGTERM")).toBe(0);
    }
    // what it collected stays in its store
    const list = await cli(["trace", "list", "--json", "--data-dir", dir]);
    expect(JSON.parse(list.stdout)).toHaveLength(2);
  });
});

describe("history and import", () => {
  it("keeps history across a restart of `serve`", async () => {
    const before = (await traces()).length;
    expect(await serve.stop()).toBe(0);
    serve = await startServe(dataDir);
    expect(serve.stdout()).toContain(`(${before} traces)`);
    const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "1", CATALYST_OTLP_ENDPOINT: serve.url });
    expect(r.code).toBe(0);
    await serve.waitFor(/Support Agent/);
    expect((await traces()).length).toBe(before + 1);
  });

  it("imports a CATALYST_TRACES_FILE written by the local sink", async () => {
    const file = path.join(tmp, "spans.jsonl");
    const r = await runAgent({ OPENAI_BASE_URL: mock.baseURL, TICKETS: "2", FAIL: "1", CATALYST_TRACES_FILE: file, CATALYST_CONSOLE: "off" });
    expect(r.code, r.stderr).toBe(0);
    const lines = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(lines.length).toBe(10);
    const dir = path.join(tmp, "imported");
    const imp = await cli(["import", file, "--data-dir", dir]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toContain(`${file}: imported 10 spans (3 traces)`);
    const rows = JSON.parse((await cli(["trace", "list", "--json", "--data-dir", dir])).stdout) as TraceRow[];
    expect(rows.map((t) => t.name).sort()).toEqual(["Refund Agent", "Support Agent", "Support Agent"]);
    expect(rows.find((t) => t.sessionId === "ticket-1")!.costTotal).toBeGreaterThan(0);
    const tree = await cli(["trace", "get", rows[0]!.traceId, "--data-dir", dir]);
    expect(tree.stdout).toMatch(/├─ LLM|└─ LLM/);
    // importing the same file again replaces, not duplicates
    await cli(["import", file, "--data-dir", dir]);
    expect(JSON.parse((await cli(["trace", "list", "--json", "--data-dir", dir])).stdout)).toHaveLength(3);
  });

  it("reports files it cannot use", async () => {
    const junk = path.join(tmp, "junk.txt");
    fs.writeFileSync(junk, "hello\n{\"a\":1}\n");
    const r = await cli(["import", junk, "--data-dir", path.join(tmp, "junk-store")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("imported 0 spans");
    expect(r.stderr).toMatch(/line 2: neither a span record nor an OTLP\/JSON request/);
    const missing = await cli(["import", path.join(tmp, "missing.jsonl")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
  });
});
