import { describe, expect, it } from "vitest";
import { testedStatus } from "../../src/cli/doctor";

const run = (version: string, runtime = "node20", result = "pass") => ({ version, runtime, result });
// an integration tested at the oldest of its range and the newest of each major, as the matrix does
const matrix = {
  integrations: [{ key: "openai", package: "openai", runs: [run("5.0.0"), run("5.23.2"), run("6.49.0"), run("6.49.0", "node24"), run("7.59.0", "node22"), run("7.60.0", "node22", "fail")] }],
};

describe("what the doctor says about an installed version", () => {
  it.each([
    ["6.49.0", "tested (node20, node24)"],
    ["5.10.0", "between tested versions 5.0.0 and 5.23.2"],
    // below the only tested 7.x, above the newest 6.x: between them, not "older than the oldest"
    ["7.57.0", "between tested versions 6.49.0 and 7.59.0"],
    ["7.60.0", "newer than the newest tested 7.x (7.59.0)"],
    ["8.0.0", "newer than the newest tested (7.59.0), a major never tested"],
    ["4.9.0", "older than the oldest tested (5.0.0)"],
  ])("%s: %s", (version, expected) => {
    expect(testedStatus(matrix, "openai", version)).toBe(expected);
  });

  it("says so when the matrix has no passing run for the integration", () => {
    expect(testedStatus(matrix, "anthropic", "1.0.0")).toBe("not in the tested matrix");
    expect(testedStatus(undefined, "openai", "6.49.0")).toBe("not in the tested matrix");
  });
});
