/** `tail`: print each trace as it arrives, from the running collector or from one started here. */
import { settingFromEnv } from "../../config";
import { resolvePrices } from "../../transforms/cost";
import { matchesSummary, metadataValueMatches, type Query } from "../../local/query";
import { LocalStore } from "../../local/store";
import type { SpanRecord } from "../../trace-model/span-record";
import type { TraceSummary } from "../../trace-model/summary";
import { dataDir, filterOptions, parse, parsePort, positionalCount, query, viewOf, type Io } from "../args";
import { followCollector, getJson, waitForStop } from "../follow";
import { help } from "../help";
import { traceTree } from "../render";
import { startCollector } from "./collector";

function tailMatcher(q: Query): (t: TraceSummary, spans: SpanRecord[]) => boolean {
  return (t, spans) => {
    if (!matchesSummary(t, q)) return false;
    return q.metadata.every((f) => spans.some((s) => metadataValueMatches(s.attributes?.[f.key] ?? s.resource?.[f.key], f)));
  };
}

export async function tail(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values: v, positionals } = parse("tail", args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    kind: filterOptions.kind,
    metadata: filterOptions.metadata,
    filter: filterOptions.filter,
    json: { type: "boolean" },
  });
  if (v.help) return help("tail", io);
  positionalCount("tail", positionals, 0, 0, "[options]");
  const view = viewOf(v);
  const port = parsePort(v.port, 4318);
  const host = (v.host as string | undefined) ?? "127.0.0.1";
  const q = query("tail", { kind: v.kind, metadata: v.metadata, filter: v.filter }, "traces");
  const matches = tailMatcher(q);
  const printed = new Set<string>();
  const print = (t: TraceSummary, spans: SpanRecord[]) => {
    if (printed.has(t.traceId) || !matches(t, spans)) return;
    printed.add(t.traceId);
    if (printed.size > 10000) printed.delete(printed.values().next().value as string);
    io.out(v.json ? JSON.stringify({ trace: t, spans }) : traceTree(t, spans, view) + "\n");
  };
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let running = false;
  try {
    const health = await getJson(`${base}/api/health`, 1500);
    running = health?.ok === true;
  } catch {
    running = false;
  }
  if (running) {
    io.err(view.paint.dim(`following the collector at ${base} (Ctrl-C to stop)`));
    return followCollector(base, print, io, signal);
  }
  const store = LocalStore.open({ dir: dataDir(v), prices: resolvePrices({ pricesFile: settingFromEnv("pricesFile") }) });
  let server;
  try {
    server = await startCollector("tail", { store, port, host, maxTraces: 20000 }, "is in use by something that is not a collector of ours. Use --port.");
  } catch (err) {
    await store.close();
    throw err;
  }
  io.err(`no collector was running on ${host}:${port}, so this process is one now: send traces to ${server.url} (web view ${server.url}/); Ctrl-C stops it and tail.`);
  server.events.on("spans", (e: { completed: string[] }) => {
    for (const id of e.completed) {
      const t = store.getTraceSummary(id);
      if (t) print(t, store.getTraceSpans(id));
    }
  });
  await waitForStop(signal);
  await server.close();
  await store.close();
  return 0;
}
