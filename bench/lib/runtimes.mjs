// The runtimes the benchmarks run on: this Node, Node 22/24/26 from npm (`npx -y node@24`), and Bun
// from the `bun` dev dependency. Paths are resolved once per machine and cached in the temp folder.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CACHE = path.join(os.tmpdir(), "inference-tracing-bench-runtimes.json");

/** The executable of `rt` ("node20", "node24", "bun", …); throws when it cannot be had. */
export function runtimeBinary(rt) {
  if (rt === "bun") return path.join(root, "node_modules/.bin/bun");
  const major = rt.replace(/^node/, "");
  if (process.versions.node.split(".")[0] === major) return process.execPath;
  let cache = {};
  try {
    cache = JSON.parse(fs.readFileSync(CACHE, "utf8"));
  } catch {
    /* first use */
  }
  if (cache[rt] && fs.existsSync(cache[rt])) return cache[rt];
  const out = execFileSync("npx", ["-y", `node@${major}`, "-p", "process.execPath"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 180_000 });
  cache[rt] = out.trim().split("\n").pop().trim();
  fs.writeFileSync(CACHE, JSON.stringify(cache));
  return cache[rt];
}

/** "Node 24.21.0" / "Bun 1.4.5" for a binary. */
export function runtimeLabel(bin) {
  return execFileSync(bin, ["-e", "console.log(process.versions.bun ? `Bun ${process.versions.bun}` : `Node ${process.versions.node}`)"], { encoding: "utf8" }).trim();
}
