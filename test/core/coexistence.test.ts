import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";
import { FIXTURES, node } from "../helpers/run";
import { one } from "../helpers/spans";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

describe("an OpenTelemetry provider registered by the app first", () => {
  it("is not clobbered; our spans reach our endpoint in the same trace as the app's spans", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/foreign-provider.mjs")], {
      env: { CATALYST_OTLP_ENDPOINT: receiver.url, CATALYST_DEBUG: "1" },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // the app's own exporter still sees its spans and ours, and its provider stays the global one
    expect(out.provider).toBe(true);
    expect(out.appSpans).toEqual(["http.request", "tool-under-app-span"]);
    expect(r.stderr).toMatch(/already registered: our processors were attached to it/);
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "tool-under-app-span"));
    const tool = one(spans, (s) => s.name === "tool-under-app-span");
    const root = one(spans, (s) => s.name === "http.request");
    expect(tool.parentSpanId).toBe(root.spanId);
    expect(tool.traceId).toBe(root.traceId);
    expect(tool.attributes["openinference.span.kind"]).toBe("TOOL");
  });

  it("has its own batched exporter see our spans with our redactions, as our endpoint does", async () => {
    receiver.clear();
    const key = "sk-app-0123456789abcdefghijklmnop";
    const r = await node([path.join(FIXTURES, "apps/core/foreign-provider.mjs")], {
      env: { CATALYST_OTLP_ENDPOINT: receiver.url, APP_BATCH: "1", APP_API_KEY: key },
    });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.toolInputSeenByApp).toBe("key __REDACTED__");
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === "tool-under-app-span"));
    expect(one(spans, (s) => s.name === "tool-under-app-span").attributes["input.value"]).toBe("key __REDACTED__");
  });
});

describe("CATALYST_DISABLED", () => {
  it("turns everything into a no-op: same output, nothing exported, nothing printed", async () => {
    receiver.clear();
    const app = path.join(FIXTURES, "apps/core/manual-agent.mjs");
    const r = await node([app], { env: { CATALYST_DISABLED: "true", CATALYST_OTLP_ENDPOINT: receiver.url } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Order ABC-123 is shipped.\n");
    expect(r.stderr).toBe("");
    await new Promise((res) => setTimeout(res, 300));
    expect(receiver.requests).toHaveLength(0);
    const r2 = await node([app], { env: { OTEL_SDK_DISABLED: "true" } });
    expect(r2.stderr).toBe("");
  });
});

describe("shutdown", () => {
  it("costs at most shutdownTimeoutMillis when the collector hangs, and never throws", async () => {
    const hanging = await startOtlpReceiver();
    hanging.setBehavior({ hang: true });
    const app = path.join(FIXTURES, "apps/core/manual-agent.mjs");
    const started = Date.now();
    const r = await node([app], { env: { CATALYST_OTLP_ENDPOINT: hanging.url, CATALYST_SHUTDOWN_TIMEOUT_MS: "1000" } });
    const elapsed = Date.now() - started;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Order ABC-123 is shipped.\n");
    expect(hanging.requests.length).toBeGreaterThan(0);
    // generous bound: start-up + one shutdown timeout, far below the exporter's default 10 s
    expect(elapsed).toBeLessThan(6000);
    await hanging.close();
  });

  it("an app that imports @inference/tracing is not made to load every SDK our package names as a peer", async () => {
    const app = path.join(FIXTURES, "apps/core/manual-agent.mjs");
    const r = await node([app], { env: { CATALYST_CONSOLE: "off", CATALYST_DEBUG: "1" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/ESM mode eager: read \d+ app file\(s\) and loaded 0 supported SDK\(s\)/);
    expect(r.stderr).not.toMatch(/patched /);
  });
});
