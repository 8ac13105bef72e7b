/** A trace's spans as a tree: children under their parent, in the order they ran. */

export interface TreeSpan {
  spanId: string;
  parentSpanId?: string;
  startTimeMs: number;
  durationMs: number;
}

export interface TreeRow<T> {
  span: T;
  depth: number;
  /** The drawing before the span in a text tree: "", "├─ ", "│  └─ ", … */
  guide: string;
}

/**
 * Start times often have millisecond resolution: on a tie, the span that ended first goes
 * first, then the span id decides, so equal times always give the same order.
 */
export function byStartTime(a: TreeSpan, b: TreeSpan): number {
  return a.startTimeMs - b.startTimeMs || a.durationMs - b.durationMs || (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);
}

/** Depth-first rows; a span whose parent is not among `spans` is a root. */
export function treeRows<T extends TreeSpan>(spans: T[]): TreeRow<T>[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | undefined, T[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId ? s.parentSpanId : undefined;
    const list = children.get(parent) ?? [];
    list.push(s);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort(byStartTime);
  const rows: TreeRow<T>[] = [];
  const seen = new Set<string>();
  const walk = (s: T, depth: number, indent: string, last: boolean) => {
    if (seen.has(s.spanId)) return; // a parent cycle in bad data
    seen.add(s.spanId);
    rows.push({ span: s, depth, guide: depth === 0 ? "" : indent + (last ? "└─ " : "├─ ") });
    const kids = children.get(s.spanId) ?? [];
    const next = depth === 0 ? "" : indent + (last ? "   " : "│  ");
    kids.forEach((k, i) => walk(k, depth + 1, next, i === kids.length - 1));
  };
  for (const r of children.get(undefined) ?? []) walk(r, 0, "", true);
  // spans whose parents form a cycle (bad data) have no root above them: shown as roots
  for (const s of [...spans].sort(byStartTime)) if (!seen.has(s.spanId)) walk(s, 0, "", true);
  return rows;
}

/** The root of a trace's spans: a span without a parent, else one whose parent is missing. */
export function rootOf<T extends { spanId: string; parentSpanId?: string; remoteParent?: boolean; startTimeMs: number }>(spans: T[]): T | undefined {
  const ids = new Set(spans.map((s) => s.spanId));
  let best: T | undefined;
  let bestRank = 4;
  for (const s of spans) {
    const rank = !s.parentSpanId ? 0 : s.remoteParent ? 1 : !ids.has(s.parentSpanId) ? 2 : 3;
    if (rank < bestRank || (rank === bestRank && best && s.startTimeMs < best.startTimeMs)) {
      best = s;
      bestRank = rank;
    }
  }
  return best;
}
