/**
 * The web view: a plain browser script with no framework, bundled by the build (esbuild, one
 * IIFE) into dist/local/web/app.js together with the shared trace model it imports. Everything
 * from spans is inserted with textContent, never as HTML, and names show invisible and control
 * characters as escapes (trace-model/escape).
 */
import { safeLine, safeText } from "../../trace-model/escape";
import { formatCost, formatDuration, formatTokenCount, formatTokens, plural } from "../../trace-model/format";
import type { Message } from "../../trace-model/messages";
import { TOKENS_ESTIMATED_ATTR, type SpanRecord } from "../../trace-model/span-record";
import { runLabel, type TraceSummary } from "../../trace-model/summary";
import { rootOf, treeRows } from "../../trace-model/tree";
import { $, fmtTime, getJson, h } from "./dom";
import { DEFAULT_RANGE, showUsage } from "./usage";

/** A span as `/api/traces/<id>` returns it: the record and its conversation. */
type Span = SpanRecord & { messages: { input: Message[]; output: Message[] } };
interface TraceData {
  trace: TraceSummary;
  spans: Span[];
}

/** Values longer than this (or with more lines) start collapsed, with "show more". */
const COLLAPSE_CHARS = 400;
const COLLAPSE_LINES = 6;
/** How long a newly arrived trace is marked (the flash animation's length). */
const FRESH_MS = 2000;

const state = {
  traces: [] as TraceSummary[],
  seen: new Set<string>(),
  /** Traces that arrived while the page was open, and until when they are marked new. */
  freshUntil: new Map<string, number>(),
  traceId: undefined as string | undefined,
  spanId: undefined as string | undefined,
  data: undefined as TraceData | undefined,
  tab: undefined as string | undefined,
  search: "",
  errorsOnly: false,
  view: "traces" as "traces" | "usage",
  /** The usage view's time range (`#usage=<range>`). */
  range: DEFAULT_RANGE,
};

const kindOf = (s: Span) => String(s.attributes["openinference.span.kind"] ?? "SPAN").toUpperCase();
const badge = (kind: string) => h("span", { class: `badge k-${safeLine(kind)}` }, safeLine(kind));
const num = (v: unknown) => (typeof v === "number" ? v : undefined);
const isEstimated = (s: Span) => s.attributes[TOKENS_ESTIMATED_ATTR] === true;
/** A cost chip's text, or undefined when the span or trace has none. */
const costText = (usd: unknown, estimated?: boolean) => (typeof usd === "number" ? formatCost(usd, estimated) : undefined);
/** The tools an LLM span asked for, from its output messages. */
const calledTools = (s: Span) => s.messages.output.flatMap((m) => m.toolCalls.map((c) => c.name).filter((n): n is string => !!n));

