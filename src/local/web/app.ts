/**
 * The web view (a plain browser script: no imports, no framework, compiled by tsc to
 * dist/local/web/app.js). Everything from spans is inserted with textContent, never as HTML.
 */
(() => {
  interface TraceSummary {
    traceId: string;
    name: string;
    kind: string;
    startTimeMs: number;
    durationMs: number;
    spanCount: number;
    llmCalls: number;
    toolCalls: number;
    errorCount: number;
    error?: string;
    tokensPrompt?: number;
    tokensCompletion?: number;
    tokensTotal?: number;
    costTotal?: number;
    agentId?: string;
    agentName?: string;
    sessionId?: string;
    service?: string;
    models: string[];
    tools: string[];
    complete: boolean;
    updatedAt: number;
  }
  interface ToolCall {
    id?: string;
    name?: string;
    arguments?: string;
  }
  interface Message {
    role: string;
    content?: string;
    name?: string;
    toolCallId?: string;
    toolCalls: ToolCall[];
    parts: string[];
  }
  interface Span {
    traceId: string;
    spanId: string;
    parentSpanId?: string;
    name: string;
    startTimeMs: number;
    durationMs: number;
    status: { code: number; message?: string };
    attributes: Record<string, unknown>;
    events: { name: string; timeMs: number; attributes?: Record<string, unknown> }[];
    resource: Record<string, unknown>;
    messages: { input: Message[]; output: Message[] };
  }
  interface TraceData {
    trace: TraceSummary;
    spans: Span[];
  }

  const state = {
    traces: [] as TraceSummary[],
    seen: new Set<string>(),
    traceId: undefined as string | undefined,
    spanId: undefined as string | undefined,
    data: undefined as TraceData | undefined,
    tab: undefined as string | undefined,
    search: "",
    errorsOnly: false,
  };

  const $ = (id: string) => document.getElementById(id)!;

  type Child = Node | string | number | undefined | null | false;
  function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
    for (const c of children) {
      if (c === undefined || c === null || c === false) continue;
      el.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }

  const kindOf = (s: Span) => String(s.attributes["openinference.span.kind"] ?? "SPAN").toUpperCase();
  const badge = (kind: string) => h("span", { class: `badge k-${kind}` }, kind);

  function fmtDuration(ms: number | undefined): string {
    if (ms === undefined || !isFinite(ms)) return "-";
    if (ms < 1) return `${ms.toFixed(2)}ms`;
    if (ms < 1000) return `${Math.round(ms)}ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(2)}s`;
    return `${Math.floor(ms / 60000)}m${Math.round((ms % 60000) / 1000)}s`;
  }
  function fmtCost(usd: unknown): string | undefined {
    const n = typeof usd === "number" ? usd : undefined;
    if (n === undefined) return undefined;
    if (n === 0) return "$0";
    if (n < 0.0001) return `$${n.toFixed(Math.min(12, 1 - Math.floor(Math.log10(n))))}`;
    return n < 1 ? `$${n.toFixed(4)}` : `$${n.toFixed(2)}`;
  }
  function fmtTime(ms: number): string {
    const d = new Date(ms);
    const today = new Date();
    const t = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return d.toDateString() === today.toDateString() ? t : `${d.toLocaleDateString()} ${t}`;
  }
  function pretty(value: unknown): string {
    if (typeof value !== "string") return JSON.stringify(value, null, 2);
    if (/^\s*[[{]/.test(value)) {
      try {
        return JSON.stringify(JSON.parse(value), null, 2);
      } catch {
        /* plain text */
      }
    }
    return value;
  }

  async function getJson<T>(url: string): Promise<T> {
    const res = await fetch(url, { cache: "no-store" });
    if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<T>;
  }

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
      h("span", {}, fmtDuration(t.durationMs)),
      h("span", {}, `${t.spanCount} spans`),
      t.tokensTotal !== undefined ? h("span", {}, `${t.tokensTotal} tok`) : null,
      fmtCost(t.costTotal) ? h("span", {}, fmtCost(t.costTotal)!) : null,
      t.errorCount ? h("span", { class: "err" }, `✗ ${t.errorCount} error${t.errorCount > 1 ? "s" : ""}`) : null,
    );
    const row = h(
      "button",
      { class: cls, type: "button", "data-trace-id": t.traceId, title: t.error ?? t.traceId },
      h("div", { class: "name" }, badge(t.kind), h("span", {}, t.name)),
      meta,
    );
    row.addEventListener("click", () => selectTrace(t.traceId));
    return row;
  }

  function renderList(): void {
    const list = $("list");
    const visible = state.traces.filter(matchesSearch);
    $("count").textContent = `${visible.length} of ${state.traces.length} traces`;
    // keep the groups the user closed closed
    const closed = new Set(Array.from(list.querySelectorAll("details:not([open])")).map((d) => d.getAttribute("data-key")));
    list.replaceChildren();
    if (!visible.length) {
      list.append(
        h(
          "div",
          { class: "empty" },
          state.traces.length
            ? "No trace matches the filter."
            : "No traces yet. Point your app here: CATALYST_OTLP_ENDPOINT=" + location.origin + " node --import @inference/tracing/register app.js",
        ),
      );
      return;
    }
    const agents = new Map<string, Map<string, TraceSummary[]>>();
    for (const t of visible) {
      const agent = t.agentName && t.agentId && t.agentName !== t.agentId ? `${t.agentName} (${t.agentId})` : (t.agentName ?? t.agentId ?? "No agent");
      const session = t.sessionId ?? "";
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
        const fresh = (t: TraceSummary) => state.seen.size > 0 && !state.seen.has(t.traceId);
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
    for (const t of state.traces) state.seen.add(t.traceId);
  }

  async function loadList(): Promise<void> {
    const data = await getJson<{ traces: TraceSummary[] }>("/api/traces?limit=500");
    state.traces = data.traces;
    renderList();
  }

  /* ---------------- one trace: tree and waterfall ---------------- */

  async function selectTrace(id: string, spanId?: string): Promise<void> {
    state.traceId = id;
    if (spanId === undefined || state.spanId !== spanId) state.tab = undefined;
    state.data = await getJson<TraceData>(`/api/traces/${encodeURIComponent(id)}`);
    const spans = state.data.spans;
    state.spanId = spanId && spans.some((s) => s.spanId === spanId) ? spanId : rootSpan(spans)?.spanId;
    history.replaceState(null, "", `#trace=${id}${state.spanId ? `&span=${state.spanId}` : ""}`);
    for (const el of Array.from(document.querySelectorAll(".trace-row"))) el.classList.toggle("selected", el.getAttribute("data-trace-id") === id);
    renderTrace();
    renderDetail();
  }

  // start times often have millisecond resolution: on a tie, the span that ended first goes first
  const byTime = (a: Span, b: Span) => a.startTimeMs - b.startTimeMs || a.startTimeMs + a.durationMs - (b.startTimeMs + b.durationMs);

  function rootSpan(spans: Span[]): Span | undefined {
    const ids = new Set(spans.map((s) => s.spanId));
    return spans.find((s) => !s.parentSpanId) ?? spans.find((s) => !ids.has(s.parentSpanId!)) ?? spans[0];
  }

  function renderTrace(): void {
    const pane = $("trace");
    const data = state.data;
    if (!data) return;
    const t = data.trace;
    const spans = data.spans;
    const ids = new Set(spans.map((s) => s.spanId));
    const children = new Map<string, Span[]>();
    const roots: Span[] = [];
    for (const s of spans) {
      if (s.parentSpanId && ids.has(s.parentSpanId)) {
        const arr = children.get(s.parentSpanId) ?? [];
        arr.push(s);
        children.set(s.parentSpanId, arr);
      } else roots.push(s);
    }
    const t0 = Math.min(...spans.map((s) => s.startTimeMs));
    const total = Math.max(1e-3, Math.max(...spans.map((s) => s.startTimeMs + s.durationMs)) - t0);

    const chips = h(
      "div",
      { class: "chips" },
      h("span", { class: "chip" }, fmtDuration(t.durationMs)),
      h("span", { class: "chip" }, `${t.spanCount} spans`),
      t.llmCalls ? h("span", { class: "chip" }, `${t.llmCalls} LLM call${t.llmCalls > 1 ? "s" : ""}`) : null,
      t.toolCalls ? h("span", { class: "chip" }, `${t.toolCalls} tool call${t.toolCalls > 1 ? "s" : ""}`) : null,
      t.tokensTotal !== undefined ? h("span", { class: "chip" }, `${t.tokensPrompt ?? "?"} → ${t.tokensCompletion ?? "?"} tokens (${t.tokensTotal})`) : null,
      fmtCost(t.costTotal) ? h("span", { class: "chip cost" }, fmtCost(t.costTotal)!) : null,
      t.errorCount ? h("span", { class: "chip error" }, `✗ ${t.errorCount} error${t.errorCount > 1 ? "s" : ""}`) : null,
      t.agentId ? h("span", { class: "chip" }, `agent ${t.agentName ?? t.agentId}`) : null,
      t.sessionId ? h("span", { class: "chip" }, `session ${t.sessionId}`) : null,
    );
    const head = h(
      "div",
      { class: "trace-head" },
      h("h2", {}, badge(t.kind), t.name),
      h("div", { class: "ids" }, `trace ${t.traceId} · ${fmtTime(t.startTimeMs)}${t.service ? ` · ${t.service}` : ""}`),
      chips,
    );
    const scale = h(
      "div",
      { class: "tree-scale" },
      h("span", {}, "span"),
      h("span", { class: "ticks" }, h("span", {}, "0"), h("span", {}, fmtDuration(total / 2)), h("span", {}, fmtDuration(total))),
      h("span", { class: "dur" }, "duration"),
    );
    const tree = h("div", { class: "tree", role: "tree" });
    const walk = (s: Span, depth: number) => {
      const kind = kindOf(s);
      const isError = s.status?.code === 2;
      const sub =
        kind === "LLM"
          ? [s.attributes["llm.model_name"], s.attributes["llm.token_count.total"] !== undefined ? `${s.attributes["llm.token_count.total"]} tok` : undefined, fmtCost(s.attributes["llm.cost.total"])]
          : kind === "TOOL"
            ? [s.attributes["tool.name"] !== s.name ? s.attributes["tool.name"] : undefined]
            : [];
      const label = h(
        "div",
        { class: "label" },
        ...Array.from({ length: depth }, () => h("span", { class: "guide" })),
        badge(kind),
        h("span", { class: "nm" }, isError ? `✗ ${s.name}` : s.name),
        h("span", { class: "sub" }, sub.filter((x) => x !== undefined && x !== "").join(" · ")),
      );
      const left = ((s.startTimeMs - t0) / total) * 100;
      const width = Math.max(0.4, (s.durationMs / total) * 100);
      const bar = h("div", { class: `bar k-${kind}${isError ? " error" : ""}`, style: `left:${left.toFixed(3)}%;width:${Math.min(width, 100 - left).toFixed(3)}%` });
      const row = h(
        "div",
        {
          class: `span-row${isError ? " error" : ""}${s.spanId === state.spanId ? " selected" : ""}`,
          role: "treeitem",
          "data-span-id": s.spanId,
          "data-kind": kind,
          title: isError ? (s.status.message ?? "error") : s.name,
        },
        label,
        h("div", { class: "lane" }, bar),
        h("div", { class: "dur" }, fmtDuration(s.durationMs)),
      );
      row.addEventListener("click", () => {
        state.spanId = s.spanId;
        state.tab = undefined;
        history.replaceState(null, "", `#trace=${s.traceId}&span=${s.spanId}`);
        for (const el of Array.from(tree.querySelectorAll(".span-row"))) el.classList.toggle("selected", el.getAttribute("data-span-id") === s.spanId);
        renderDetail();
      });
      tree.append(row);
      for (const c of (children.get(s.spanId) ?? []).sort(byTime)) walk(c, depth + 1);
    };
    for (const r of roots.sort(byTime)) walk(r, 0);
    pane.replaceChildren(head, scale, tree);
  }

  /* ---------------- one span ---------------- */

  function messageEl(m: Message): HTMLElement {
    const role = m.role === "tool" ? "tool result" : m.role;
    const el = h(
      "div",
      { class: `msg ${m.role}`, "data-role": m.role },
      h("div", { class: "role" }, role + (m.name ? ` · ${m.name}` : "") + (m.toolCallId ? ` · ${m.toolCallId}` : "")),
    );
    if (m.content) el.append(h("div", { class: "body" }, m.role === "tool" ? pretty(m.content) : m.content));
    for (const p of m.parts) el.append(h("div", { class: "body muted" }, p));
    for (const c of m.toolCalls) {
      el.append(
        h(
          "div",
          { class: "toolcall", "data-tool": c.name ?? "" },
          h("span", { class: "tc-label" }, "tool call "),
          h("span", { class: "fn" }, c.name ?? "?"),
          c.id ? h("span", { class: "ids" }, `  ${c.id}`) : null,
          c.arguments ? h("pre", {}, pretty(c.arguments)) : null,
        ),
      );
    }
    return el;
  }

  function kvTable(obj: Record<string, unknown>): HTMLElement {
    const rows = Object.keys(obj)
      .sort()
      .map((k) => h("tr", {}, h("td", {}, k), h("td", {}, typeof obj[k] === "string" ? (obj[k] as string) : JSON.stringify(obj[k]))));
    return h("table", { class: "kv" }, h("tbody", {}, ...rows));
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
    const hasConversation = s.messages.input.length > 0 || s.messages.output.length > 0;
    const hasIo = a["input.value"] !== undefined || a["output.value"] !== undefined;
    const tabs: [string, string][] = [];
    if (hasConversation) tabs.push(["conversation", "Conversation"]);
    if (hasIo) tabs.push(["io", "Input / Output"]);
    tabs.push(["attributes", "Attributes"]);
    tabs.push(["events", `Events (${s.events.length})`]);
    const tab = state.tab && tabs.some(([k]) => k === state.tab) ? state.tab : tabs[0]![0];

    const chips = h(
      "div",
      { class: "chips" },
      h("span", { class: "chip" }, fmtDuration(s.durationMs)),
      a["llm.model_name"] !== undefined ? h("span", { class: "chip" }, String(a["llm.model_name"])) : null,
      a["llm.token_count.prompt"] !== undefined || a["llm.token_count.completion"] !== undefined
        ? h("span", { class: "chip tokens" }, `${a["llm.token_count.prompt"] ?? "?"} prompt · ${a["llm.token_count.completion"] ?? "?"} completion · ${a["llm.token_count.total"] ?? "?"} total`)
        : null,
      Number(a["llm.token_count.prompt_details.cache_read"]) > 0 ? h("span", { class: "chip" }, `${a["llm.token_count.prompt_details.cache_read"]} cached`) : null,
      fmtCost(a["llm.cost.total"])
        ? h("span", { class: "chip cost", title: `prompt ${fmtCost(a["llm.cost.prompt"]) ?? "-"} · completion ${fmtCost(a["llm.cost.completion"]) ?? "-"}` }, `cost ${fmtCost(a["llm.cost.total"])}`)
        : null,
      a["tool.name"] !== undefined ? h("span", { class: "chip" }, `tool ${a["tool.name"]}`) : null,
      isError ? h("span", { class: "chip error" }, "error") : null,
    );
    const head = h(
      "div",
      { class: "detail-head" },
      h("h3", {}, badge(kind), s.name),
      h("div", { class: "ids" }, `span ${s.spanId}${s.parentSpanId ? ` · parent ${s.parentSpanId}` : ""}`),
      chips,
    );
    const parts: HTMLElement[] = [head];
    if (isError) {
      const ex = s.events.find((e) => e.name === "exception");
      const stack = ex?.attributes?.["exception.stacktrace"];
      const type = ex?.attributes?.["exception.type"];
      parts.push(h("div", { class: "error-box" }, h("strong", {}, `${type ? `${type}: ` : ""}${s.status.message ?? ex?.attributes?.["exception.message"] ?? "error"}`), stack ? h("pre", {}, String(stack)) : null));
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
    const pane2 = h("div", { class: "pane", "data-pane": tab });
    if (tab === "conversation") {
      const conv = h("div", { class: "conv" });
      if (s.messages.input.length) conv.append(h("h4", {}, "Input"), ...s.messages.input.map(messageEl));
      if (s.messages.output.length) conv.append(h("h4", {}, "Output"), ...s.messages.output.map(messageEl));
      pane2.append(conv);
    } else if (tab === "io") {
      pane2.append(
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
      pane2.append(kvTable(a), h("h4", { class: "muted" }, "Resource"), kvTable(s.resource ?? {}));
    } else {
      if (!s.events.length) pane2.append(h("div", { class: "muted" }, "No events."));
      for (const e of s.events) {
        pane2.append(h("div", { class: `event ${e.name}` }, h("div", { class: "en" }, `${e.name} · ${fmtTime(e.timeMs)}`), kvTable(e.attributes ?? {})));
      }
    }
    parts.push(pane2);
    pane.replaceChildren(...parts);
  }

  /* ---------------- live updates ---------------- */

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
        else if (!state.traceId && state.traces[0]) await selectTrace(state.traces[0].traceId);
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
    // spans written by other processes (an `import`) announce nothing: look again now and then
    window.setInterval(() => scheduleRefresh([]), 30_000);
    es.addEventListener("error", () => {
      live.textContent = "○ reconnecting…";
      live.className = "live off";
    });
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
    const hash = new URLSearchParams(location.hash.slice(1));
    await loadList();
    const wanted = hash.get("trace");
    if (wanted) await selectTrace(wanted, hash.get("span") ?? undefined).catch(() => undefined);
    else if (state.traces[0]) await selectTrace(state.traces[0].traceId);
    connect();
  }

  start().catch((err) => {
    $("list").replaceChildren(h("div", { class: "empty err" }, `Cannot load traces: ${String(err)}`));
  });
})();
