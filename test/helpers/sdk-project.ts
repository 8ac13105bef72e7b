/**
 * Which copy of an SDK a zero-code test runs, and where its fixture app runs from.
 *
 *  - By default an app runs from its fixture folder and loads the repository's pinned dev
 *    dependencies (what CI tests, from the lockfile).
 *  - A pinned second major installed under an alias (`"ai-v7": "npm:ai@^7"`) runs from a small
 *    project folder whose node_modules link the real names to the aliases (`ai` → `ai-v7`), since
 *    the app must `import "ai"` for the zero-code hooks to see it: `aliasProject()`.
 *  - `npm run test:versions` installs other versions into temporary projects and sets
 *    CATALYST_TEST_SDK_DIR to one of them: `sdkTargets()` then returns that project alone, and the
 *    fixture apps are copied into it and run there (scripts/test-versions.mjs).
 *
 * Every project links `@inference/tracing` to this repository, as an app that installed us would.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIXTURES, ROOT } from "./run";
import { selectedRuntimes, type RuntimeName } from "./runtimes";

export interface SdkTarget {
  /** A short label for test names: "ai@7.0.173". */
  label: string;
  /** The installed version of the main package. */
  version: string;
  major: number;
  /** The project folder the apps run from (undefined: each fixture's own folder). */
  projectDir?: string;
  /** The runtimes this version supports (its engines field), among the selected ones. */
  runtimes: RuntimeName[];
}

/** The project the version matrix points the tests at, if any. */
export const SDK_DIR_ENV = "CATALYST_TEST_SDK_DIR";

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Node majors an `engines.node` range such as ">=22" or "^20.19.0 || >=22.12.0" allows (a rough reading: lower bounds). */
export function nodeMajorsAllowed(engines: string | undefined): (major: number) => boolean {
  if (!engines) return () => true;
  const alternatives = engines.split("||").map((alt) => {
    const m = /(?:>=|\^|~)?\s*v?(\d+)/.exec(alt.trim());
    const exact = /^\s*v?(\d+)(\.\d+)*\s*$/.test(alt);
    return { min: m ? Number(m[1]) : 0, exact: exact && m ? Number(m[1]) : undefined, caret: /\^/.test(alt) };
  });
  return (major) => alternatives.some((a) => (a.exact !== undefined ? major === a.exact : a.caret ? major === a.min : major >= a.min));
}

function runtimesFor(packageJson: any): RuntimeName[] {
  const allowed = nodeMajorsAllowed(packageJson?.engines?.node);
  return selectedRuntimes().filter((r) => r === "bun" || allowed(Number(r.slice(4))));
}

function target(pkg: string, pkgDir: string, projectDir: string | undefined): SdkTarget {
  const json = readJson(path.join(pkgDir, "package.json"));
  return { label: `${pkg}@${json.version}`, version: json.version, major: Number(String(json.version).split(".")[0]), projectDir, runtimes: runtimesFor(json) };
}

/** Link `name` in `project`'s node_modules to `to` (a folder), replacing what was there. */
function link(project: string, name: string, to: string): void {
  const at = path.join(project, "node_modules", name);
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(to, at, "dir");
}

/**
 * A project folder whose node_modules name the aliased packages by their real names:
 * `{ ai: "ai-v7", "@ai-sdk/openai": "@ai-sdk/openai-v4", zod: "zod" }`.
 */
export function aliasProject(name: string, links: Record<string, string>): string {
  const project = path.join(os.tmpdir(), `inference-tracing-sdk-${process.pid}-${name}`);
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: `sdk-${name}`, private: true, dependencies: Object.fromEntries(Object.keys(links).map((k) => [k, "*"])) }));
  for (const [real, alias] of Object.entries(links)) link(project, real, path.join(ROOT, "node_modules", alias));
  link(project, "@inference/tracing", ROOT);
  return project;
}

/**
 * The copies of `pkg` to test: the one named by CATALYST_TEST_SDK_DIR alone when it is set;
 * otherwise the repository's pinned version plus `pinnedProjects` (alias projects of other majors).
 */
export function sdkTargets(pkg: string, pinnedProjects: () => string[] = () => []): SdkTarget[] {
  const pointed = process.env[SDK_DIR_ENV];
  if (pointed) return [target(pkg, path.join(pointed, "node_modules", pkg), pointed)];
  return [target(pkg, path.join(ROOT, "node_modules", pkg), undefined), ...pinnedProjects().map((p) => target(pkg, fs.realpathSync(path.join(p, "node_modules", pkg)), p))];
}

/** Was this run pointed at another installed copy (the version matrix)? */
export const pointedAtOtherCopy = (): boolean => !!process.env[SDK_DIR_ENV];

/**
 * The package the version matrix installed in the pointed project (its package.json's
 * `versionMatrix.package`; the rest there is companions, linked or installed beside it), for test
 * files that cover more than one SDK; undefined when no project is pointed at, or it names none.
 */
export function pointedPackage(): string | undefined {
  const pointed = process.env[SDK_DIR_ENV];
  if (!pointed) return undefined;
  try {
    return readJson(path.join(pointed, "package.json")).versionMatrix?.package;
  } catch {
    return undefined;
  }
}

/**
 * The path of a fixture app file (`"ai-sdk-esm/app.js"`) as this target runs it: the fixture
 * itself, or a copy of its folder inside the target's project (the fixture's package.json included,
 * so the module type is the same).
 */
export function appFile(t: Pick<SdkTarget, "projectDir">, fixture: string): string {
  const source = path.join(FIXTURES, "apps", fixture);
  if (!t.projectDir) return source;
  const [folder, ...rest] = fixture.split("/");
  const copy = path.join(t.projectDir, "apps", folder!);
  fs.cpSync(path.join(FIXTURES, "apps", folder!), copy, { recursive: true, force: true, filter: (f) => !f.includes(`${path.sep}node_modules`) });
  return path.join(copy, ...rest);
}

/** A fixture app file (`"openai-esm/app.js"`) in place, or in the project CATALYST_TEST_SDK_DIR names (the version matrix). */
export function fixtureApp(fixture: string): string {
  return appFile({ projectDir: process.env[SDK_DIR_ENV] }, fixture);
}

/**
 * Where tests that start apps from the repository's root start them: the pointed project instead in
 * the version matrix, so the door (`--import @inference/tracing/register`) resolves the project's copy
 * (run() does the same for subprocesses started without a cwd).
 */
export const APP_CWD = process.env[SDK_DIR_ENV] ?? ROOT;
