/**
 * Tables that fit the terminal. When the natural table is wider than the terminal: ids and times
 * take their short forms (a unique id prefix is accepted back by every command), then long text
 * columns are cut with "…" down to a floor, then optional columns are left out, least useful first.
 * `--wide` (or output that is not a terminal) prints everything whole.
 */
import { safeLine } from "../trace-model/escape";

/** A cell: its full text, and optionally a shorter form used when space runs out. */
export type Cell = string | { text: string; short: string };

export interface Column {
  header: string;
  /** Cut with "…" when space runs out, down to this many characters. */
  cutTo?: number;
  /** Left out when space runs out: higher numbers go first. */
  dropOrder?: number;
  /** Styling applied after fitting (colours must not count towards widths). */
  paint?: (text: string, row: number) => string;
}

const full = (c: Cell) => (typeof c === "string" ? c : c.text);
const short = (c: Cell) => (typeof c === "string" ? c : c.short);
/** Characters as the terminal counts them (close enough: one per code point). */
const width = (s: string) => [...s].length;

export function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, Math.max(0, max - 1)).join("") + "…";
}

export function renderTable(columns: Column[], rows: Cell[][], maxWidth: number, header: (s: string) => string = (s) => s): string {
  // cell text comes from spans: escaped before anything is measured
  const cells = rows.map((r) => r.map((c) => (typeof c === "string" ? safeLine(c) : { text: safeLine(c.text), short: safeLine(c.short) })));
  let visible = columns.map((_, i) => i);
  const natural = (i: number, pick: (c: Cell) => string) => Math.max(width(columns[i]!.header), ...cells.map((r) => width(pick(r[i] ?? ""))));
  const total = (w: Map<number, number>) => [...w.values()].reduce((a, b) => a + b, 0) + 2 * (w.size - 1);

  let pick = full;
  let widths = new Map(visible.map((i) => [i, natural(i, full)]));
  if (total(widths) > maxWidth) {
    pick = short;
    for (;;) {
      widths = new Map(visible.map((i) => [i, natural(i, short)]));
      let excess = total(widths) - maxWidth;
      // take from the widest cuttable column, one character at a time
      while (excess > 0) {
        const cuttable = visible.filter((i) => columns[i]!.cutTo !== undefined && widths.get(i)! > Math.max(columns[i]!.cutTo!, width(columns[i]!.header)));
        if (!cuttable.length) break;
        const widest = cuttable.reduce((a, b) => (widths.get(b)! > widths.get(a)! ? b : a));
        widths.set(widest, widths.get(widest)! - 1);
        excess--;
      }
      if (excess <= 0) break;
      const droppable = visible.filter((i) => columns[i]!.dropOrder !== undefined);
      if (!droppable.length) break;
      const drop = droppable.reduce((a, b) => (columns[b]!.dropOrder! > columns[a]!.dropOrder! ? b : a));
      visible = visible.filter((i) => i !== drop);
    }
  }
  const line = (texts: string[], paints: ((s: string) => string)[]) =>
    texts
      .map((t, k) => {
        const painted = paints[k]!(t);
        return k === texts.length - 1 ? painted : painted + " ".repeat(Math.max(0, widths.get(visible[k]!)! - width(t)));
      })
      .join("  ")
      .trimEnd();
  const out = [header(line(visible.map((i) => columns[i]!.header), visible.map(() => (s: string) => s)))];
  cells.forEach((r, row) => {
    const texts = visible.map((i) => cut(pick(r[i] ?? ""), widths.get(i)!));
    out.push(line(texts, visible.map((i) => (s: string) => columns[i]!.paint?.(s, row) ?? s)));
  });
  return out.join("\n");
}
