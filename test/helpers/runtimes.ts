/**
 * The runtimes the zero-code doors are tested on: the machine's Node, Node 22, 24 and 26 from
 * npm (`npx node@22`), and Bun from the `bun` package. Paths are resolved once per machine
 * and cached in the temp folder.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BUN } from "./run";

export type RuntimeName = "node20" | "node22" | "node24" | "node26" | "bun";
export const ALL_RUNTIMES: readonly RuntimeName[] = ["node20", "node22", "node24", "node26", "bun"];
const CACHE = path.join(os.tmpdir(), "inference-tracing-runtimes.json");

export function runtimePath(name: RuntimeName): string {
  if (name === "bun") return BUN;
  const major = name.slice(4);
  if (process.versions.node.split(".")[0] === major) return process.execPath;
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(fs.readFileSync(CACHE, "utf8"));
  } catch {
    /* first use */
  }
  if (cache[name] && fs.existsSync(cache[name])) return cache[name];
  const out = execFileSync("npx", ["-y", `node@${major}`, "-p", "process.execPath"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    timeout: 180_000,
  });
  cache[name] = out.trim().split("\n").pop()!.trim();
  fs.writeFileSync(CACHE, JSON.stringify(cache));
  return cache[name];
}

/** Which runtimes to run: all by default; CATALYST_TEST_RUNTIMES=node20,bun narrows it. */
export function selectedRuntimes(): RuntimeName[] {
  const raw = process.env.CATALYST_TEST_RUNTIMES;
  return raw ? ALL_RUNTIMES.filter((r) => raw.split(",").includes(r)) : [...ALL_RUNTIMES];
}
