/**
 * The local store against many traces: every filtered list is checked against a brute-force
 * evaluation of the same query over the generated records.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SpanRecord } from "../../src/trace-model/span-record";
import { DEFAULT_PRICES } from "../../src/transforms/cost";
import { QueryError, buildQuery, type RawQuery } from "../../src/local/query";
import { LocalStore } from "../../src/local/store";
import { summarizeSpan, summarizeTrace, type SpanSummary, type TraceSummary } from "../../src/trace-model/summary";

const TRACES = 1500;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "store-test-"));
let store: LocalStore;
const records: SpanRecord[] = [];

const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");
const tools = ["lookup_order", "issue_refund", "search_docs"];
const models = ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-20250514", "local-llama"];
const T0 = Date.UTC(2026, 0, 1);
const LONG = "x".repeat(300);

function makeTrace(i: number): SpanRecord[] {
  const traceId = hex(i + 1, 6) + "f".repeat(26);
  const sid = (k: number) => hex(i * 8 + k + 1, 16);
  const identity = { "agent.id": `agent-${i % 5}`, "session.id": `conv-${i % 97}` };
  const base = { traceId, kind: 0, events: [], resource: { "service.name": `svc-${i % 3}` }, scope: { name: "t" } };
  const start = T0 + i * 1000;
  const dur = 100 + ((i * 7919) % 9000);
  const out: SpanRecord[] = [
    {
      ...base, spanId: sid(0), name: i % 10 === 0 ? "nightly-batch" : "support-run", startTimeMs: start, endTimeMs: start + dur, durationMs: dur, status: { code: 1 },
      attributes: { "openinference.span.kind": i % 10 === 0 ? "CHAIN" : "AGENT", ...identity, "tag.tags": [`t${i % 4}`, "all"], "app.note": i % 100 === 0 ? LONG : "short" },
    },
  ];
  for (let k = 1; k <= 2; k++) {
    const model = models[(i + k) % models.length]!;
    const prompt = 50 + ((i * k * 131) % 30000);
    const completion = 10 + ((i * k * 17) % 2000);
    out.push({
      ...base, spanId: sid(k), parentSpanId: sid(0), name: "chat", startTimeMs: start + k, endTimeMs: start + k + dur / 4, durationMs: dur / 4, status: { code: 0 },
      attributes: {
        "openinference.span.kind": "LLM", ...identity, "llm.model_name": model,
        "llm.token_count.prompt": prompt, "llm.token_count.completion": completion, "llm.token_count.total": prompt + completion,
        "llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": `question ${i % 13}`,
      },
    });
  }
  const tool = tools[i % tools.length]!;
  out.push({
    ...base, spanId: sid(3), parentSpanId: sid(0), name: tool, startTimeMs: start + 5, endTimeMs: start + 5 + (i % 40), durationMs: i % 40,
    status: i % 30 === 0 ? { code: 2, message: "tool failed" } : { code: 1 },
    attributes: { "openinference.span.kind": "TOOL", ...identity, "tool.name": tool, "app.tenant_id": `tenant-${i % 11}`, "app.priority": i % 4 },
  });
  return out;
}

beforeAll(() => {
  for (let i = 0; i < TRACES; i++) records.push(...makeTrace(i));
  store = LocalStore.open({ dir, prices: DEFAULT_PRICES });
  for (let i = 0; i < records.length; i += 400) store.addSpans(records.slice(i, i + 400));
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/* brute force over the generated records, with cost applied the same way */
let cachedSums: SpanSummary[] | undefined;
function allSpanSummaries(): SpanSummary[] {
  cachedSums ??= records.map((r) => summarizeSpan(store.getSpan(r.traceId, r.spanId)!));
  return cachedSums;
}
function allTraceSummaries(): TraceSummary[] {
  const by = new Map<string, SpanSummary[]>();
  for (const s of allSpanSummaries()) by.set(s.traceId, [...(by.get(s.traceId) ?? []), s]);
  return [...by.values()].map((l) => summarizeTrace(l));
}
const attrCache = new Map<string, Record<string, unknown>>();
const attrsOf = (s: { traceId: string; spanId: string }) => {
  const key = `${s.traceId}:${s.spanId}`;
  let a = attrCache.get(key);
  if (!a) {
    const r = store.getSpan(s.traceId, s.spanId)!;
    a = { ...r.resource, ...r.attributes };
    attrCache.set(key, a);
  }
  return a;
};
const matchMeta = (v: unknown, value: string, prefix: boolean): boolean =>
  Array.isArray(v) ? v.some((x) => matchMeta(x, value, prefix)) : v !== undefined && (prefix ? String(v).startsWith(value) : String(v) === value);

