/** `import`: span files into the local store. */
import fs = require("node:fs");
import { settingFromEnv } from "../../config";
import { resolvePrices } from "../../transforms/cost";
import { importFile } from "../../local/import";
import { LocalStore } from "../../local/store";
import { safeLine } from "../../trace-model/escape";
import { plural } from "../../trace-model/format";
import { dataDir, parse, positionalCount, UsageError, viewOf, type Io } from "../args";
import { help } from "../help";

export async function importCommand(args: string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse("import", args, { prices: { type: "string" } });
  if (v.help) return help("import", io);
  positionalCount("import", positionals, 1, Infinity, "<file>…");
  for (const file of positionals) if (!fs.existsSync(file)) throw new UsageError(`import: ${file}: no such file`);
  const view = viewOf(v);
  const store = LocalStore.open({ dir: dataDir(v), prices: resolvePrices({ pricesFile: (v.prices as string | undefined) ?? settingFromEnv("pricesFile") }) });
  let code = 0;
  try {
    for (const file of positionals) {
      const r = await importFile(store, file);
      io.out(`${file}: imported ${plural(r.spans, "span")} (${plural(r.traces, "trace")})${r.skipped ? `, skipped ${r.skipped}` : ""}`);
      for (const p of r.problems) io.err(`  ${safeLine(p)}`);
      if (r.spans === 0) code = 1;
    }
    io.err(view.paint.dim(`store: ${store.dir} (${store.traceCount()} traces)`));
  } finally {
    await store.close();
  }
  return code;
}
