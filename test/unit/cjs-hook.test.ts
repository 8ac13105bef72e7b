import { describe, expect, it } from "vitest";
import { lastSegment } from "../../src/hooks/cjs-hook";

// the CommonJS hook resolves a relative require inside a watched package again only when its last
// segment can name a hooked file: these are the names it compares
describe("lastSegment of a relative require", () => {
  it.each([
    ["./client", "client"],
    ["./client.js", "client"],
    ["../core/client.cjs", "client"],
    ["./internal/client.mjs", "client"],
    ["./singletons/", "singletons"],
    ["../singletons", "singletons"],
    ["./shared/protocol.js", "protocol"],
    ["./data.json", "data.json"],
    ["./client.d.js", "client.d"],
    [".", "."],
    ["..", ".."],
    ["./", "."],
  ])("%s → %s", (request, expected) => {
    expect(lastSegment(request)).toBe(expected);
  });
});
