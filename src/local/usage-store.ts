/**
 * GenAI usage from metrics, kept by the local store beside the traces (same LMDB environment):
 * tokens, cost, calls, errors and call time per model and minute.
 *
 *   usage          "<minute, ms, 15 digits>\x1f<model>" → UsageRow
 *   usage-streams  "<series identity>" → the last running total seen of a cumulative series
 *
 * A delta point is added as it is. A cumulative point (OTLP's default, and ours) carries the
 * running total since its series started: only its growth since the last point of that series is
 * added, so exporting every minute, re-sending a request, or a restart of `serve` counts nothing
 * twice; a total that went down is a new start of the series (a restarted sender) and counts whole.
 * A point is added to the minute it was taken in.
 *
 * Bounded: at most `maxRows` model-minutes (the oldest removed first) and `maxStreams` series
 * remembered (the least recently seen forgotten: such a series, if it ever sent again, would count
 * its whole running total once more).
 */
import type { UsagePoint } from "./otlp-metrics";

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  calls: number;
  errors: number;
  /** The calls' time added up. */
  durationSeconds: number;
}
interface UsageRow extends UsageTotals {
  provider?: string;
}
interface StreamState {
  timeMs: number;
  sum: number;
  count: number;
}

export interface UsageLimits {
  maxRows: number;
  maxStreams: number;
}
/** About two months of one model used every minute; a row is ~100 bytes on disk. */
export const DEFAULT_USAGE_LIMITS: UsageLimits = { maxRows: 100_000, maxStreams: 10_000 };

export const BUCKET_MS = 60_000;
const SEP = "\x1f";
const rowKey = (bucketMs: number, model: string) => `${String(bucketMs).padStart(15, "0")}${SEP}${model}`;
const zero = (): UsageTotals => ({ inputTokens: 0, outputTokens: 0, costUsd: 0, calls: 0, errors: 0, durationSeconds: 0 });

function addTo(t: UsageTotals, from: UsageTotals): void {
  t.inputTokens += from.inputTokens;
  t.outputTokens += from.outputTokens;
  t.costUsd += from.costUsd;
  t.calls += from.calls;
  t.errors += from.errors;
  t.durationSeconds += from.durationSeconds;
}

/** What `GET /api/metrics` answers: totals per model over [from, to), and the same in `steps`. */
export interface UsageReport {
  from: number;
  to: number;
  stepMs: number;
  /** The start of each step. */
  steps: number[];
  totals: UsageTotals;
  models: (UsageTotals & {
    model: string;
    provider?: string;
    /** Per step. */
    series: { inputTokens: number[]; outputTokens: number[]; costUsd: number[]; calls: number[] };
  })[];
}

/** Step lengths the report picks from: the shortest that shows the range in at most MAX_STEPS. */
const STEPS_MS = [1, 5, 15, 60, 180, 360, 1440, 10080].map((m) => m * 60_000);
const MAX_STEPS = 120;

export class UsageStore {
  private readonly rows: any;
  private readonly streams: any;

  constructor(
    private readonly env: any,
    private readonly limits: UsageLimits = DEFAULT_USAGE_LIMITS,
  ) {
    this.rows = env.openDB({ name: "usage" });
    this.streams = env.openDB({ name: "usage-streams" });
  }

