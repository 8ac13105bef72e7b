/**
 * An app configured the OpenTelemetry way (OTEL_EXPORTER_OTLP_* and OTEL_RESOURCE_ATTRIBUTES, as a
 * Dockerfile or a Kubernetes manifest sets them for any OTel SDK) exports with those headers, that
 * compression and those resource attributes, also from the synchronous export at process.exit().
 */
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES, node } from "../helpers/run";
import { startOtlpReceiver, type Receiver } from "../helpers/receiver";

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => receiver.close());
beforeEach(() => receiver.clear());

const env = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=phx%2Dkey%2D0123456789,x-team=ml",
  OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
  OTEL_RESOURCE_ATTRIBUTES: "service.name=support-bot,deployment.environment=prod,k8s.pod.name=bot-7",
});

function checkRequests() {
  expect(receiver.requests.length).toBeGreaterThan(0);
  for (const r of receiver.requests) {
    expect(r.headers["x-api-key"]).toBe("phx-key-0123456789");
    expect(r.headers["x-team"]).toBe("ml");
    expect(r.headers["content-encoding"]).toBe("gzip");
    expect(r.headers["content-type"]).toBe("application/x-protobuf");
  }
}

describe("OpenTelemetry's exporter and resource variables", () => {
  it("are used by the batched export", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/manual-agent.mjs")], { env: env() });
    expect(r.code).toBe(0);
    const spans = await receiver.waitForSpans((s) => s.length >= 3);
    checkRequests();
    expect(spans[0]!.resource).toMatchObject({ "service.name": "support-bot", "deployment.environment": "prod", "k8s.pod.name": "bot-7" });
  });

  it("are used by the synchronous export at process.exit()", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/exit-mid-agent.mjs")], { env: env() });
    expect(r.code).toBe(5);
    const spans = await receiver.waitForSpans((s) => s.length >= 1);
    checkRequests();
    expect(spans[0]!.attributes["inference.tracing.end_reason"]).toBe("process exit");
    expect(spans[0]!.resource["service.name"]).toBe("support-bot");
  });
});