const spanKeys = (l: SpanSummary[]) => l.map((s) => `${s.traceId}:${s.spanId}`);

describe("span list against 1,500 traces", () => {
  const cases: [string, RawQuery, (s: SpanSummary) => boolean][] = [
    ["kind TOOL + tool.name", { kind: ["TOOL"], metadata: ["tool.name=lookup_order"] }, (s) => s.kind === "TOOL" && attrsOf(s)["tool.name"] === "lookup_order"],
    ["custom attribute", { metadata: ["app.tenant_id=tenant-7"] }, (s) => attrsOf(s)["app.tenant_id"] === "tenant-7"],
    ["numeric attribute value as text", { metadata: ["app.priority=3"] }, (s) => attrsOf(s)["app.priority"] === 3],
    ["resource attribute", { kind: ["LLM"], metadata: ["service.name=svc-2"] }, (s) => s.kind === "LLM" && attrsOf(s)["service.name"] === "svc-2"],
    ["two metadata filters", { metadata: ["session.id=conv-5", "agent.id=agent-0"] }, (s) => attrsOf(s)["session.id"] === "conv-5" && attrsOf(s)["agent.id"] === "agent-0"],
    ["prefix", { metadata: ["llm.model_name=claude-*"] }, (s) => String(attrsOf(s)["llm.model_name"] ?? "").startsWith("claude-")],
    ["array element", { metadata: ["tag.tags=t3"] }, (s) => matchMeta(attrsOf(s)["tag.tags"], "t3", false)],
    ["long value (over the indexed length)", { metadata: [`app.note=${LONG}`] }, (s) => attrsOf(s)["app.note"] === LONG],
    ["message content (not indexed: scanned)", { kind: ["LLM"], metadata: ["llm.input_messages.0.message.content=question 4"] }, (s) => attrsOf(s)["llm.input_messages.0.message.content"] === "question 4"],
    ["cost filter", { kind: ["LLM"], filter: ["cost_total>0.05"] }, (s) => s.kind === "LLM" && (s.costTotal ?? -1) > 0.05],
    ["tokens and duration", { filter: ["tokens_prompt>=20000", "duration<1s"] }, (s) => (s.tokensPrompt ?? -1) >= 20000 && s.durationMs < 1000],
    ["numeric attribute filter", { filter: ["app.priority>=2"] }, (s) => Number(attrsOf(s)["app.priority"] ?? -1) >= 2],
    ["errors", { status: "error" }, (s) => s.status === 2],
    ["name", { name: "REFUND" }, (s) => s.name.toLowerCase().includes("refund")],
    ["no match", { metadata: ["tool.name=nope"] }, () => false],
  ];
  for (const [label, raw, pred] of cases) {
    it(`${label}`, () => {
      const q = buildQuery({ ...raw, limit: "all" }, "spans");
      const got = store.listSpans(q);
      const want = allSpanSummaries().filter(pred);
      expect(new Set(spanKeys(got))).toEqual(new Set(spanKeys(want)));
      if (label !== "no match") expect(got.length).toBeGreaterThan(0);
    });
  }

  it("sorts by cost, highest first, and limits", () => {
    const got = store.listSpans(buildQuery({ kind: ["LLM"], filter: ["cost_total>0.05"], sort: "cost_total", order: "desc", limit: "10" }, "spans"));
    const want = allSpanSummaries()
      .filter((s) => s.kind === "LLM" && (s.costTotal ?? 0) > 0.05)
      .sort((a, b) => b.costTotal! - a.costTotal!)
      .slice(0, 10);
    expect(got.map((s) => s.costTotal)).toEqual(want.map((s) => s.costTotal));
    expect(got).toHaveLength(10);
  });

  it("puts spans without the sorted value last, in both orders", () => {
    for (const order of ["asc", "desc"]) {
      const got = store.listSpans(buildQuery({ metadata: ["session.id=conv-1"], sort: "cost_total", order, limit: "all" }, "spans"));
      const firstMissing = got.findIndex((s) => s.costTotal === undefined);
      expect(firstMissing).toBeGreaterThan(0);
      expect(got.slice(firstMissing).every((s) => s.costTotal === undefined)).toBe(true);
    }
  });

  it("lists the spans of one trace", () => {
    const traceId = records[40]!.traceId;
    const q = buildQuery({ kind: ["LLM"] }, "spans");
    q.traceId = traceId;
    const got = store.listSpans(q);
    expect(got).toHaveLength(2);
    expect(got.every((s) => s.traceId === traceId && s.kind === "LLM")).toBe(true);
  });

  it("leaves unknown models without cost", () => {
    const llama = store.listSpans(buildQuery({ metadata: ["llm.model_name=local-llama"], limit: "all" }, "spans"));
    expect(llama.length).toBeGreaterThan(0);
    expect(llama.every((s) => s.costTotal === undefined)).toBe(true);
    const mini = store.listSpans(buildQuery({ metadata: ["llm.model_name=gpt-4o-mini"], limit: "1" }, "spans"))[0]!;
    expect(mini.costTotal).toBeCloseTo((mini.tokensPrompt! * 0.15 + mini.tokensCompletion! * 0.6) / 1e6, 12);
  });
});

