import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig, tracesUrlFor } from "../../src/config";

/** Capture what our code writes to stderr while `fn` runs. */
function captureStderr<T>(fn: () => T): { result: T; text: string } {
  const original = process.stderr.write.bind(process.stderr);
  let text = "";
  (process.stderr as any).write = (chunk: any, ...rest: any[]) => {
    text += String(chunk);
    return true;
  };
  try {
    return { result: fn(), text };
  } finally {
    (process.stderr as any).write = original;
  }
}

describe("configuration precedence", () => {
  it("prefers options, then CATALYST_*, then legacy names, then OTEL names", () => {
    const env = {
      CATALYST_OTLP_ENDPOINT: "https://a.example",
      OTLP_ENDPOINT: "https://b.example",
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://c.example",
      CATALYST_SERVICE_NAME: "svc-a",
      SERVICE_NAME: "svc-b",
      OTEL_SERVICE_NAME: "svc-c",
    };
    expect(resolveConfig({ endpoint: "https://opt.example" }, { ...env }).tracesUrl).toBe("https://opt.example/v1/traces");
    expect(resolveConfig({}, { ...env }).tracesUrl).toBe("https://a.example/v1/traces");
    expect(resolveConfig({}, { OTLP_ENDPOINT: env.OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT }).tracesUrl).toBe(
      "https://b.example/v1/traces",
    );
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT }).tracesUrl).toBe("https://c.example/v1/traces");
    expect(resolveConfig({ serviceName: "opt" }, { ...env }).serviceName).toBe("opt");
    expect(resolveConfig({}, { ...env }).serviceName).toBe("svc-a");
    expect(resolveConfig({}, { SERVICE_NAME: "svc-b", OTEL_SERVICE_NAME: "svc-c" }).serviceName).toBe("svc-b");
    expect(resolveConfig({}, { OTEL_SERVICE_NAME: "svc-c" }).serviceName).toBe("svc-c");
  });

  it("keeps an endpoint that already ends in /v1/traces and adds it otherwise", () => {
    expect(tracesUrlFor("X", "http://h:4318")).toBe("http://h:4318/v1/traces");
    expect(tracesUrlFor("X", "http://h:4318/")).toBe("http://h:4318/v1/traces");
    expect(tracesUrlFor("X", "http://h:4318/v1/traces")).toBe("http://h:4318/v1/traces");
    expect(tracesUrlFor("X", "https://telemetry.example/prefix")).toBe("https://telemetry.example/prefix/v1/traces");
    // a query stays at the end
    expect(tracesUrlFor("X", "https://telemetry.example/otlp?tenant=abc")).toBe("https://telemetry.example/otlp/v1/traces?tenant=abc");
    expect(tracesUrlFor("X", "https://telemetry.example/otlp/v1/traces/?tenant=abc")).toBe("https://telemetry.example/otlp/v1/traces?tenant=abc");
  });

  it("sends the token as a bearer header from CATALYST_OTLP_TOKEN or the legacy OTLP_INGEST_TOKEN", () => {
    expect(resolveConfig({}, { CATALYST_OTLP_TOKEN: "t1" }).headers.Authorization).toBe("Bearer t1");
    expect(resolveConfig({}, { OTLP_INGEST_TOKEN: "t2" }).headers.Authorization).toBe("Bearer t2");
    expect(resolveConfig({ token: "t0" }, { OTLP_INGEST_TOKEN: "t2" }).headers.Authorization).toBe("Bearer t0");
  });

  it("reads environment, debug, disabled and batching", () => {
    const c = resolveConfig({}, { CATALYST_ENVIRONMENT: "staging", CATALYST_DEBUG: "1", CATALYST_BATCHING: "simple", CATALYST_SERVICE_VERSION: "1.2.3" });
    expect(c).toMatchObject({ environment: "staging", debug: true, batching: "simple", serviceVersion: "1.2.3", disabled: false });
    expect(resolveConfig({}, { CATALYST_DISABLED: "true" }).disabled).toBe(true);
    expect(resolveConfig({}, { OTEL_SDK_DISABLED: "true" }).disabled).toBe(true);
  });

  it("defaults the service name to the app's package.json name, else the script name", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfg-"));
    const argv1 = process.argv[1];
    try {
      fs.writeFileSync(path.join(dir, "app.js"), "");
      process.argv[1] = path.join(dir, "app.js");
      // no package.json anywhere above a tmp dir: the script name
      expect(resolveConfig({}, {}).serviceName).toBe("app");
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "my-agent", version: "3.1.4" }));
      const c = resolveConfig({}, {});
      expect(c.serviceName).toBe("my-agent");
      expect(c.serviceVersion).toBe("3.1.4");
    } finally {
      process.argv[1] = argv1!;
    }
  });
});

