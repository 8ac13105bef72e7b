/**
 * setup() called from app code runs after the app's own imports: patch what is loaded already.
 * CommonJS: each supported package's entry and the files integrations patch inside it, from
 * require.cache (later require()s get the traced exports, as with the require hook). ESM: the
 * builds the app's files import, loaded again (which returns the instance the app already has).
 */
import path = require("node:path");
import type { Instrumenter } from "./instrumenter";
import { stripExt } from "./cjs-hook";
import { eagerPatch } from "./esm-hook";
import { appManifest, findPackage } from "./resolve";
import { nodeRequire } from "../util/runtime";

export function patchAlreadyLoaded(instrumenter: Instrumenter): void {
  const dir = appManifest()?.dir ?? process.cwd();
  const wanted = instrumenter.enabled();
  const req = nodeRequire();
  for (const i of wanted) {
    for (const pkg of i.packages) {
      try {
        const cached = req.cache[req.resolve(pkg, { paths: [dir] })];
        if (!cached) continue;
        const replacement = instrumenter.patch(i, cached.exports, { format: "cjs", moduleName: pkg, baseDir: findPackage(pkg, dir)?.dir });
        // the app's earlier require() keeps what it got; its later ones get the traced exports, as with the require hook
        if (replacement) cached.exports = replacement;
      } catch {
        /* not installed, or no CommonJS entry */
      }
    }
    if (!i.files?.length) continue;
    for (const pkg of i.packages) {
      const marker = `${path.sep}node_modules${path.sep}${pkg.split("/").join(path.sep)}${path.sep}`;
      const files = new Set(i.files.map((f) => stripExt(f)));
      for (const [filename, mod] of Object.entries(req.cache)) {
        const at = filename.lastIndexOf(marker);
        if (!mod || at === -1) continue;
        const rel = stripExt(filename.slice(at + marker.length).split(path.sep).join("/"));
        if (files.has(rel)) instrumenter.patch(i, mod.exports, { format: "cjs", moduleName: `${pkg}/${rel}`, baseDir: filename.slice(0, at + marker.length - 1) });
      }
    }
  }
  eagerPatch(instrumenter, wanted);
}
