// `npm run bench`: every benchmark, one after the other, each printing its own table of
// medians and ratios against a bare run in the same process or command.
//   npm run bench                  start-up, first call, per call end to end, per-call/per-chunk
//                                  micro-benchmarks (LLM, MCP, Bedrock/Azure/Vertex, Google GenAI and
//                                  Mistral), local store queries, per-request cost, bundles, Lambda,
//                                  the GenAI conventions' export-time cost
//   npm run bench -- --quick       the end-to-end per-call benchmark with fewer calls
//   npm run bench -- --soak        also the 100k-call soak (long)
//   npm run bench -- --only per-call
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const suites = [
  ["startup", "startup.mjs", [], []],
  ["first-call", "first-call.mjs", [], []],
  ["per-call", "per-call.mjs", args.includes("--quick") ? ["--quick"] : [], []],
  // --expose-gc: each variant's garbage is collected inside its own timed window
  ["llm-overhead", "llm-overhead.mjs", [], ["--expose-gc"]],
  ["mcp-overhead", "mcp-overhead.mjs", [], ["--expose-gc"]],
  ["cloud-overhead", "cloud-overhead.mjs", [], ["--expose-gc"]],
  ["google-mistral-overhead", "google-mistral-overhead.mjs", [], ["--expose-gc"]],
  ["store-query", "store-query.mjs", [], []],
  ["request-roots", "request-roots.mjs", [], []],
  ["bundled", "bundled.mjs", [], []],
  ["lambda", "lambda.mjs", [], []],
  ["gen-ai-export", "gen-ai-export.mjs", [], ["--expose-gc"]],
  ...(args.includes("--soak") ? [["soak", "soak.mjs", [], []]] : []),
];
let failed = 0;
for (const [name, file, extra, nodeFlags] of suites) {
  if (only && only !== name) continue;
  const script = path.join(here, file);
  if (!fs.existsSync(script)) {
    console.log(`\n## ${name}: ${file} not present, skipped`);
    continue;
  }
  console.log(`\n## ${name} (bench/${file})`);
  const r = spawnSync(process.execPath, [...nodeFlags, script, ...extra], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