describe("OTLP protocol", () => {
  it("is protobuf by default; JSON when asked through our variable, OpenTelemetry's, or setup()", () => {
    expect(resolveConfig({}, {}).protocol).toBe("http/protobuf");
    expect(resolveConfig({}, { CATALYST_OTLP_PROTOCOL: "http/json" }).protocol).toBe("http/json");
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }).protocol).toBe("http/json");
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: " HTTP/JSON " }).protocol).toBe("http/json");
    expect(resolveConfig({ protocol: "http/json" }, { CATALYST_OTLP_PROTOCOL: "http/protobuf" }).protocol).toBe("http/json");
    expect(resolveConfig({}, { CATALYST_OTLP_PROTOCOL: "http/protobuf", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" }).protocol).toBe("http/protobuf");
  });

  it("reads export headers from OpenTelemetry's key=value lists (percent-decoded), under setup({ headers }) and the token", () => {
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example",
      OTEL_EXPORTER_OTLP_HEADERS: "api_key=abc%3D%3D123, x-team = ml ,authorization=Basic%20dXNlcjpwdw%3D%3D",
    };
    expect(resolveConfig({}, otel).headers).toEqual({ api_key: "abc==123", "x-team": "ml", authorization: "Basic dXNlcjpwdw==" });
    // the signal-specific variable, then the generic one; ours before both
    expect(resolveConfig({}, { ...otel, OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-a=1" }).headers).toEqual({ "x-a": "1" });
    expect(resolveConfig({}, { ...otel, CATALYST_OTLP_HEADERS: "x-b=2" }).headers).toEqual({ "x-b": "2" });
    expect(resolveConfig({ headers: { "x-team": "web" } }, otel).headers["x-team"]).toBe("web");
    // the token replaces any authorization header, whatever its case
    expect(resolveConfig({}, { ...otel, CATALYST_OTLP_TOKEN: "tok_12345678" }).headers).toEqual({
      api_key: "abc==123",
      "x-team": "ml",
      Authorization: "Bearer tok_12345678",
    });
  });

  it("never sends OpenTelemetry's headers (another vendor's key) to an endpoint given as ours", () => {
    const appOwnOtel = { OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io", OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=hc_key_123456" };
    expect(resolveConfig({}, { ...appOwnOtel, CATALYST_OTLP_ENDPOINT: "https://ours.example" }).headers).toEqual({});
    expect(resolveConfig({ endpoint: "https://ours.example" }, appOwnOtel).headers).toEqual({});
    expect(resolveConfig({}, { ...appOwnOtel, CATALYST_OTLP_ENDPOINT: "https://ours.example", CATALYST_OTLP_HEADERS: "x-k=1" }).headers).toEqual({ "x-k": "1" });
  });

  it("takes extra resource attributes and, when nothing more specific names them, the service identity from OTEL_RESOURCE_ATTRIBUTES", () => {
    const env = { OTEL_RESOURCE_ATTRIBUTES: "service.name=billing,service.version=2.1.0,deployment.environment.name=prod,k8s.pod.name=pod%2D7" };
    const c = resolveConfig({}, env);
    expect(c.serviceName).toBe("billing");
    expect(c.serviceVersion).toBe("2.1.0");
    expect(c.environment).toBe("prod");
    expect(c.resourceAttributes["k8s.pod.name"]).toBe("pod-7");
    const named = resolveConfig({ resourceAttributes: { team: "ml" } }, { ...env, OTEL_SERVICE_NAME: "billing-api", CATALYST_ENVIRONMENT: "staging" });
    expect(named.serviceName).toBe("billing-api");
    expect(named.environment).toBe("staging");
    expect(named.resourceAttributes.team).toBe("ml");
  });

  it("compresses with gzip when asked (ours, then OpenTelemetry's variables, or setup()); takes OpenTelemetry's export timeout", () => {
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: "https://collector.example" };
    expect(resolveConfig({}, {}).compression).toBe("none");
    expect(resolveConfig({}, { ...otel, OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }).compression).toBe("gzip");
    expect(resolveConfig({}, { ...otel, OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "none", OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }).compression).toBe("none");
    expect(resolveConfig({ compression: "gzip" }, { CATALYST_OTLP_COMPRESSION: "none" }).compression).toBe("gzip");
    expect(resolveConfig({}, { CATALYST_OTLP_COMPRESSION: "gzip" }).compression).toBe("gzip");
    // the app's own OTel exporter's setting, with an endpoint given as ours: not ours to follow
    expect(resolveConfig({}, { ...otel, CATALYST_OTLP_ENDPOINT: "https://ours.example", OTEL_EXPORTER_OTLP_COMPRESSION: "gzip" }).compression).toBe("none");
    expect(resolveConfig({}, { OTEL_EXPORTER_OTLP_TIMEOUT: "2500" }).exportTimeoutMillis).toBe(2500);
    expect(resolveConfig({}, { CATALYST_EXPORT_TIMEOUT_MS: "3000", OTEL_EXPORTER_OTLP_TIMEOUT: "2500" }).exportTimeoutMillis).toBe(3000);
  });
});

