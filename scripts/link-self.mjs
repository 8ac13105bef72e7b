// Make `@inference/tracing` resolvable from every file in this repository (fixture apps
// with their own package.json included), as it is for a user who installed the package.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const scopeDir = path.join(root, "node_modules", "@inference");
const link = path.join(scopeDir, "tracing");
fs.mkdirSync(scopeDir, { recursive: true });
try {
  if (fs.realpathSync(link) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* no link yet */
}
fs.symlinkSync(path.relative(scopeDir, root), link, "dir");
