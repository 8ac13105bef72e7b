/**
 * What the CLI prints, at fixed terminal widths: tables that fit ($COLUMNS), shortened ids that
 * commands take back, names cut with "…", `--wide`, aligned trees, estimated tokens marked "≈",
 * span text with terminal control and invisible characters escaped, stable order on equal sort
 * keys, and one-line errors for bad arguments and unusable data directories or hosts.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startServe } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cli-output-"));
const dataDir = path.join(tmp, "store");
const T0 = Date.UTC(2026, 0, 5, 9, 30);

/** Ids that look like real ones (random hex), made from a label. */
const hex = (n: number, len: number) => createHash("md5").update(String(n)).digest("hex").slice(0, len);
const HOSTILE = "evil\x1b]52;c;cHduZWQ=\x07\x1b]0;title\x07\x1b]8;;http://x.example\x07link\x1b]8;;\x07\r\x1b[2Kover\u202egnp.exe\u200b";

interface Rec {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeMs: number;
  durationMs: number;
  status?: { code: number; message?: string };
  attributes: Record<string, unknown>;
}
function record(r: Rec) {
  return { kind: 0, endTimeMs: r.startTimeMs + r.durationMs, events: [], resource: { "service.name": "svc" }, scope: { name: "t" }, status: { code: 1 }, ...r };
}

const traceA = hex(0xa1, 32);
const traceHostile = hex(0xb2, 32);
/** Ids in ascending order, started oldest first: the store's key order is the opposite of newest first. */
const tied = [hex(0xc1, 32), hex(0xc2, 32), hex(0xc3, 32)].sort();
const LONG_NAME = "OpenAI Chat Completions for the quarterly revenue forecast assistant";

function spans() {
  const out = [
    record({ traceId: traceA, spanId: hex(1, 16), name: "Support Agent", startTimeMs: T0, durationMs: 900, attributes: { "openinference.span.kind": "AGENT", "agent.id": "support-agent", "session.id": "conversation-with-a-rather-long-session-identifier" } }),
    record({
      traceId: traceA,
      spanId: hex(2, 16),
      parentSpanId: hex(1, 16),
      name: LONG_NAME,
      startTimeMs: T0 + 10,
      durationMs: 400,
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": "gpt-4o-mini",
        "llm.token_count.prompt": 120,
        "llm.token_count.completion": 30,
        "llm.token_count.total": 150,
        "llm.token_count.estimated": true,
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "get_weather",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "call_1",
      },
    }),
    record({ traceId: traceA, spanId: hex(3, 16), parentSpanId: hex(2, 16), name: "get_weather", startTimeMs: T0 + 420, durationMs: 5, attributes: { "openinference.span.kind": "TOOL", "tool.name": "get_weather" } }),
    record({ traceId: traceA, spanId: hex(4, 16), parentSpanId: hex(1, 16), name: "summarize", startTimeMs: T0 + 500, durationMs: 300, attributes: { "openinference.span.kind": "CHAIN" } }),
    record({
      traceId: traceHostile,
      spanId: hex(5, 16),
      name: HOSTILE,
      startTimeMs: T0 + 5000,
      durationMs: 20,
      status: { code: 2, message: `failed: ${HOSTILE}` },
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.model_name": HOSTILE,
        "llm.input_messages.0.message.role": "user",
        "llm.input_messages.0.message.content": `hello ${HOSTILE}\nsecond line`,
        [`app.${HOSTILE}`]: HOSTILE,
      },
    }),
  ];
  // three traces with the same cost: equal sort keys
  tied.forEach((traceId, i) =>
    out.push(record({ traceId, spanId: hex(16 + i, 16), name: `tied ${i}`, startTimeMs: T0 + 10_000 + i * 1000, durationMs: 10, attributes: { "openinference.span.kind": "LLM", "llm.cost.total": 0.5, "app.group": "tied" } })),
  );
  return out;
}

