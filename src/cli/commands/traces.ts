/** `trace list` and `trace get`. */
import { filterOptions, openForReading, parse, positionalCount, query, traceIdArg, viewOf, type Io } from "../args";
import { help } from "../help";
import { traceTable, traceTree } from "../render";

export async function traceList(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("trace list", args, filterOptions);
  if (v.help) return help("trace list", io);
  positionalCount("trace list", positionals, 0, 0, "[filters]");
  const view = viewOf(v);
  const q = query("trace list", v, "traces");
  const store = openForReading(v);
  try {
    const traces = store.listTraces(q);
    if (v.json) io.out(JSON.stringify(traces, null, 2));
    else if (!traces.length) io.err(view.paint.dim(`no traces match (the store at ${store.dir} has ${store.traceCount()})`));
    else io.out(traceTable(traces, view));
  } finally {
    await store.close();
  }
  return 0;
}

export async function traceGet(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("trace get", args, { json: { type: "boolean" } });
  if (v.help) return help("trace get", io);
  positionalCount("trace get", positionals, 1, 1, "<trace-id>");
  const wanted = traceIdArg("trace get", positionals[0]!);
  const view = viewOf(v);
  const store = openForReading(v);
  try {
    const id = store.resolveTraceId(wanted);
    const summary = store.getTraceSummary(id)!;
    const spans = store.getTraceSpans(id);
    if (v.json) io.out(JSON.stringify({ trace: summary, spans }, null, 2));
    else io.out(traceTree(summary, spans, view));
  } finally {
    await store.close();
  }
  return 0;
}
