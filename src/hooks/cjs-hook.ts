/**
 * One CommonJS hook for every integration's packages (and the files inside them an
 * integration asks for). It wraps Module.prototype.require (which Bun honours too) and does
 * almost nothing for requires that cannot concern us: a bare request is checked against a Set
 * of package names, a relative request only when the requiring file sits inside a watched
 * package that declares internal files. Exports are patched in place and returned unchanged.
 *
 * Why not require-in-the-middle: for every file inside a watched package it resolves the
 * module a second time and calls require.resolve() to tell the main file from internal ones;
 * on an app that requires openai and @anthropic-ai/sdk that measured +124 ms of module
 * resolution (0.3 ms per file) on Node 20, three times the whole start-up budget.
 */
import fs = require("node:fs");
import path = require("node:path");
import type { Instrumenter } from "./instrumenter";
import { internalError } from "../util/log";

type RequireFn = (this: NodeModule, id: string) => unknown;
let installed = false;

export function stripExt(p: string): string {
  return p.replace(/\.(c|m)?js$/, "");
}

/** "./core/client.js" -> "client"; "../x/" -> "x" (string scans: this runs for every file of a watched package). */
export function lastSegment(request: string): string {
  let end = request.length;
  if (request.charCodeAt(end - 1) === 47 /* / */) end--;
  const start = request.lastIndexOf("/", end - 1) + 1;
  const dot = request.lastIndexOf(".", end - 1);
  if (dot > start) {
    const ext = request.slice(dot, end);
    if (ext === ".js" || ext === ".cjs" || ext === ".mjs") end = dot;
  }
  return request.slice(start, end);
}

/** "openai/resources/x" -> "openai"; "@scope/pkg/sub" -> "@scope/pkg". */
function bareName(request: string): string {
  const i = request.indexOf("/");
  if (request.startsWith("@")) {
    const j = request.indexOf("/", i + 1);
    return j === -1 ? request : request.slice(0, j);
  }
  return i === -1 ? request : request.slice(0, i);
}

/**
 * The package folder and package-relative path of a resolved file, for a watched package: from the
 * `node_modules/<pkg>/` in its path, else (a package installed under an alias and linked under its
 * own name, which Node resolves to the link's target) the nearest folder whose package.json is `pkg`'s.
 */
function locate(filename: string, pkg: string): { baseDir: string; rel: string } | undefined {
  const marker = `${path.sep}node_modules${path.sep}${pkg.split("/").join(path.sep)}${path.sep}`;
  const at = filename.lastIndexOf(marker);
  const baseDir = at !== -1 ? filename.slice(0, at + marker.length - 1) : packageDirNamed(filename, pkg);
  if (!baseDir) return undefined;
  return { baseDir, rel: filename.slice(baseDir.length + 1).split(path.sep).join("/") };
}

function packageDirNamed(filename: string, pkg: string): string | undefined {
  for (let dir = path.dirname(filename); path.basename(dir) !== "node_modules" && path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    try {
      const name = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name;
      if (name !== undefined) return name === pkg ? dir : undefined;
    } catch {
      // no package.json here: a folder inside the package
    }
  }
  return undefined;
}

export function installCjsHook(instrumenter: Instrumenter): void {
  if (installed) return;
  const wanted = instrumenter.enabled();
  const names = new Set(wanted.flatMap((i) => i.packages));
  if (names.size === 0) return;
  // "pkg" -> set of package-relative files (without extension) to hook inside it
  const files = new Map<string, Set<string>>();
  for (const i of wanted) for (const f of i.files ?? []) for (const p of i.packages) {
    const set = files.get(p) ?? new Set<string>();
    set.add(stripExt(f.replace(/^\.\//, "")));
    files.set(p, set);
  }
  const watchedDirs = [...files.keys()].map((p) => ({
    pkg: p,
    marker: `${path.sep}node_modules${path.sep}${p.split("/").join(path.sep)}${path.sep}`,
    // the last segment a relative request for one of its files can end with (a folder's for its index)
    names: new Set([...files.get(p)!].flatMap((f) => {
      const parts = f.split("/");
      return parts[parts.length - 1] === "index" && parts.length > 1 ? ["index", parts[parts.length - 2]!] : [parts[parts.length - 1]!];
    })),
  }));

  // a file requires its neighbours many times over: whether it sits in a watched package is found once
  const watchedParents = new WeakMap<NodeModule, (typeof watchedDirs)[number] | null>();

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Module = require("node:module") as {
    prototype: { require: RequireFn };
    _resolveFilename(request: string, parent: NodeModule): string;
    _cache?: Record<string, NodeModule | undefined>;
  };
  const original = Module.prototype.require;
  installed = true;

  /** Returns replacement exports when an integration had to replace the module's exports. */
  const onLoad = (parent: NodeModule, request: string, exports: unknown): object | undefined => {
    const first = request.charCodeAt(0);
    let pkg: string | undefined;
    if (first !== 46 /* . */ && first !== 47 /* / */ && !request.startsWith("node:")) {
      const name = bareName(request);
      if (!names.has(name)) return undefined;
      pkg = name;
    } else if (watchedDirs.length > 0 && parent?.filename) {
      let watched = watchedParents.get(parent);
      if (watched === undefined) watchedParents.set(parent, (watched = watchedDirs.find((w) => parent.filename.includes(w.marker)) ?? null));
      if (!watched) return undefined;
      // a package requires its hundreds of files this way: resolved again only when the request
      // can name a hooked file (resolving each cost ~20 ms on an app that requires openai and Anthropic)
      const last = lastSegment(request);
      if (last !== "" && last !== "." && last !== ".." && !watched.names.has(last)) return undefined;
      pkg = watched.pkg;
    } else return undefined;

    // resolving again is cheap here: Node has just cached this resolution
    const filename = Module._resolveFilename(request, parent);
    const where = locate(filename, pkg);
    const integration = instrumenter.byPackage(pkg);
    if (!where || !integration) return undefined;
    let replacement: object | undefined;
    if (request === pkg) replacement = instrumenter.patch(integration, exports, { format: "cjs", moduleName: pkg, baseDir: where.baseDir });
    else {
      const rel = stripExt(where.rel);
      if (files.get(pkg)?.has(rel)) replacement = instrumenter.patch(integration, exports, { format: "cjs", moduleName: `${pkg}/${rel}`, baseDir: where.baseDir });
    }
    if (replacement) {
      // later require()s of this file get the replacement from the cache, like the first one
      const cached = Module._cache?.[filename];
      if (cached && cached.exports === exports) cached.exports = replacement;
    }
    return replacement;
  };

  Module.prototype.require = function patchedRequire(this: NodeModule, id: string) {
    // eslint-disable-next-line prefer-rest-params
    const exports = original.apply(this, arguments as unknown as [string]);
    try {
      return onLoad(this, id, exports) ?? exports;
    } catch (err) {
      internalError("cjs-hook", err);
    }
    return exports;
  } as RequireFn;
}