beforeAll(async () => {
  const file = path.join(tmp, "spans.jsonl");
  fs.writeFileSync(file, spans().map((s) => JSON.stringify(s)).join("\n") + "\n");
  const r = await cli(["import", file, "--data-dir", dataDir]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], columns?: number) => cli([...args, "--data-dir", dataDir], columns ? { COLUMNS: String(columns) } : {});
const widthOf = (line: string) => [...line].length;

describe("tables fit the terminal", () => {
  for (const columns of [80, 120]) {
    it(`trace list and span list at ${columns} columns`, async () => {
      for (const args of [["trace", "list"], ["span", "list"]]) {
        const r = await run(args, columns);
        expect(r.code, r.stderr).toBe(0);
        const lines = r.stdout.trimEnd().split("\n");
        for (const line of lines) expect(widthOf(line), `${args.join(" ")}: ${line}`).toBeLessThanOrEqual(columns);
        // ids shortened to a prefix, long names cut with "…"
        expect(r.stdout).not.toContain(traceA);
        expect(r.stdout).toContain(traceA.slice(0, 12));
      }
      const spans = await run(["span", "list"], columns);
      expect(spans.stdout).toMatch(/OpenAI Chat[^\n]*…/);
    });
  }

  it("prints everything whole with --wide, and when the output is not a terminal", async () => {
    for (const r of [await run(["span", "list", "--wide"], 80), await run(["span", "list"])]) {
      expect(r.stdout).toContain(traceA);
      expect(r.stdout).toContain(LONG_NAME);
    }
  });

  it("takes a shortened id back", async () => {
    const r = await run(["trace", "get", traceA.slice(0, 12)], 80);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`◆ trace ${traceA}`);
  });
});

describe("trace get", () => {
  it("lines up the names of root and children, marks estimates and shows the tools a model called", async () => {
    const r = await run(["trace", "get", traceA]);
    const lines = r.stdout.split("\n").filter((l) => /^(AGENT|├─|└─|│|\s{3})/.test(l));
    expect(lines).toHaveLength(4);
    const nameColumn = (l: string, name: string) => l.indexOf(name);
    const columns = [nameColumn(lines[0]!, "Support Agent"), nameColumn(lines[1]!, LONG_NAME), nameColumn(lines[2]!, "get_weather"), nameColumn(lines[3]!, "summarize")];
    expect(new Set(columns).size).toBe(1);
    // estimated tokens, and the cost computed from them, are marked
    expect(lines[1]).toMatch(/tokens ≈120→30 \(150\)\s+≈\$0\.0000\d+\s+→ calls get_weather/);
    expect(r.stdout).toMatch(/^◆ trace [0-9a-f]{32} · .* · ≈150 tokens/m);
  });
});

