/** `span list` and `span get`. */
import { filterOptions, openForReading, parse, positionalCount, query, spanIdArg, traceIdArg, UsageError, viewOf, type Io } from "../args";
import { help } from "../help";
import { attributesView, eventsView, ioView, messagesView, spanTable } from "../render";

export async function spanList(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("span list", args, { ...filterOptions, trace: { type: "string" } });
  if (v.help) return help("span list", io);
  positionalCount("span list", positionals, 0, 0, "[filters]");
  const view = viewOf(v);
  const q = query("span list", v, "spans");
  const trace = v.trace === undefined ? undefined : traceIdArg("span list --trace", v.trace as string);
  const store = openForReading(v);
  try {
    if (trace !== undefined) q.traceId = store.resolveTraceId(trace);
    const spans = store.listSpans(q);
    if (v.json) io.out(JSON.stringify(spans, null, 2));
    else if (!spans.length) io.err(view.paint.dim(`no spans match (the store at ${store.dir} has ${store.traceCount()} traces)`));
    else io.out(spanTable(spans, view));
  } finally {
    await store.close();
  }
  return 0;
}

const VIEWS = { attributes: attributesView, messages: messagesView, io: ioView, events: eventsView };

export async function spanGet(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("span get", args, { view: { type: "string", short: "v" }, json: { type: "boolean" } });
  if (v.help) return help("span get", io);
  positionalCount("span get", positionals, 2, 2, "<trace-id> <span-id>");
  const name = (v.view as string | undefined) ?? "attributes";
  if (!Object.hasOwn(VIEWS, name)) throw new UsageError(`span get: --view ${name}: expected one of ${Object.keys(VIEWS).join(", ")}`);
  const render = VIEWS[name as keyof typeof VIEWS];
  const wantedTrace = traceIdArg("span get", positionals[0]!);
  const wantedSpan = spanIdArg("span get", positionals[1]!);
  const view = viewOf(v);
  const store = openForReading(v);
  try {
    const traceId = store.resolveTraceId(wantedTrace);
    const spanId = store.resolveSpanId(traceId, wantedSpan);
    const r = store.getSpan(traceId, spanId)!;
    io.out(v.json ? JSON.stringify(r, null, 2) : render(r, view));
  } finally {
    await store.close();
  }
  return 0;
}