  /**
   * Add the points' increments, all in one transaction (nothing is added when it fails). Returns how
   * many points added something (a cumulative point already counted adds nothing).
   */
  add(points: UsagePoint[]): number {
    // oldest first, so that several points of one series in a request count as increments
    const ordered = [...points].sort((a, b) => a.timeMs - b.timeMs);
    const added = this.env.transactionSync(() => {
      const changed = new Map<string, UsageRow>();
      let n = 0;
      for (const p of ordered) {
        let { sum, count } = p;
        if (p.stream) {
          const last = this.streams.get(p.stream) as StreamState | undefined;
          if (last && p.timeMs <= last.timeMs) continue;
          this.streams.putSync(p.stream, { timeMs: p.timeMs, sum: p.sum, count: p.count } satisfies StreamState);
          if (last && p.sum >= last.sum && p.count >= last.count) {
            sum -= last.sum;
            count -= last.count;
          }
        }
        if (sum === 0 && count === 0) continue;
        const key = rowKey(Math.floor(p.timeMs / BUCKET_MS) * BUCKET_MS, p.model);
        let row = changed.get(key);
        if (!row) changed.set(key, (row = (this.rows.get(key) as UsageRow | undefined) ?? zero()));
        if (p.provider) row.provider = p.provider;
        if (p.measure === "input_tokens") row.inputTokens += sum;
        else if (p.measure === "output_tokens") row.outputTokens += sum;
        else if (p.measure === "cost") row.costUsd += sum;
        else {
          row.calls += count;
          row.durationSeconds += sum;
          if (p.failed) row.errors += count;
        }
        n++;
      }
      for (const [key, row] of changed) this.rows.putSync(key, row);
      return n;
    }) as number;
    this.bound();
    return added;
  }

  /** Keep within the limits, with 5% slack so that removal runs now and then rather than on every request. */
  private bound(): void {
    const rows = this.rows.getCount();
    if (rows > this.limits.maxRows * 1.05) {
      const oldest = [...this.rows.getKeys({ limit: rows - this.limits.maxRows })];
      this.env.transactionSync(() => {
        for (const key of oldest) this.rows.removeSync(key);
      });
    }
    const streams = this.streams.getCount();
    if (streams > this.limits.maxStreams * 1.05) {
      const all: { key: string; timeMs: number }[] = [];
      for (const { key, value } of this.streams.getRange()) all.push({ key, timeMs: (value as StreamState).timeMs });
      all.sort((a, b) => a.timeMs - b.timeMs);
      this.env.transactionSync(() => {
        for (const { key } of all.slice(0, all.length - this.limits.maxStreams)) this.streams.removeSync(key);
      });
    }
  }

  rowCount(): number {
    return this.rows.getCount();
  }

  streamCount(): number {
    return this.streams.getCount();
  }

  /** Usage from `sinceMs` (default: the oldest kept) until now, per model and per step. */
  report(sinceMs?: number, now = Date.now()): UsageReport {
    const first = [...this.rows.getKeys({ limit: 1 })][0] as string | undefined;
    const oldest = first ? Number(first.slice(0, 15)) : now;
    const from = Math.floor((sinceMs ?? oldest) / BUCKET_MS) * BUCKET_MS;
    const to = Math.max(from + BUCKET_MS, Math.ceil((now + 1) / BUCKET_MS) * BUCKET_MS);
    const stepMs = STEPS_MS.find((s) => (to - from) / s <= MAX_STEPS) ?? STEPS_MS[STEPS_MS.length - 1]!;
    const start = Math.floor(from / stepMs) * stepMs;
    const steps: number[] = [];
    for (let t = start; t < to; t += stepMs) steps.push(t);
    const totals = zero();
    const models = new Map<string, UsageReport["models"][number]>();
    for (const { key, value } of this.rows.getRange({ start: rowKey(from, ""), end: rowKey(to, "") })) {
      const row = value as UsageRow;
      const k = key as string;
      const model = k.slice(16);
      let m = models.get(model);
      if (!m) {
        const series = { inputTokens: steps.map(() => 0), outputTokens: steps.map(() => 0), costUsd: steps.map(() => 0), calls: steps.map(() => 0) };
        models.set(model, (m = { model, ...zero(), series }));
      }
      if (row.provider) m.provider = row.provider;
      addTo(m, row);
      addTo(totals, row);
      const i = Math.floor((Number(k.slice(0, 15)) - start) / stepMs);
      m.series.inputTokens[i]! += row.inputTokens;
      m.series.outputTokens[i]! += row.outputTokens;
      m.series.costUsd[i]! += row.costUsd;
      m.series.calls[i]! += row.calls;
    }
    const list = [...models.values()].sort((a, b) => b.costUsd - a.costUsd || b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || (a.model < b.model ? -1 : 1));
    return { from, to, stepMs, steps, totals, models: list };
  }
}