describe("trace list against 1,500 traces", () => {
  const cases: [string, RawQuery, (t: TraceSummary) => boolean][] = [
    ["session", { metadata: ["session.id=conv-12"] }, (t) => t.sessionId === "conv-12"],
    ["tool used anywhere in the trace", { metadata: ["tool.name=issue_refund"] }, (t) => t.tools.includes("issue_refund")],
    ["root kind", { kind: ["CHAIN"] }, (t) => t.kind === "CHAIN"],
    ["duration", { filter: ["duration>8s"] }, (t) => t.durationMs > 8000],
    ["cost and errors", { filter: ["cost_total>0.1,errors=0"] }, (t) => (t.costTotal ?? -1) > 0.1 && t.errorCount === 0],
    ["status error + session", { status: "error", metadata: ["session.id=conv-30"] }, (t) => t.errorCount > 0 && t.sessionId === "conv-30"],
    ["since", { since: new Date(T0 + 1400 * 1000).toISOString() }, (t) => t.startTimeMs >= T0 + 1400 * 1000],
  ];
  for (const [label, raw, pred] of cases) {
    it(label, () => {
      const got = store.listTraces(buildQuery({ ...raw, limit: "all" }, "traces"));
      const want = allTraceSummaries().filter(pred);
      expect(new Set(got.map((t) => t.traceId))).toEqual(new Set(want.map((t) => t.traceId)));
      expect(got.length).toBeGreaterThan(0);
    });
  }

  it("defaults to newest first, 50 rows", () => {
    const got = store.listTraces(buildQuery({}, "traces"));
    expect(got).toHaveLength(50);
    expect(got[0]!.startTimeMs).toBe(T0 + (TRACES - 1) * 1000);
    expect(got.map((t) => t.startTimeMs)).toEqual([...got.map((t) => t.startTimeMs)].sort((a, b) => b - a));
  });

  it("sorts by name", () => {
    const got = store.listTraces(buildQuery({ sort: "name", order: "asc", limit: "all" }, "traces"));
    expect(got[0]!.name).toBe("nightly-batch");
    expect(got.at(-1)!.name).toBe("support-run");
  });

  it("summarises a trace: root, counts, tokens and cost from LLM spans only", () => {
    const t = store.getTraceSummary(records[0]!.traceId)!;
    expect(t).toMatchObject({ name: "nightly-batch", kind: "CHAIN", spanCount: 4, llmCalls: 2, toolCalls: 1, agentId: "agent-0", sessionId: "conv-0", service: "svc-0", complete: true });
    const llms = store.getTraceSpans(t.traceId).filter((r) => r.attributes["openinference.span.kind"] === "LLM");
    expect(t.tokensTotal).toBe(llms.reduce((n, r) => n + (r.attributes["llm.token_count.total"] as number), 0));
  });
});

