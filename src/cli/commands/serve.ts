/** `serve`: the local collector and web view, until Ctrl-C. */
import fs = require("node:fs");
import { settingFromEnv } from "../../config";
import { resolvePrices } from "../../transforms/cost";
import { LocalStore } from "../../local/store";
import { safeLine } from "../../trace-model/escape";
import { dataDir, parse, parsePort, positionalCount, UsageError, viewOf, type Io } from "../args";
import { waitForStop } from "../follow";
import { help } from "../help";
import { traceLine } from "../render";
import { startCollector } from "./collector";

export async function serve(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { values: v, positionals } = parse("serve", args, {
    port: { type: "string", short: "p" },
    host: { type: "string" },
    "max-traces": { type: "string" },
    prices: { type: "string" },
    quiet: { type: "boolean", short: "q" },
  });
  if (v.help) return help("serve", io);
  positionalCount("serve", positionals, 0, 0, "[options]");
  const view = viewOf(v);
  const port = parsePort(v.port, 4318);
  const host = (v.host as string | undefined) ?? "127.0.0.1";
  const maxTraces = v["max-traces"] === undefined ? 20000 : Number(v["max-traces"]);
  if (!Number.isInteger(maxTraces) || maxTraces < 0) throw new UsageError(`serve: --max-traces ${v["max-traces"]}: expected a whole number`);
  if (v.prices !== undefined && !fs.existsSync(v.prices as string)) throw new UsageError(`serve: --prices ${v.prices}: no such file`);
  const prices = resolvePrices({ pricesFile: (v.prices as string | undefined) ?? settingFromEnv("pricesFile") });
  const store = LocalStore.open({ dir: dataDir(v), prices });
  let server;
  try {
    server = await startCollector("serve", { store, port, host, maxTraces, log: (l) => io.err(view.paint.dim(safeLine(l))) });
  } catch (err) {
    await store.close();
    throw err;
  }
  io.out(
    [
      `@inference/tracing local collector`,
      `  OTLP/HTTP  ${server.url}/v1/traces  (JSON and protobuf)`,
      `  metrics    ${server.url}/v1/metrics  (GenAI token, cost and call totals by model: ${server.url}/#usage)`,
      `  web view   ${server.url}/`,
      `  store      ${store.dir} (${store.traceCount()} traces)`,
      ``,
      `Send traces: CATALYST_OTLP_ENDPOINT=${server.url} node --import @inference/tracing/register app.js`,
    ].join("\n"),
  );
  if (!/^(127\.|localhost$|::1$)/.test(host)) io.err(view.paint.red(`warning: listening on ${host}: anyone who can reach this address can send and read traces`));
  if (!v.quiet) {
    server.events.on("spans", (e: { completed: string[] }) => {
      for (const id of e.completed) {
        const t = store.getTraceSummary(id);
        if (t) io.out(traceLine(t, view));
      }
    });
  }
  await waitForStop(signal);
  await server.close();
  await store.close();
  return 0;
}
