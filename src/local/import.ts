/**
 * `import`: load span files into the local store. Understands the CATALYST_TRACES_FILE
 * format (one span record per line) and OTLP/JSON export requests (one per line, or one
 * whole file), e.g. what an OpenTelemetry Collector's file exporter writes.
 */
import fs = require("node:fs");
import readline = require("node:readline");
import type { SpanRecord } from "../trace-model/span-record";
import { flattenRequest, type DecodedSlice } from "./otlp-decode";
import { problemWith } from "./validate";
import type { LocalStore } from "./store";

export interface ImportResult {
  spans: number;
  traces: number;
  skipped: number;
  problems: string[];
}

const BATCH = 500;
/** Problems listed one by one; past this many, a count. */
const MAX_PROBLEMS = 5;

function isSpanRecord(x: any): x is SpanRecord {
  return (
    x && typeof x === "object" && typeof x.traceId === "string" && typeof x.spanId === "string" &&
    typeof x.name === "string" && typeof x.startTimeMs === "number"
  );
}

/**
 * Normalise one parsed JSON value into span records and the reasons bad ones are refused
 * (undefined when it is neither format).
 */
export function recordsFromJson(value: any): DecodedSlice | undefined {
  if (isSpanRecord(value)) {
    const r = value;
    const end = typeof r.endTimeMs === "number" ? r.endTimeMs : r.startTimeMs + (r.durationMs ?? 0);
    const record: SpanRecord = {
        ...r,
        traceId: r.traceId.toLowerCase(),
        spanId: r.spanId.toLowerCase(),
        parentSpanId: r.parentSpanId ? r.parentSpanId.toLowerCase() : undefined,
        kind: typeof r.kind === "number" ? r.kind : 0,
        endTimeMs: end,
        durationMs: typeof r.durationMs === "number" ? r.durationMs : Math.max(0, end - r.startTimeMs),
        status: r.status ?? { code: 0 },
        attributes: r.attributes ?? {},
        events: r.events ?? [],
        resource: r.resource ?? {},
        scope: r.scope ?? { name: "" },
    };
    const problem = problemWith(record);
    return problem ? { records: [], rejected: [problem] } : { records: [record], rejected: [] };
  }
  if (value && typeof value === "object" && Array.isArray(value.resourceSpans)) return flattenRequest(value);
  return undefined;
}

export async function importFile(store: LocalStore, file: string): Promise<ImportResult> {
  const result: ImportResult = { spans: 0, traces: 0, skipped: 0, problems: [] };
  const traces = new Set<string>();
  let unlisted = 0;
  const problem = (text: string) => {
    result.skipped++;
    if (result.problems.length < MAX_PROBLEMS) result.problems.push(text);
    else unlisted++;
  };
  let batch: SpanRecord[] = [];
  const flush = () => {
    if (!batch.length) return;
    const r = store.addSpans(batch);
    result.spans += r.spans;
    for (const reason of r.rejected) problem(reason);
    for (const t of r.traceIds) traces.add(t);
    batch = [];
  };
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new Error(`${file} is not a file`);
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity });
  let lineNo = 0;
  let unparsed = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      unparsed++;
      continue;
    }
    const decoded = recordsFromJson(value);
    if (!decoded) {
      problem(`line ${lineNo}: neither a span record nor an OTLP/JSON request`);
      continue;
    }
    for (const reason of decoded.rejected) problem(`line ${lineNo}: skipped a span: ${reason}`);
    batch.push(...decoded.records);
    if (batch.length >= BATCH) flush();
  }
  flush();
  // a pretty-printed OTLP/JSON document spans many lines: read it whole
  if (unparsed > 0 && result.spans === 0 && stat.size < 256 * 1024 * 1024) {
    try {
      const decoded = recordsFromJson(JSON.parse(fs.readFileSync(file, "utf8")));
      if (decoded) {
        for (const reason of decoded.rejected) problem(`skipped a span: ${reason}`);
        batch = decoded.records;
        flush();
        unparsed = 0;
      }
    } catch {
      /* reported below */
    }
  }
  if (unparsed > 0) {
    result.skipped += unparsed;
    result.problems.push(`${unparsed} line(s) are not JSON`);
  }
  if (unlisted) result.problems.push(`… and ${unlisted} more skipped`);
  result.traces = traces.size;
  return result;
}
