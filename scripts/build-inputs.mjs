// What the build reads, and whether dist/ is older than any of it (`npm run demo` builds only then).
import * as fs from "node:fs";
import * as path from "node:path";

/** The stamp the build writes last: dist/ is complete and as new as this file's time. */
export const stampFile = (root) => path.join(root, "dist", ".build-stamp");

function* inputs(root) {
  for (const file of ["package.json", "package-lock.json", "tsconfig.json", "scripts/build.mjs", "scripts/build-inputs.mjs"]) yield path.join(root, file);
  const walk = function* (dir) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) yield* walk(p);
      else yield p;
    }
  };
  yield* walk(path.join(root, "src"));
}

/** The first input changed since the last complete build (relative path), or undefined when dist/ is up to date. */
export function changedSinceBuild(root, stamp = stampFile(root)) {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return "dist/ (never built)";
  }
  for (const file of inputs(root)) {
    try {
      if (fs.statSync(file).mtimeMs > built) return path.relative(root, file);
    } catch {
      /* an optional input that is not there */
    }
  }
  return undefined;
}
