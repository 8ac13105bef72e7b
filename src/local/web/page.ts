/** The web view's HTML, CSS and icon (the script is app.ts, bundled into app.js beside this file). */

/** The icon: the ◆ of the console trees, in the web view's LLM blue. */
export const FAVICON_SVG: string = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1 15 8 8 15 1 8z" fill="#0a84c6"/></svg>`;

export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Traces · @inference/tracing</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header class="top">
  <div class="brand">◆ inference tracing <span class="muted">local</span></div>
  <nav class="views" aria-label="Views"><a href="#" id="traces-link" data-view="traces" class="active">Traces</a><a href="#usage" id="usage-link" data-view="usage">Usage</a></nav>
  <div id="trace-controls" class="controls">
    <input id="search" type="search" placeholder="Filter by name, agent, session, model, tool…" autocomplete="off">
    <label class="check"><input type="checkbox" id="errors-only"> errors only</label>
    <span id="count" class="muted"></span>
  </div>
  <span id="live" class="live off" title="Live updates">connecting…</span>
</header>
<main>
  <aside id="list" aria-label="Traces"><div class="empty">Loading…</div></aside>
  <section id="trace" aria-label="Trace"><div class="empty">Select a trace on the left.</div></section>
  <section id="detail" aria-label="Span"></section>
