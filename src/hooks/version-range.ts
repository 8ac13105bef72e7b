/**
 * The registry's supported version ranges: space-separated comparators such as ">=0.50.0 <2"
 * (all must hold), alternatives joined by "||" ("^6.0.0 || ^7.0.0"). Enough for what integrations declare, and ~7 ms cheaper at an SDK's first
 * load than loading the semver package. Semantics follow semver: a version with a pre-release
 * tag sorts before its release (1.0.0-beta.1 < 1.0.0).
 */

type Version = { parts: [number, number, number]; pre: string; /** how many of x.y.z were written */ given: number };

/** The first x[.y[.z]] in the text, with its pre-release tag (like semver.coerce with includePrerelease). */
export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?/.exec(text);
  if (!m) return undefined;
  const given = m[3] !== undefined ? 3 : m[2] !== undefined ? 2 : 1;
  return { parts: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre: m[4] ?? "", given };
}

/**
 * A partial bound as semver reads it with pre-releases included: ">=4" is ">=4.0.0-0", "<2" is
 * "<2.0.0-0" (so 2.0.0-alpha is outside "<2"), ">1" is ">=2.0.0-0", "<=1" is "<2.0.0-0".
 */
function desugar(op: string, b: Version): [string, Version] {
  if (b.given === 3 || b.pre) return [op, b];
  const next = (): Version => {
    const parts: [number, number, number] = [b.parts[0], b.parts[1], 0];
    if (b.given === 1) parts[1] = 0;
    parts[b.given - 1]! += 1;
    return { parts, pre: "0", given: 3 };
  };
  if (op === ">=" || op === "<") return [op, { ...b, pre: "0", given: 3 }];
  if (op === ">") return [">=", next()];
  if (op === "<=") return ["<", next()];
  return [op, b];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.parts[i] !== b.parts[i]) return a.parts[i]! - b.parts[i]!;
  if (a.pre === b.pre) return 0;
  if (!a.pre) return 1;
  if (!b.pre) return -1;
  return comparePre(a.pre, b.pre);
}

/** Pre-release identifiers compared one by one, numbers numerically (semver §11). */
function comparePre(a: string, b: string): number {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const nx = /^\d+$/.test(x[i]!) ? Number(x[i]) : NaN;
    const ny = /^\d+$/.test(y[i]!) ? Number(y[i]) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny;
    } else if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}

/** `^x.y.z` and `~x.y.z` as the two comparators semver reads them as (with pre-releases included). */
function expandShorthand(comparator: string): string[] {
  const m = /^([\^~])v?(.+)$/.exec(comparator);
  const b = m && parseVersion(m[2]!);
  if (!m || !b) return [comparator];
  const [x, y, z] = b.parts;
  let upper: string;
  if (m[1] === "~") upper = b.given === 1 ? `${x + 1}.0.0` : `${x}.${y + 1}.0`;
  else if (x > 0 || b.given === 1) upper = `${x + 1}.0.0`;
  else if (y > 0 || b.given === 2) upper = `0.${y + 1}.0`;
  else upper = `0.0.${z + 1}`;
  // the lower bound as written: a partial one (^1) starts at its first pre-release, as in desugar()
  return [`>=${m[2]}`, `<${upper}-0`];
}

/**
 * True when `version` satisfies `range`: alternatives joined by `||`, each a list of comparators
 * that must all hold (`>=`, `<=`, `>`, `<`, `=`, `^`, `~`). A range we cannot read is satisfied
 * (never block patching on our own typo).
 */
export function inVersionRange(version: string, range: string): boolean {
  const v = parseVersion(version);
  if (!v) return true;
  return range.split("||").some((alternative) => satisfiesAll(v, alternative));
}

function satisfiesAll(v: Version, range: string): boolean {
  for (const comparator of range.trim().split(/\s+/).flatMap(expandShorthand)) {
    const m = /^(>=|<=|>|<|=)?v?(.+)$/.exec(comparator);
    const parsed = m && parseVersion(m[2]!);
    if (!m || !parsed) continue;
    const [op, bound] = desugar(m[1] ?? "=", parsed);
    const c = compare(v, bound);
    const ok = op === ">=" ? c >= 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : op === "<" ? c < 0 : c === 0;
    if (!ok) return false;
  }
  return true;
}
