/**
 * The usage view (`#usage`, `#usage=7d`): GenAI tokens, cost and calls per model from the metrics
 * `serve` received (GET /api/metrics), as a table and a stacked bar chart over time. Plain DOM and
 * SVG, no chart library.
 */
import { safeLine } from "../../trace-model/escape";
import { formatCost, formatDuration } from "../../trace-model/format";
import type { UsageReport, UsageTotals } from "../usage-store";
import { fmtTime, getJson, h } from "./dom";

const RANGES: [string, string][] = [
  ["1h", "last hour"],
  ["24h", "24 hours"],
  ["7d", "7 days"],
  ["all", "all"],
];
export const DEFAULT_RANGE = "24h";
const COLORS = ["#0a84c6", "#c77700", "#8b3fd9", "#1e8f4e", "#d42c2c", "#3556d4", "#a0522d", "#6b6b76"];
const SVG = "http://www.w3.org/2000/svg";

type Measure = "tokens" | "cost";
const view = { range: DEFAULT_RANGE, measure: "tokens" as Measure, report: undefined as UsageReport | undefined };

const count = (n: number) => Math.round(n).toLocaleString("en-US");
/** A chart step's length: 1 min, 15 min, 3 h, 1 d. */
const stepLabel = (ms: number) => {
  const minutes = ms / 60_000;
  return minutes < 60 ? `${minutes} min` : minutes < 1440 ? `${minutes / 60} h` : `${minutes / 1440} d`;
};
const modelName = (model: string) => (model ? safeLine(model) : "(no model named)");

/** Load the report for `range` and show it in `pane`; `onRange` is told when the user picks another range. */
export async function showUsage(pane: HTMLElement, range: string, onRange: (range: string) => void): Promise<void> {
  view.range = RANGES.some(([r]) => r === range) ? range : DEFAULT_RANGE;
  view.report = await getJson<UsageReport>(`/api/metrics?since=${encodeURIComponent(view.range)}`);
  render(pane, onRange);
}

function render(pane: HTMLElement, onRange: (range: string) => void): void {
  const report = view.report!;
  const ranges = h("div", { class: "segmented", role: "group", "aria-label": "Time range" });
  for (const [range, label] of RANGES) {
    const b = h("button", { type: "button", class: range === view.range ? "active" : "", "data-range": range }, label);
    b.addEventListener("click", () => onRange(range));
    ranges.append(b);
  }
  const head = h("div", { class: "usage-head" }, h("h2", {}, "GenAI usage", h("span", { class: "muted" }, " from metrics")), ranges);
  if (!report.models.length) {
    const command = `CATALYST_OTLP_ENDPOINT=${location.origin} node --import @inference/tracing/register app.js`;
    pane.replaceChildren(
      head,
      h(
        "div",
        { class: "empty", "data-problem": "usage" },
        view.range === "all" ? "No GenAI metrics yet." : "No GenAI metrics in this range.",
        " Traced apps send token, cost and call metrics every 60 s and when they exit:",
        h("code", { class: "command" }, command),
      ),
    );
    return;
  }
  pane.replaceChildren(head, chart(report, () => render(pane, onRange)), table(report));
}

function chart(report: UsageReport, rerender: () => void): HTMLElement {
  const measures = h("div", { class: "segmented", role: "group", "aria-label": "Chart" });
  for (const [m, label] of [
    ["tokens", "tokens"],
    ["cost", "cost"],
  ] as [Measure, string][]) {
    const b = h("button", { type: "button", class: m === view.measure ? "active" : "", "data-measure": m }, label);
    b.addEventListener("click", () => {
      view.measure = m;
      rerender();
    });
    measures.append(b);
  }
  const valueAt = (model: UsageReport["models"][number], i: number) =>
    view.measure === "tokens" ? model.series.inputTokens[i]! + model.series.outputTokens[i]! : model.series.costUsd[i]!;
  const show = (v: number) => (view.measure === "tokens" ? `${count(v)} tokens` : formatCost(v));
  const stacks = report.steps.map((_, i) => report.models.reduce((n, m) => n + valueAt(m, i), 0));
  const top = Math.max(...stacks);
  // one unit of width per step, bars 0.8 wide; stretched to the pane's width
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${report.steps.length} 100`);
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "bars");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${view.measure} per ${stepLabel(report.stepMs)}`);
  report.steps.forEach((t, i) => {
    let y = 100;
    report.models.forEach((m, k) => {
      const v = valueAt(m, i);
      if (!(v > 0) || !(top > 0)) return;
      const height = (v / top) * 100;
      y -= height;
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", String(i + 0.1));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", "0.8");
      rect.setAttribute("height", String(height));
      rect.setAttribute("fill", COLORS[k % COLORS.length]!);
      rect.setAttribute("data-model", m.model);
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${modelName(m.model)} · ${fmtTime(t)} · ${show(v)}`;
      rect.append(title);
      svg.append(rect);
    });
  });
  return h(
    "div",
    { class: "usage-chart" },
    h("div", { class: "chart-head" }, measures, h("span", { class: "muted" }, top > 0 ? `per ${stepLabel(report.stepMs)}, highest ${show(top)}` : "nothing to chart")),
    svg as unknown as HTMLElement,
    h("div", { class: "axis" }, h("span", {}, fmtTime(report.steps[0] ?? report.from)), h("span", {}, fmtTime(report.to))),
  );
}

const COLUMNS: [string, string, (t: UsageTotals) => number, (n: number) => string][] = [
  ["calls", "calls", (t) => t.calls, count],
  ["errors", "errors", (t) => t.errors, count],
  ["input", "input tokens", (t) => t.inputTokens, count],
  ["output", "output tokens", (t) => t.outputTokens, count],
  ["cost", "cost", (t) => t.costUsd, (n) => formatCost(n)],
  ["duration", "mean call", (t) => (t.calls ? (t.durationSeconds / t.calls) * 1000 : NaN), formatDuration],
];

function table(report: UsageReport): HTMLElement {
  const cells = (t: UsageTotals) =>
    COLUMNS.map(([col, , pick, format]) => {
      const v = pick(t);
      return h("td", { class: "num", "data-col": col, "data-value": Number.isFinite(v) ? String(v) : undefined }, format(v));
    });
  const rows = report.models.map((m, k) =>
    h(
      "tr",
      { "data-model": m.model },
      h("th", { scope: "row" }, h("span", { class: "swatch", style: `background:${COLORS[k % COLORS.length]}` }), modelName(m.model)),
      h("td", { class: "muted" }, m.provider ? safeLine(m.provider) : ""),
      ...cells(m),
    ),
  );
  const grid = h(
    "table",
    { class: "usage-table" },
    h("thead", {}, h("tr", {}, h("th", {}, "model (as asked for)"), h("th", {}, "provider"), ...COLUMNS.map(([, label]) => h("th", { class: "num" }, label)))),
    h("tbody", {}, ...rows),
    h("tfoot", {}, h("tr", { class: "total" }, h("th", { scope: "row" }, "total"), h("td", {}), ...cells(report.totals))),
  );
  return h("div", { class: "table-wrap" }, grid);
}