</main>
<section id="usage" aria-label="Usage" hidden></section>
<script src="/app.js"></script>
</body>
</html>
`;

export const PAGE_CSS: string = `
:root {
  --bg: #f7f7f8; --panel: #fff; --line: #e3e3e8; --text: #1d1d22; --muted: #6b6b76;
  --agent: #8b3fd9; --llm: #0a84c6; --tool: #c77700; --chain: #3556d4; --retriever: #1e8f4e; --embedding: #1e8f4e; --span: #777;
  --error: #d42c2c; --error-bg: #fdecec; --select: #eaf2fe; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: var(--bg); display: flex; flex-direction: column; }
.muted { color: var(--muted); font-weight: normal; }
.top { display: flex; align-items: center; gap: 14px; padding: 8px 14px; background: #16161c; color: #eee; }
.top .brand { font-weight: 600; white-space: nowrap; }
.top .muted { color: #9a9aa6; }
.top input[type=search] { flex: 1; max-width: 420px; padding: 5px 9px; border-radius: 6px; border: 1px solid #3a3a44; background: #24242c; color: #eee; }
.top .check { display: flex; gap: 5px; align-items: center; white-space: nowrap; }
.top nav.views { display: flex; gap: 2px; }
.top nav.views a { color: #b8b8c2; text-decoration: none; padding: 3px 9px; border-radius: 6px; }
.top nav.views a.active { background: #34343f; color: #fff; }
.controls { display: contents; }
.controls[hidden], main[hidden], #usage[hidden] { display: none; }
.live { margin-left: auto; font-size: 12px; white-space: nowrap; }
.live.on { color: #4cd07d; }
.live.off { color: #e0a040; }
main { flex: 1; display: grid; grid-template-columns: 300px minmax(400px, 1fr) minmax(340px, 32%); min-height: 0; }
aside, section { overflow: auto; min-height: 0; }
#list { border-right: 1px solid var(--line); background: var(--panel); }
#detail { border-left: 1px solid var(--line); background: var(--panel); }
.empty { padding: 24px; color: var(--muted); overflow-wrap: anywhere; }
.empty .command { display: block; margin-top: 8px; padding: 6px 8px; border-radius: 6px; background: #f0f0f3; color: var(--text); font-family: var(--mono); font-size: 11px; white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; }
details.group > summary { list-style: none; cursor: pointer; padding: 7px 12px; font-weight: 600; background: #f0f0f3; border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 1; }
details.group > summary::-webkit-details-marker { display: none; }
details.group > summary::before { content: "▾ "; color: var(--muted); }
details.group:not([open]) > summary::before { content: "▸ "; }
details.session > summary { padding: 5px 12px 5px 22px; font-weight: 500; color: var(--muted); cursor: pointer; list-style: none; border-bottom: 1px solid var(--line); }
details.session > summary::-webkit-details-marker { display: none; }
.trace-row { display: block; width: 100%; text-align: left; border: 0; border-bottom: 1px solid var(--line); background: none; padding: 7px 12px 7px 30px; cursor: pointer; font: inherit; color: inherit; }
.trace-row:hover { background: #f6f8fb; }
.trace-row.selected { background: var(--select); box-shadow: inset 3px 0 0 var(--llm); }
.trace-row.error { box-shadow: inset 3px 0 0 var(--error); }
.trace-row.error.selected { box-shadow: inset 3px 0 0 var(--error); background: var(--error-bg); }
.trace-row.new { animation: flash 2s ease-out; }
@keyframes flash { from { background: #fff6c9; } to { background: transparent; } }
.trace-row .name { font-weight: 500; display: flex; gap: 6px; align-items: center; min-width: 0; overflow-wrap: anywhere; }
.trace-row .meta { color: var(--muted); font-size: 12px; display: flex; gap: 10px; flex-wrap: wrap; }
.badge { display: inline-block; font-size: 10px; font-weight: 700; letter-spacing: .03em; padding: 1px 5px; border-radius: 4px; color: #fff; background: var(--span); vertical-align: 1px; }
.k-AGENT { background: var(--agent); } .k-LLM { background: var(--llm); } .k-TOOL { background: var(--tool); }
.k-CHAIN { background: var(--chain); } .k-RETRIEVER, .k-EMBEDDING { background: var(--retriever); }
.err { color: var(--error); font-weight: 600; }
.trace-head { padding: 12px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
.trace-head h2 { margin: 0 0 4px; font-size: 16px; display: flex; gap: 8px; align-items: center; }
.trace-head .title, .detail-head .title { overflow-wrap: anywhere; min-width: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.chip { background: #f0f0f3; border-radius: 10px; padding: 1px 8px; font-size: 12px; white-space: nowrap; }
.chip.cost { background: #e9f7ef; color: #136c3a; }
.chip.error { background: var(--error-bg); color: var(--error); font-weight: 600; }
.ids { font-family: var(--mono); font-size: 11px; color: var(--muted); overflow-wrap: anywhere; }
.tree { padding: 6px 0; }
.tree-scale, .span-row { display: grid; grid-template-columns: minmax(200px, 58%) minmax(60px, 1fr) 64px; column-gap: 8px; }
.tree-scale { padding: 0 16px 4px 19px; color: var(--muted); font-size: 11px; }
.tree-scale .ticks { position: relative; height: 1.4em; }
.tree-scale .tick { position: absolute; top: 0; white-space: nowrap; }
.tree-scale .tick.mid { transform: translateX(-50%); }
.tree-scale .tick.end { transform: translateX(-100%); }
.span-row { align-items: center; padding: 3px 16px; cursor: pointer; border-left: 3px solid transparent; }
.span-row:hover { background: #f3f5f9; }
.span-row.selected { background: var(--select); border-left-color: var(--llm); }
.span-row.error { background: var(--error-bg); border-left-color: var(--error); }
.span-row.error .label .nm { color: var(--error); font-weight: 600; }
.label { display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; min-width: 0; }
/* the name keeps its room; the model, tokens and cost after it give way first */
.label .nm { flex: 0 1 auto; min-width: 3em; overflow: hidden; text-overflow: ellipsis; }
.label .sub { flex: 1 1 0; min-width: 0; color: var(--muted); font-size: 12px; overflow: hidden; text-overflow: ellipsis; }
.label .badge { flex: none; }
.guide { display: inline-block; width: 14px; flex: none; }
.lane { position: relative; height: 16px; background: repeating-linear-gradient(90deg, transparent 0 calc(25% - 1px), var(--line) calc(25% - 1px) 25%); }
.bar { position: absolute; top: 3px; height: 10px; border-radius: 3px; min-width: 2px; background: var(--span); }
.bar.k-AGENT { background: var(--agent); } .bar.k-LLM { background: var(--llm); } .bar.k-TOOL { background: var(--tool); }
.bar.k-CHAIN { background: var(--chain); } .bar.k-RETRIEVER, .bar.k-EMBEDDING { background: var(--retriever); }
.bar.error { background: var(--error); }
.dur { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; font-size: 12px; }
.detail-head { padding: 12px 16px; border-bottom: 1px solid var(--line); }
.detail-head h3 { margin: 0; font-size: 15px; display: flex; gap: 8px; align-items: center; }
.error-box { margin: 10px 16px 0; padding: 8px 10px; background: var(--error-bg); border: 1px solid #f3b9b9; border-radius: 6px; color: var(--error); }
.error-box pre { margin: 6px 0 0; white-space: pre-wrap; font-size: 11px; color: #7a1f1f; max-height: 160px; overflow: auto; }
.tabs { display: flex; gap: 2px; padding: 0 12px; border-bottom: 1px solid var(--line); margin-top: 8px; }
.tab { border: 0; background: none; padding: 7px 10px; cursor: pointer; font: inherit; color: var(--muted); border-bottom: 2px solid transparent; }
.tab.active { color: var(--text); border-bottom-color: var(--llm); font-weight: 600; }
.pane { padding: 12px 16px; }
.conv { display: flex; flex-direction: column; gap: 10px; }
.conv h4 { margin: 6px 0 0; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.msg { border-radius: 8px; padding: 8px 10px; border: 1px solid var(--line); background: #fafafb; }
.msg .role { font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin-bottom: 3px; }
.msg .body { white-space: pre-wrap; word-break: break-word; }
.msg.user { background: #eef5ff; border-color: #cfe1fb; margin-left: 28px; }
.msg.assistant { background: #fff; }
.msg.system { background: #f4f4f6; color: #444; }
.msg.tool { background: #fff8ec; border-color: #f1dcb5; font-family: var(--mono); font-size: 12px; }
.toolcall { margin-top: 6px; border: 1px solid #f1dcb5; background: #fff8ec; border-radius: 6px; padding: 6px 8px; }
.toolcall .fn { font-weight: 600; color: var(--tool); }
.toolcall .tc-label { font-size: 10px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; color: var(--tool); }
.toolcall pre, .pane pre { margin: 4px 0 0; white-space: pre-wrap; word-break: break-word; font-family: var(--mono); font-size: 12px; }
.kv { font-size: 12px; font-family: var(--mono); }
.kv-row { display: grid; grid-template-columns: minmax(110px, 38%) minmax(0, 1fr); column-gap: 10px; border-bottom: 1px solid var(--line); padding: 3px 0; }
.kv .k { color: var(--muted); overflow-wrap: anywhere; }
.kv .v { min-width: 0; }
.kv .v-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.kv .v.collapsed .v-text { max-height: 7.2em; overflow: hidden; -webkit-mask-image: linear-gradient(#000 70%, transparent); mask-image: linear-gradient(#000 70%, transparent); }
.kv .v-actions { display: flex; gap: 12px; margin-top: 2px; }
.link { border: 0; background: none; padding: 0; font: inherit; font-size: 11px; color: var(--llm); cursor: pointer; }
.link:hover { text-decoration: underline; }
.io h4 { margin: 4px 0; font-size: 11px; text-transform: uppercase; color: var(--muted); letter-spacing: .06em; }
.io pre { background: #f6f6f8; padding: 8px; border-radius: 6px; }
.event { border-bottom: 1px solid var(--line); padding: 6px 0; }
.event.exception .en { color: var(--error); font-weight: 600; }
#usage { flex: 1; min-height: 0; overflow: auto; padding: 16px 20px; background: var(--panel); }
.usage-head { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; margin-bottom: 14px; }
.usage-head h2 { margin: 0; font-size: 16px; }
.segmented { display: inline-flex; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.segmented button { border: 0; background: none; padding: 4px 10px; font: inherit; cursor: pointer; color: var(--muted); }
.segmented button + button { border-left: 1px solid var(--line); }
.segmented button.active { background: var(--select); color: var(--text); font-weight: 600; }
.usage-chart { margin-bottom: 18px; }
.chart-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 6px; }
.usage-chart svg.bars { display: block; width: 100%; height: 160px; border-bottom: 1px solid var(--line); background: repeating-linear-gradient(0deg, transparent 0 calc(25% - 1px), var(--line) calc(25% - 1px) 25%); }
.usage-chart .axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 11px; margin-top: 2px; }
.table-wrap { overflow-x: auto; }
.usage-table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.usage-table th, .usage-table td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
.usage-table .num { text-align: right; }
.usage-table thead th { color: var(--muted); font-weight: 500; font-size: 12px; }
.usage-table tbody th { font-weight: 500; white-space: normal; overflow-wrap: anywhere; min-width: 12em; }
.usage-table tfoot th, .usage-table tfoot td { font-weight: 600; border-bottom: 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 7px; vertical-align: -1px; }
/* narrow windows: the three panes stacked, each scrolling on its own */
@media (max-width: 1000px) {
  main { display: flex; flex-direction: column; overflow: auto; }
  #list { flex: none; max-height: 32vh; border-right: 0; border-bottom: 1px solid var(--line); }
  #trace { flex: none; max-height: 45vh; }
  #detail { flex: none; min-height: 40vh; border-left: 0; border-top: 1px solid var(--line); overflow: visible; }
  .top { flex-wrap: wrap; }
  .top input[type=search] { max-width: none; min-width: 160px; }
}
`;