describe("bad values", () => {
  it.each([
    [{ CATALYST_OTLP_ENDPOINT: "not a url" }, /CATALYST_OTLP_ENDPOINT="not a url" is not a valid URL/],
    [{ CATALYST_OTLP_ENDPOINT: "ftp://host" }, /CATALYST_OTLP_ENDPOINT="ftp:\/\/host" must use http:\/\/ or https:\/\//],
    [{ CATALYST_BATCHING: "sometimes" }, /CATALYST_BATCHING="sometimes" is not a batching mode \(expected "batch" or "simple"\)/],
    [{ CATALYST_SHUTDOWN_TIMEOUT_MS: "soon" }, /CATALYST_SHUTDOWN_TIMEOUT_MS="soon" is not a number of milliseconds/],
    [{ CATALYST_DEBUG: "maybe" }, /CATALYST_DEBUG="maybe" is not a boolean/],
    [{ CATALYST_CONSOLE: "loud" }, /CATALYST_CONSOLE="loud" is not a console mode/],
    [{ CATALYST_OTLP_PROTOCOL: "thrift" }, /CATALYST_OTLP_PROTOCOL="thrift" is not an OTLP\/HTTP protocol \(expected "http\/protobuf" or "http\/json"\); using "http\/protobuf"/],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, /OTEL_EXPORTER_OTLP_PROTOCOL="grpc": gRPC is not supported; spans are sent as OTLP\/HTTP protobuf/],
    [{ CATALYST_OTLP_COMPRESSION: "zstd" }, /CATALYST_OTLP_COMPRESSION="zstd" is not an OTLP compression \(expected "gzip" or "none"\); sending uncompressed/],
    [{ CATALYST_OTLP_HEADERS: "x-ok=1,Bearer sk-secret-value-123,=v" }, /^(?![\s\S]*sk-secret)[\s\S]*CATALYST_OTLP_HEADERS: entries 2, 3 not in the form key=value; ignored \(the others are used\)/],
  ])("%o gives one clear warning and a safe fallback", (env, pattern) => {
    const { result, text } = captureStderr(() => resolveConfig({}, { ...env }));
    expect(text).toMatch(pattern);
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(result.batching).toBe("batch");
    expect(result.shutdownTimeoutMillis).toBe(5000);
    if ("CATALYST_OTLP_ENDPOINT" in env) expect(result.tracesUrl).toBeUndefined();
  });

  it("never throws on a bad option either", () => {
    const { result, text } = captureStderr(() => resolveConfig({ batching: "fast" as any, shutdownTimeoutMillis: Number.NaN }, {}));
    expect(result.batching).toBe("batch");
    expect(result.shutdownTimeoutMillis).toBe(5000);
    expect(text).toMatch(/setup\(\{ batching \}\)="fast"/);
  });

  it("never prints the token, even in a warning about the value it sits next to", () => {
    const { text } = captureStderr(() =>
      resolveConfig({}, { CATALYST_OTLP_TOKEN: "sk-supersecret-987", CATALYST_OTLP_ENDPOINT: "http://x:notaport sk-supersecret-987" }),
    );
    expect(text).toContain("***");
    expect(text).not.toContain("sk-supersecret-987");
  });
});

describe(".env", () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));
  it("fills variables that are not set, without overriding those that are", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dotenv-"));
    fs.writeFileSync(path.join(dir, ".env"), "CATALYST_SERVICE_NAME=from-dotenv\nCATALYST_ENVIRONMENT=from-dotenv\n");
    process.chdir(dir);
    const env: Record<string, string | undefined> = { CATALYST_ENVIRONMENT: "from-env" };
    const c = resolveConfig({}, env);
    expect(c.serviceName).toBe("from-dotenv");
    expect(c.environment).toBe("from-env");
  });
});