describe("ids, updates and persistence", () => {
  it("resolves unique trace id prefixes and rejects ambiguous or unknown ones", () => {
    const id = records[0]!.traceId;
    expect(store.resolveTraceId(id.slice(0, 6))).toBe(id);
    expect(store.resolveTraceId(id.toUpperCase())).toBe(id);
    expect(() => store.resolveTraceId("0000")).toThrow(/ambiguous/);
    expect(() => store.resolveTraceId("abcdef99")).toThrow(/no trace/);
    expect(() => store.resolveTraceId("zz")).toThrow(QueryError);
    expect(store.resolveSpanId(id, records[0]!.spanId)).toBe(records[0]!.spanId);
    expect(() => store.resolveSpanId(id, "00000000")).toThrow(/ambiguous/);
  });

  it("replaces a re-sent span, index included, and keeps history across a restart", async () => {
    const r = { ...records[3]!, attributes: { ...records[3]!.attributes, "tool.name": "renamed_tool" } };
    store.addSpans([r]);
    const q = buildQuery({ metadata: ["tool.name=renamed_tool"] }, "spans");
    expect(spanKeys(store.listSpans(q))).toEqual([`${r.traceId}:${r.spanId}`]);
    expect(store.listSpans(buildQuery({ metadata: [`tool.name=${records[3]!.attributes["tool.name"]}`], limit: "all" }, "spans")).some((s) => s.spanId === r.spanId)).toBe(false);
    await store.close();
    store = LocalStore.open({ dir, readOnly: true });
    expect(store.traceCount()).toBe(TRACES);
    expect(spanKeys(store.listSpans(q))).toEqual([`${r.traceId}:${r.spanId}`]);
  });

  it("keeps a trace whose root has not arrived as incomplete, then completes it", () => {
    const spans = makeTrace(5001);
    store.addSpans(spans.slice(1));
    const id = spans[0]!.traceId;
    expect(store.getTraceSummary(id)).toMatchObject({ complete: false, spanCount: 3 });
    const res = store.addSpans([spans[0]!]);
    expect(res.completed).toEqual([id]);
    expect(store.getTraceSummary(id)).toMatchObject({ complete: true, spanCount: 4, name: "support-run" });
  });

  it("prunes the oldest traces", () => {
    const before = store.traceCount();
    const removed = store.prune(before - 10);
    expect(removed).toBe(10);
    expect(store.getTraceSummary(records[0]!.traceId)).toBeUndefined();
    expect(store.getTraceSpans(records[0]!.traceId)).toEqual([]);
    expect(store.listSpans(buildQuery({ metadata: [`session.id=conv-0`], limit: "all" }, "spans")).some((s) => s.traceId === records[0]!.traceId)).toBe(false);
  });

  it("explains a missing store", () => {
    expect(() => LocalStore.open({ dir: path.join(dir, "nope"), readOnly: true })).toThrow(/no local trace store.*serve/);
  });
});

describe("query parsing", () => {
  it("rejects bad filters with a clear message", () => {
    expect(() => buildQuery({ filter: ["cost_total>>1"] }, "spans")).toThrow(/not a number|expected/);
    expect(() => buildQuery({ filter: ["bogus>1"] }, "traces")).toThrow(/unknown field "bogus"/);
    expect(() => buildQuery({ filter: ["duration>5parsecs"] }, "spans")).toThrow(/not a number.*units/);
    expect(() => buildQuery({ metadata: ["novalue"] }, "spans")).toThrow(/key=value/);
    expect(() => buildQuery({ kind: ["ROBOT"] }, "spans")).toThrow(/unknown span kind/);
    expect(() => buildQuery({ sort: "height" }, "traces")).toThrow(/--sort height/);
    expect(() => buildQuery({ order: "up" }, "traces")).toThrow(/asc or desc/);
    expect(() => buildQuery({ limit: "-3" }, "traces")).toThrow(/--limit/);
    expect(() => buildQuery({ since: "yesterdayish" }, "traces")).toThrow(/--since/);
  });

  it("understands units, aliases and several expressions", () => {
    const q = buildQuery({ filter: ["duration>=1.5s and tokens<=100", "cost>$0.01"] }, "spans");
    expect(q.filters.map((f) => [f.field, f.op, f.value])).toEqual([
      ["durationMs", ">=", 1500],
      ["tokensTotal", "<=", 100],
      ["costTotal", ">", 0.01],
    ]);
  });
});