/** JSON (an object, or a string holding one) pretty-printed; undefined when the value is not JSON. */
function prettyJson(value: unknown): string | undefined {
  if (typeof value !== "string") return value === null || typeof value !== "object" ? undefined : JSON.stringify(value, null, 2);
  if (!/^\s*[[{]/.test(value)) return undefined;
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return undefined;
  }
}
const pretty = (value: unknown) => safeText(prettyJson(value) ?? (typeof value === "string" ? value : JSON.stringify(value)));

/* ---------------- the list, grouped by agent then session ---------------- */

function matchesSearch(t: TraceSummary): boolean {
  if (state.errorsOnly && !t.errorCount) return false;
  if (!state.search) return true;
  const hay = [t.name, t.agentId, t.agentName, t.sessionId, t.service, t.traceId, ...t.models, ...t.tools].join(" ").toLowerCase();
  return state.search
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

function traceRow(t: TraceSummary, fresh: boolean): HTMLElement {
  const cls = ["trace-row", t.traceId === state.traceId ? "selected" : "", t.errorCount ? "error" : "", fresh ? "new" : ""].filter(Boolean).join(" ");
  const meta = h(
    "div",
    { class: "meta" },
    h("span", {}, fmtTime(t.startTimeMs)),
    h("span", {}, formatDuration(t.durationMs)),
    h("span", {}, plural(t.spanCount, "span")),
    t.tokensTotal !== undefined ? h("span", {}, `${formatTokenCount(t.tokensTotal, t.tokensEstimated)} tok`) : null,
    costText(t.costTotal, t.tokensEstimated) ? h("span", {}, costText(t.costTotal, t.tokensEstimated)!) : null,
    t.errorCount ? h("span", { class: "err" }, `✗ ${plural(t.errorCount, "error")}`) : null,
  );
  const row = h(
    "button",
    { class: cls, type: "button", "data-trace-id": t.traceId, title: safeLine(t.error ?? t.traceId) },
    h("div", { class: "name" }, badge(t.kind), h("span", {}, safeLine(t.name))),
    meta,
  );
  row.addEventListener("click", () => void openTrace(t.traceId));
  return row;
}

function emptyHint(): HTMLElement {
  const command = `CATALYST_OTLP_ENDPOINT=${location.origin} node --import @inference/tracing/register app.js`;
  return h("div", { class: "empty" }, "No traces yet. Point your app here:", h("code", { class: "command" }, command));
}

function renderList(): void {
  const list = $("list");
  const visible = state.traces.filter(matchesSearch);
  // a trace that arrived since the page loaded flashes for FRESH_MS, however often the list is redrawn meanwhile
  const now = Date.now();
  for (const t of state.traces) {
    if (!state.seen.has(t.traceId) && state.seen.size > 0) state.freshUntil.set(t.traceId, now + FRESH_MS);
  }
  for (const t of state.traces) state.seen.add(t.traceId);
  for (const [id, until] of state.freshUntil) if (until <= now) state.freshUntil.delete(id);
  $("count").textContent = `${visible.length} of ${state.traces.length} traces`;
  // keep the groups the user closed closed
  const closed = new Set(Array.from(list.querySelectorAll("details:not([open])")).map((d) => d.getAttribute("data-key")));
  list.replaceChildren();
  if (!visible.length) {
    list.append(state.traces.length ? h("div", { class: "empty" }, "No trace matches the filter.") : emptyHint());
    return;
  }
  const agents = new Map<string, Map<string, TraceSummary[]>>();
  for (const t of visible) {
    const named = runLabel(t) ?? "No agent";
    const agent = safeLine(named);
    const session = safeLine(t.sessionId ?? "");
    const sessions = agents.get(agent) ?? new Map<string, TraceSummary[]>();
    const arr = sessions.get(session) ?? [];
    arr.push(t);
    sessions.set(session, arr);
    agents.set(agent, sessions);
  }
  for (const [agent, sessions] of agents) {
    const count = [...sessions.values()].reduce((n, a) => n + a.length, 0);
    const group = h("details", { class: "group", "data-key": `a:${agent}`, "data-agent": agent }, h("summary", {}, agent, h("span", { class: "muted" }, ` · ${count}`)));
    if (!closed.has(`a:${agent}`)) group.setAttribute("open", "");
    for (const [session, traces] of sessions) {
      const fresh = (t: TraceSummary) => (state.freshUntil.get(t.traceId) ?? 0) > now;
      if (!session) {
        for (const t of traces) group.append(traceRow(t, fresh(t)));
        continue;
      }
      const key = `s:${agent}:${session}`;
      const s = h("details", { class: "session", "data-key": key, "data-session": session }, h("summary", {}, `session ${session}`, h("span", {}, ` · ${traces.length}`)));
      if (!closed.has(key)) s.setAttribute("open", "");
      for (const t of traces) s.append(traceRow(t, fresh(t)));
      group.append(s);
    }
    list.append(group);
  }
}

async function loadList(): Promise<void> {
  const data = await getJson<{ traces: TraceSummary[] }>("/api/traces?limit=500");
  state.traces = data.traces;
  renderList();
}

/* ---------------- one trace: tree and waterfall ---------------- */

/** The address of what is shown: `#trace=<id>&span=<id>` (a link to it opens the same view). */
function showInAddress(): void {
  if (state.view !== "traces") return;
  const hash = state.traceId ? `#trace=${state.traceId}${state.spanId ? `&span=${state.spanId}` : ""}` : "";
  if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname);
}

/** Open a trace (by id or unique prefix); a trace that cannot be opened says why in its pane. */
async function openTrace(id: string, spanId?: string): Promise<void> {
  try {
    await selectTrace(id, spanId);
  } catch (err) {
    state.traceId = undefined;
    state.data = undefined;
    state.spanId = undefined;
    $("trace").replaceChildren(h("div", { class: "empty err", "data-problem": "trace" }, `Cannot show trace "${safeLine(id)}": ${safeLine((err as Error).message)}`));
    $("detail").replaceChildren();
  }
}

async function selectTrace(id: string, spanId?: string): Promise<void> {
  const data = await getJson<TraceData>(`/api/traces/${encodeURIComponent(id)}`);
  if (state.traceId !== data.trace.traceId || spanId === undefined || state.spanId !== spanId) state.tab = undefined;
  state.traceId = data.trace.traceId;
  state.data = data;
  const spans = data.spans;
  state.spanId = spanId && spans.some((s) => s.spanId === spanId) ? spanId : rootOf(spans)?.spanId;
  showInAddress();
  for (const el of Array.from(document.querySelectorAll(".trace-row"))) el.classList.toggle("selected", el.getAttribute("data-trace-id") === state.traceId);
  renderTrace();
  renderDetail();
}

/** The waterfall's time labels: the middle one (then the last) is hidden where they would overlap. */
function fitTicks(scale: HTMLElement): void {
  const ticks = Array.from(scale.querySelectorAll<HTMLElement>(".tick"));
  for (const t of ticks) t.hidden = false;
  const overlaps = () => {
    const shown = ticks.filter((t) => !t.hidden).map((t) => t.getBoundingClientRect());
    return shown.some((r, i) => i > 0 && r.left < shown[i - 1]!.right + 4);
  };
  for (const hide of [ticks[1], ticks[2]]) if (hide && overlaps()) hide.hidden = true;
}

function renderTrace(): void {
  const pane = $("trace");
  const data = state.data;
  if (!data) return;
  const t = data.trace;
  const spans = data.spans;
  const t0 = Math.min(...spans.map((s) => s.startTimeMs));
  const total = Math.max(1e-3, Math.max(...spans.map((s) => s.startTimeMs + s.durationMs)) - t0);
  const estimated = t.tokensEstimated;

  const chips = h(
    "div",
    { class: "chips" },
    h("span", { class: "chip" }, formatDuration(t.durationMs)),
    h("span", { class: "chip" }, plural(t.spanCount, "span")),
    t.llmCalls ? h("span", { class: "chip" }, plural(t.llmCalls, "LLM call")) : null,
    t.toolCalls ? h("span", { class: "chip" }, plural(t.toolCalls, "tool call")) : null,
    t.tokensTotal !== undefined
      ? h("span", { class: "chip", title: estimated ? "estimated with a tokenizer: the provider reported no usage" : undefined }, `${formatTokens(t.tokensPrompt, t.tokensCompletion, undefined, estimated).replace("→", " → ")} tokens (${t.tokensTotal})`)
      : null,
    costText(t.costTotal, estimated) ? h("span", { class: "chip cost" }, costText(t.costTotal, estimated)!) : null,
    t.errorCount ? h("span", { class: "chip error" }, `✗ ${plural(t.errorCount, "error")}`) : null,
    t.agentId ? h("span", { class: "chip" }, `agent ${safeLine(t.agentName ?? t.agentId)}`) : null,
    t.sessionId ? h("span", { class: "chip" }, `session ${safeLine(t.sessionId)}`) : null,
  );
  const head = h(
    "div",
    { class: "trace-head" },
    h("h2", {}, badge(t.kind), h("span", { class: "title" }, safeLine(t.name))),
    h("div", { class: "ids" }, `trace ${t.traceId} · ${fmtTime(t.startTimeMs)}${t.service ? ` · ${safeLine(t.service)}` : ""}`),
    chips,
  );
  const scale = h(
    "div",
    { class: "tree-scale" },
    h("span", {}, "span"),
    h(
      "span",
      { class: "ticks" },
      h("span", { class: "tick", style: "left:0" }, "0"),
      h("span", { class: "tick mid", style: "left:50%" }, formatDuration(total / 2)),
      h("span", { class: "tick end", style: "left:100%" }, formatDuration(total)),
    ),
    h("span", { class: "dur" }, "duration"),
  );
  const tree = h("div", { class: "tree", role: "tree" });
  for (const { span: s, depth } of treeRows(spans)) {
    const kind = kindOf(s);
    const isError = s.status?.code === 2;
    const a = s.attributes;
    const calls = kind === "LLM" ? calledTools(s) : [];
    const sub =
      kind === "LLM"
        ? [
            a["llm.model_name"] !== undefined ? safeLine(String(a["llm.model_name"])) : undefined,
            num(a["llm.token_count.total"]) !== undefined ? `${formatTokenCount(num(a["llm.token_count.total"]), isEstimated(s))} tok` : undefined,
            costText(a["llm.cost.total"], isEstimated(s)),
            calls.length ? `→ calls ${calls.map(safeLine).join(", ")}` : undefined,
          ]
        : kind === "TOOL"
          ? [a["tool.name"] !== undefined && a["tool.name"] !== s.name ? safeLine(String(a["tool.name"])) : undefined]
          : [];
    const label = h(
      "div",
      { class: "label" },
      ...Array.from({ length: depth }, () => h("span", { class: "guide" })),
      badge(kind),
      h("span", { class: "nm" }, isError ? `✗ ${safeLine(s.name)}` : safeLine(s.name)),
      h("span", { class: "sub" }, sub.filter((x) => x !== undefined && x !== "").join(" · ")),
    );
    const left = ((s.startTimeMs - t0) / total) * 100;
    const width = Math.max(0.4, (s.durationMs / total) * 100);
    const bar = h("div", { class: `bar k-${safeLine(kind)}${isError ? " error" : ""}`, style: `left:${left.toFixed(3)}%;width:${Math.min(width, 100 - left).toFixed(3)}%` });
    const row = h(
      "div",
      {
        class: `span-row${isError ? " error" : ""}${s.spanId === state.spanId ? " selected" : ""}`,
        role: "treeitem",
        "data-span-id": s.spanId,
        "data-kind": kind,
        title: safeLine(isError ? (s.status.message ?? "error") : s.name),
      },
      label,
      h("div", { class: "lane" }, bar),
      h("div", { class: "dur" }, formatDuration(s.durationMs)),
    );
    row.addEventListener("click", () => {
      state.spanId = s.spanId;
      state.tab = undefined;
      showInAddress();
      for (const el of Array.from(tree.querySelectorAll(".span-row"))) el.classList.toggle("selected", el.getAttribute("data-span-id") === s.spanId);
      renderDetail();
    });
    tree.append(row);
  }
  pane.replaceChildren(head, scale, tree);
  fitTicks(scale);
}

/* ---------------- one span ---------------- */

function messageEl(m: Message): HTMLElement {
  const role = m.role === "tool" ? "tool result" : m.role;
  const el = h(
    "div",
    { class: `msg ${safeLine(m.role)}`, "data-role": m.role },
    h("div", { class: "role" }, safeLine(role + (m.name ? ` · ${m.name}` : "") + (m.toolCallId ? ` · ${m.toolCallId}` : ""))),
  );
  if (m.content) el.append(h("div", { class: "body" }, m.role === "tool" ? pretty(m.content) : safeText(m.content)));
  for (const p of m.parts) el.append(h("div", { class: "body muted" }, safeLine(p)));
  for (const c of m.toolCalls) {
    el.append(
      h(
        "div",
        { class: "toolcall", "data-tool": c.name ?? "" },
        h("span", { class: "tc-label" }, "tool call "),
        h("span", { class: "fn" }, safeLine(c.name ?? "?")),
        c.id ? h("span", { class: "ids" }, `  ${safeLine(c.id)}`) : null,
        c.arguments ? h("pre", {}, pretty(c.arguments)) : null,
      ),
    );
  }
  return el;
}

/**
 * One attribute value: wrapped; a long one collapsed with "show more"; JSON (an object, or a string
 * holding one) with a "format JSON" switch.
 */
function valueEl(value: unknown): HTMLElement {
  const raw = safeText(typeof value === "string" ? value : JSON.stringify(value));
  const json = prettyJson(value);
  const text = h("div", { class: "v-text" }, raw);
  const long = raw.length > COLLAPSE_CHARS || raw.split("\n").length > COLLAPSE_LINES;
  const cell = h("div", { class: `v${long ? " collapsed" : ""}` }, text);
  const actions = h("div", { class: "v-actions" });
  if (long) {
    const more = h("button", { type: "button", class: "link more" }, `show more (${raw.length.toLocaleString()} chars)`);
    more.addEventListener("click", () => {
      const collapsed = cell.classList.toggle("collapsed");
      more.textContent = collapsed ? `show more (${raw.length.toLocaleString()} chars)` : "show less";
    });
    actions.append(more);
  }
  if (json !== undefined && json !== raw) {
    const fmt = h("button", { type: "button", class: "link json" }, "format JSON");
    fmt.addEventListener("click", () => {
      const formatted = cell.classList.toggle("formatted");
      text.textContent = formatted ? safeText(json) : raw;
      fmt.textContent = formatted ? "as sent" : "format JSON";
    });
    actions.append(fmt);
  }
  if (actions.childElementCount) cell.append(actions);
  return cell;
}

function kvTable(obj: Record<string, unknown>): HTMLElement {
  const rows = Object.keys(obj)
    .sort()
    .map((k) => h("div", { class: "kv-row", "data-key": k }, h("div", { class: "k" }, safeLine(k)), valueEl(obj[k])));
  return h("div", { class: "kv" }, ...rows);
}

function renderDetail(): void {
  const pane = $("detail");
  const s = state.data?.spans.find((x) => x.spanId === state.spanId);
  if (!s) {
    pane.replaceChildren();
    return;
  }
  const a = s.attributes;
  const kind = kindOf(s);
  const isError = s.status?.code === 2;
  const estimated = isEstimated(s);
  const hasConversation = s.messages.input.length > 0 || s.messages.output.length > 0;
  const hasIo = a["input.value"] !== undefined || a["output.value"] !== undefined;
  const tabs: [string, string][] = [];
  if (hasConversation) tabs.push(["conversation", "Conversation"]);
  if (hasIo) tabs.push(["io", "Input / Output"]);
  tabs.push(["attributes", "Attributes"]);
  tabs.push(["events", `Events (${s.events.length})`]);
  const tab = state.tab && tabs.some(([k]) => k === state.tab) ? state.tab : tabs[0]![0];

  const [prompt, completion, total] = [num(a["llm.token_count.prompt"]), num(a["llm.token_count.completion"]), num(a["llm.token_count.total"])];
  const mark = estimated ? "≈" : "";
  const chips = h(
    "div",
    { class: "chips" },
    h("span", { class: "chip" }, formatDuration(s.durationMs)),
    a["llm.model_name"] !== undefined ? h("span", { class: "chip" }, safeLine(String(a["llm.model_name"]))) : null,
    prompt !== undefined || completion !== undefined
      ? h(
          "span",
          { class: "chip tokens", title: estimated ? "estimated with a tokenizer: the provider reported no usage" : undefined },
          `${mark}${prompt ?? "?"} prompt · ${mark}${completion ?? "?"} completion · ${mark}${total ?? "?"} total`,
        )
      : null,
    Number(a["llm.token_count.prompt_details.cache_read"]) > 0 ? h("span", { class: "chip" }, `${a["llm.token_count.prompt_details.cache_read"]} cached`) : null,
    costText(a["llm.cost.total"], estimated)
      ? h(
          "span",
          { class: "chip cost", title: `prompt ${costText(a["llm.cost.prompt"], estimated) ?? "-"} · completion ${costText(a["llm.cost.completion"], estimated) ?? "-"}` },
          `cost ${costText(a["llm.cost.total"], estimated)}`,
        )
      : null,
    kind === "LLM" && calledTools(s).length ? h("span", { class: "chip" }, `→ calls ${calledTools(s).map(safeLine).join(", ")}`) : null,
    kind !== "LLM" && a["tool.name"] !== undefined ? h("span", { class: "chip" }, `tool ${safeLine(String(a["tool.name"]))}`) : null,
    isError ? h("span", { class: "chip error" }, "error") : null,
  );
  const head = h(
    "div",
    { class: "detail-head" },
    h("h3", {}, badge(kind), h("span", { class: "title" }, safeLine(s.name))),
    h("div", { class: "ids" }, `span ${s.spanId}${s.parentSpanId ? ` · parent ${s.parentSpanId}` : ""}`),
    chips,
  );
  const parts: HTMLElement[] = [head];
  if (isError) {
    const ex = s.events.find((e) => e.name === "exception");
    const stack = ex?.attributes?.["exception.stacktrace"];
    const type = ex?.attributes?.["exception.type"];
    const message = `${type ? `${type}: ` : ""}${s.status.message ?? ex?.attributes?.["exception.message"] ?? "error"}`;
    parts.push(h("div", { class: "error-box" }, h("strong", {}, safeText(message)), stack ? h("pre", {}, safeText(String(stack))) : null));
  }
  const tabBar = h("div", { class: "tabs", role: "tablist" });
  for (const [key, label] of tabs) {
    const b = h("button", { class: `tab${key === tab ? " active" : ""}`, type: "button", role: "tab", "data-tab": key }, label);
    b.addEventListener("click", () => {
      state.tab = key;
      renderDetail();
    });
    tabBar.append(b);
  }
  parts.push(tabBar);
  const body = h("div", { class: "pane", "data-pane": tab });
  if (tab === "conversation") {
    const conv = h("div", { class: "conv" });
    if (s.messages.input.length) conv.append(h("h4", {}, "Input"), ...s.messages.input.map(messageEl));
    if (s.messages.output.length) conv.append(h("h4", {}, "Output"), ...s.messages.output.map(messageEl));
    body.append(conv);
  } else if (tab === "io") {
    body.append(
      h(
        "div",
        { class: "io" },
        h("h4", {}, "Input"),
        h("pre", {}, a["input.value"] !== undefined ? pretty(a["input.value"]) : "(none)"),
        h("h4", {}, "Output"),
        h("pre", {}, a["output.value"] !== undefined ? pretty(a["output.value"]) : "(none)"),
      ),
    );
  } else if (tab === "attributes") {
    body.append(kvTable(a), h("h4", { class: "muted" }, "Resource"), kvTable(s.resource ?? {}));
  } else {
    if (!s.events.length) body.append(h("div", { class: "muted" }, "No events."));
    for (const e of s.events) {
      body.append(h("div", { class: `event ${safeLine(e.name)}` }, h("div", { class: "en" }, `${safeLine(e.name)} · ${fmtTime(e.timeMs)}`), kvTable(e.attributes ?? {})));
    }
  }
  parts.push(body);
  pane.replaceChildren(...parts);
}

/* ---------------- the usage view ---------------- */

function setView(view: "traces" | "usage"): void {
  state.view = view;
  $("usage").hidden = view !== "usage";
  document.querySelector("main")!.hidden = view !== "traces";
  $("trace-controls").hidden = view !== "traces";
  for (const a of Array.from(document.querySelectorAll("nav.views a"))) a.classList.toggle("active", a.getAttribute("data-view") === view);
}

async function openUsage(range: string): Promise<void> {
  setView("usage");
  state.range = range;
  try {
    await showUsage($("usage"), range, (picked) => (location.hash = `usage=${picked}`));
  } catch (err) {
    $("usage").replaceChildren(h("div", { class: "empty err", "data-problem": "usage" }, `Cannot show usage: ${safeLine((err as Error).message)}`));
  }
}

let usageTimer: number | undefined;
function scheduleUsageRefresh(): void {
  if (state.view !== "usage" || usageTimer !== undefined) return;
  usageTimer = window.setTimeout(() => {
    usageTimer = undefined;
    if (state.view === "usage") void openUsage(state.range);
  }, 250);
}

/* ---------------- live updates and navigation ---------------- */

let refreshTimer: number | undefined;
const pendingTraces = new Set<string>();
function scheduleRefresh(traceIds: string[]): void {
  for (const id of traceIds) pendingTraces.add(id);
  if (refreshTimer !== undefined) return;
  refreshTimer = window.setTimeout(async () => {
    refreshTimer = undefined;
    const touched = new Set(pendingTraces);
    pendingTraces.clear();
    try {
      await loadList();
      if (state.traceId && touched.has(state.traceId)) await selectTrace(state.traceId, state.spanId);
      else if (!state.traceId && !location.hash && state.traces[0]) await openTrace(state.traces[0].traceId);
    } catch (err) {
      console.error(err);
    }
  }, 250);
}

function connect(): void {
  const live = $("live");
  if (typeof EventSource === "undefined") {
    live.textContent = "polling";
    window.setInterval(() => scheduleRefresh([]), 3000);
    return;
  }
  const es = new EventSource("/api/events");
  es.addEventListener("open", () => {
    live.textContent = "● live";
    live.className = "live on";
  });
  es.addEventListener("hello", () => scheduleRefresh([]));
  es.addEventListener("spans", (e) => {
    const data = JSON.parse((e as MessageEvent).data) as { traceIds: string[] };
    scheduleRefresh(data.traceIds);
  });
  es.addEventListener("metrics", () => scheduleUsageRefresh());
  // spans written by other processes (an `import`) announce nothing: look again now and then
  window.setInterval(() => scheduleRefresh([]), 30_000);
  es.addEventListener("error", () => {
    live.textContent = "○ reconnecting…";
    live.className = "live off";
  });
}

/** Show what the address names (`#trace=…&span=…`, `#usage=…`); an address naming nothing shows the newest trace. */
async function followAddress(): Promise<void> {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.has("usage")) {
    await openUsage(hash.get("usage") || DEFAULT_RANGE);
    return;
  }
  setView("traces");
  const wanted = hash.get("trace");
  if (wanted) await openTrace(wanted, hash.get("span") ?? undefined);
  else if (state.traces[0]) await openTrace(state.traces[0].traceId);
}

async function start(): Promise<void> {
  ($("search") as HTMLInputElement).addEventListener("input", (e) => {
    state.search = (e.target as HTMLInputElement).value.trim();
    renderList();
  });
  ($("errors-only") as HTMLInputElement).addEventListener("change", (e) => {
    state.errorsOnly = (e.target as HTMLInputElement).checked;
    renderList();
  });
  // a link, the back button or a typed address: our own replaceState fires no hashchange
  window.addEventListener("hashchange", () => void followAddress());
  // back to the traces as they were left
  $("traces-link").addEventListener("click", (e) => {
    e.preventDefault();
    setView("traces");
    if (state.traceId) showInAddress();
    else {
      history.replaceState(null, "", location.pathname);
      if (state.traces[0]) void openTrace(state.traces[0].traceId);
    }
  });
  window.addEventListener("resize", () => {
    const scale = document.querySelector<HTMLElement>(".tree-scale");
    if (scale) fitTicks(scale);
  });
  await loadList();
  await followAddress();
  connect();
}

start().catch((err) => {
  $("list").replaceChildren(h("div", { class: "empty err" }, `Cannot load traces: ${String(err)}`));
});
