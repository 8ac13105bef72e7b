// Our version-range check against the semver package (the reference) for every range the
// registry declares and a spread of real-world version strings.
import { describe, expect, it } from "vitest";
import semver from "semver";
import { INTEGRATIONS } from "../../src/integrations/registry";
import { inVersionRange } from "../../src/hooks/version-range";

const VERSIONS = [
  "0.0.1", "0.1.0", "0.2.9", "0.3.0", "0.49.9", "0.50.0", "0.71.2", "0.99.0", "0.330.1",
  "1.0.0", "1.0.0-beta.1", "1.0.0-rc.2", "1.9.0", "1.12.0", "2.0.0-alpha.0", "2.0.0", "3.1.4",
  "4.0.0", "4.0.0-canary.3", "5.23.2", "6.0.326", "7.57.0", "8.0.0-beta.10", "8.0.0", "10.1.0",
  "v1.2.3", "1.2", "7", "1.2.3+build.5",
];

describe("supported version ranges", () => {
  const ranges = [...new Set(INTEGRATIONS.map((i) => i.versionRange))];
  it("the registry declares ranges", () => expect(ranges.length).toBeGreaterThan(3));
  for (const range of ranges) {
    it(`agrees with semver on ${range}`, () => {
      for (const v of VERSIONS) {
        const c = semver.coerce(v, { includePrerelease: true });
        const expected = !c || semver.satisfies(c, range, { includePrerelease: true });
        expect([v, inVersionRange(v, range)]).toEqual([v, expected]);
      }
    });
  }
  it("treats a pre-release as older than its release, and outside a partial upper bound", () => {
    expect(inVersionRange("2.0.0-beta.1", ">=1.0.0 <2.0.0")).toBe(true);
    expect(inVersionRange("2.0.0-beta.1", ">=1.0.0 <2")).toBe(false);
    expect(inVersionRange("1.0.0-beta.1", ">=1.0.0 <2")).toBe(false);
  });
  it("reads the other comparators as semver does", () => {
    for (const range of [">1 <=3", ">1.2 <=3.4", "=1.2.3", "1.2.3", ">=4", "<0.3", "^6.0.0 || ^7.0.0", "^0.3.0", "^0.0.3", "^1", "^0.2", "~1.2.3", "~1", "~0.49", "^1.0.0-beta.1", ">=5 <6 || >=7.1 <8"]) {
      for (const v of VERSIONS) {
        const c = semver.coerce(v, { includePrerelease: true });
        expect([range, v, inVersionRange(v, range)]).toEqual([range, v, !c || semver.satisfies(c, range, { includePrerelease: true })]);
      }
    }
  });
});
