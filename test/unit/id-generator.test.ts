/** Our provider's trace and span ids, cut from a pool of random hex: W3C-shaped and distinct across pool refills. */
import { describe, expect, it } from "vitest";
import { PooledIdGenerator } from "../../src/export/id-generator";

describe("PooledIdGenerator", () => {
  it("makes lowercase hex ids of the W3C lengths, distinct, across many pool refills", () => {
    const ids = new PooledIdGenerator();
    const seen = new Set<string>();
    // trace and span ids interleaved, so takes straddle the end of the pool at every offset
    for (let i = 0; i < 5000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(traceId).not.toBe("0".repeat(32));
      expect(spanId).not.toBe("0".repeat(16));
      seen.add(traceId);
      seen.add(spanId);
    }
    expect(seen.size).toBe(10_000);
  });
});