describe("span text never reaches the terminal raw", () => {
  const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202e]/;
  it("in trace list, trace get, span list and every span view", async () => {
    const outputs = [
      await run(["trace", "list"]),
      await run(["trace", "get", traceHostile]),
      await run(["span", "list"]),
      ...(await Promise.all(["attributes", "messages", "io", "events"].map((view) => run(["span", "get", traceHostile, hex(5, 16), "--view", view])))),
    ];
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.replace(/\n/g, "")).not.toMatch(raw);
    }
    const tree = outputs[1]!.stdout;
    expect(tree).toContain("evil\\x1b]52;c;cHduZWQ=\\x07\\x1b]0;title\\x07");
    expect(tree).toContain("\\r\\x1b[2Kover");
    expect(tree).toContain("over\\u202egnp.exe\\u200b");
    const messages = outputs[4]!.stdout;
    expect(messages).toMatch(/\[user\]\n {2}hello evil\\x1b\]52;.*\n {2}second line/);
  });

  it("in the line serve prints per trace", async () => {
    const serve = await startServe(path.join(tmp, "serve-store"));
    try {
      const body = JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [] },
            scopeSpans: [{ scope: { name: "t" }, spans: [{ traceId: hex(0xd1, 32), spanId: hex(9, 16), name: HOSTILE, kind: 1, startTimeUnixNano: "1767605400000000000", endTimeUnixNano: "1767605400005000000", attributes: [] }] }],
          },
        ],
      });
      await new Promise<void>((resolve, reject) => {
        const req = http.request(`${serve.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))));
        });
        req.on("error", reject);
        req.end(body);
      });
      const [line] = await serve.waitFor(/^.*gnp\.exe.*$/m);
      expect(line).not.toMatch(raw);
      expect(line).toContain("evil\\x1b]52;");
    } finally {
      await serve.stop();
    }
  });
});

describe("lists", () => {
  it("keep one order for equal sort keys, whatever the filters: newest first", async () => {
    const ids = async (args: string[]) => (JSON.parse((await run([...args, "--json"])).stdout) as { traceId: string }[]).map((t) => t.traceId);
    const expected = [...tied].reverse();
    expect(await ids(["trace", "list", "--sort", "cost_total", "--filter", "cost_total=0.5"])).toEqual(expected);
    expect(await ids(["trace", "list", "--sort", "cost_total", "--order", "asc", "--metadata", "app.group=tied"])).toEqual(expected);
    expect(await ids(["trace", "list", "--sort", "cost_total", "--metadata", "app.group=tied", "--name", "tied"])).toEqual(expected);
  });
});

describe("help and bad arguments", () => {
  it("`trace --help` and `span --help` show get as well as list", async () => {
    for (const noun of ["trace", "span"]) {
      const r = await cli([noun, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: inference-tracing ${noun} list`));
      expect(r.stdout).toMatch(new RegExp(`inference-tracing ${noun} get <trace-id>`));
    }
  });

  const cases: [string, string[], RegExp][] = [
    ["a negative limit", ["trace", "list", "-n", "-5"], /^inference-tracing trace list: --limit -5: expected a whole number/],
    ["a negative limit, long form", ["span", "list", "--limit", "-5"], /--limit -5: expected a whole number/],
    ["a malformed span id", ["span", "get", traceA, "xyz"], /span get: "xyz" is not a span id/],
    ["a malformed trace id", ["span", "list", "--trace", "not-hex"], /"not-hex" is not a trace id/],
  ];
  for (const [label, args, message] of cases) {
    it(`${label}: exit 2, our one-line message`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }
});

describe("one-line errors, no stack traces", () => {
  it("a data directory that is a file", async () => {
    const file = path.join(tmp, "a-file");
    fs.writeFileSync(file, "x");
    for (const args of [["serve", "--port", "0"], ["import", path.join(tmp, "spans.jsonl")]]) {
      const r = await cli([...args, "--data-dir", file]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/the data directory .*a-file is a file/)]);
    }
  });

  it("a data directory that cannot be created", async () => {
    const r = await cli(["serve", "--port", "0", "--data-dir", "/sys/inference-tracing-test"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/cannot create the data directory \/sys\/inference-tracing-test: not allowed/)]);
  });

  it("a host name that does not resolve", async () => {
    const r = await cli(["serve", "--port", "0", "--host", "no-such-host.invalid", "--data-dir", path.join(tmp, "host-store")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/serve: --host no-such-host\.invalid: no such host name/)]);
  });

  it("import skips a record with a bad id and names its line", async () => {
    const file = path.join(tmp, "bad-ids.jsonl");
    const [good] = spans();
    fs.writeFileSync(file, [JSON.stringify({ ...good, traceId: hex(0xe1, 32) }), JSON.stringify({ ...good, traceId: "x".repeat(3000) }), JSON.stringify({ ...good, traceId: hex(0xe2, 32), spanId: "nope" })].join("\n"));
    const r = await cli(["import", file, "--data-dir", path.join(tmp, "import-store")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("imported 1 span (1 trace), skipped 2");
    expect(r.stderr).toMatch(/line 2: skipped a span: trace id "x{40}…\(3000 characters\)" is not 32 hex characters/);
    expect(r.stderr).toMatch(/line 3: skipped a span: span id "nope" is not 16 hex characters/);
  });
});
