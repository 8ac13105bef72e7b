/**
 * With OTLP export only, the export transforms (cost, privacy, the user's scrub function, limits)
 * run when a span's batch is sent, not inside span.end() on the app's await path. The scrub
 * function's call count shows when they ran; the receiver shows they still ran on everything sent.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES, node } from "../helpers/run";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";

const app = path.join(FIXTURES, "apps/core/deferred-transforms.mjs");
const SECRET = "tok_live_9f8e7d6c5b4a3210";
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => receiver.close());
beforeEach(() => receiver.clear());

const env = (extra: Record<string, string> = {}) => ({ CATALYST_OTLP_ENDPOINT: receiver.url, APP_SECRET_TOKEN: SECRET, ...extra });

function checkExported(spans: Awaited<ReturnType<Receiver["waitForSpans"]>>) {
  const small = spans.find((s) => s.name === "small")!;
  expect(small.attributes["input.value"]).toBe("the token is __REDACTED__");
  expect(small.attributes["app.note"]).toBe("scrubbed");
  const oversized = spans.find((s) => s.name === "oversized")!;
  expect(String(oversized.attributes["input.value"]).length).toBeLessThanOrEqual(1000);
  expect(oversized.attributes["inference.tracing.truncated_attributes"]).toContain("input.value");
}

describe("export transforms off the span's end", () => {
  it("run when the batch is exported, not inside span.end()", async () => {
    const r = await node([app], { env: env() });
    expect(r.code).toBe(0);
    const counts = JSON.parse(r.stdout);
    expect(counts.afterSmallEnd).toBe(0);
    expect(counts.afterOversizedEnd).toBe(0);
    expect(counts.afterFlush).toBeGreaterThan(0);
    checkExported(await receiver.waitForSpans((s) => s.length >= 2));
    expect(JSON.stringify(receiver.spans)).not.toContain(SECRET);
  });

  it("still run on spans sent by the synchronous export at process.exit()", async () => {
    const r = await node([app], { env: env({ EXIT_AFTER_END: "1" }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).afterSmallEnd).toBe(0);
    checkExported(await receiver.waitForSpans((s) => s.length >= 2));
    expect(JSON.stringify(receiver.spans)).not.toContain(SECRET);
  });

  it("run as spans end while export is failing, so a waiting queue holds only size-limited spans", async () => {
    receiver.setBehavior({ status: 503 });
    try {
      const r = await node([app], { env: env({ WHILE_FAILING: "1", CATALYST_SHUTDOWN_TIMEOUT_MS: "500" }) });
      expect(r.code).toBe(0);
      const counts = JSON.parse(r.stdout);
      expect(counts.afterOversizedEnd).toBe(0);
      expect(counts.afterFlush).toBeGreaterThan(0); // the refused batch was prepared when it was taken
      expect(counts.afterLateEnd).toBeGreaterThan(counts.afterFlush); // transformed at its end
    } finally {
      receiver.setBehavior({});
    }
  });

  it("transform a big batch a slice at a time, letting the app run in between", async () => {
    const r = await node([app], { env: env({ MANY_SPANS: "1" }) });
    expect(r.code).toBe(0);
    const { callsWhenTheAppRan, total } = JSON.parse(r.stdout);
    expect(callsWhenTheAppRan).toBeGreaterThan(0);
    expect(callsWhenTheAppRan).toBeLessThan(total / 3);
    expect((await receiver.waitForSpans((s) => s.length >= 300)).length).toBe(300);
  });

  it("run at span end when another sink reads spans as they end (a traces file)", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deferred-")), "traces.jsonl");
    const r = await node([app], { env: env({ CATALYST_TRACES_FILE: file }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).afterSmallEnd).toBeGreaterThan(0);
    const lines = fs.readFileSync(file, "utf8");
    expect(lines).not.toContain(SECRET);
    expect(lines).toContain('"app.note":"scrubbed"');
    checkExported(await receiver.waitForSpans((s) => s.length >= 2));
  });
});
