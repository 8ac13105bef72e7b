/**
 * README "Send to your backend": each backend's `sh` block, run by sh as written (placeholders filled
 * in, the host pointed here), configures a real traced app whose spans must be accepted by a local
 * stand-in that enforces that backend's documented ingestion rules (path, auth header form, encodings,
 * compression) and answers 404 / 401 / 415 otherwise. README and test cannot drift: the settings are
 * read from the README itself.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, ROOT, node } from "../helpers/run";
import type { ReceivedSpan } from "../helpers/spans";
// @ts-expect-error plain ESM fixture without types
import { decodeBody } from "../../fixtures/otlp-receiver.mjs";

const PROTOBUF = "application/x-protobuf";
const JSON_TYPE = "application/json";
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

interface Rules {
  /** Request paths the backend takes (traces, and metrics where it takes them). */
  paths: string[];
  /** Whether the request carries the backend's credentials in its documented form. */
  authorized: (headers: http.IncomingHttpHeaders) => boolean;
  contentTypes: string[];
  /** Content-Encoding values taken ("identity": none). */
  encodings: string[];
}

interface Backend {
  /** The README's `###` heading. */
  heading: string;
  /** Test values for the placeholders in the README's block. */
  placeholders: Record<string, string>;
  rules: Rules;
}

/** The OpenTelemetry Collector's OTLP/HTTP receiver (also inside the Datadog Agent, Alloy and Tempo). */
const OTLP_RECEIVER: Rules = {
  paths: ["/v1/traces", "/v1/metrics"],
  authorized: () => true,
  contentTypes: [PROTOBUF, JSON_TYPE],
  encodings: ["identity", "gzip"],
};

// Only what each backend's docs (or, for Phoenix, its handler's source) say it takes.
const BACKENDS: Backend[] = [
  { heading: "OpenTelemetry Collector", placeholders: {}, rules: OTLP_RECEIVER },
  {
    heading: "Arize Phoenix",
    placeholders: { "<phoenix-api-key>": "phx-key-0123456789" },
    rules: {
      paths: ["/v1/traces"],
      authorized: (h) => h.authorization === "Bearer phx-key-0123456789",
      contentTypes: [PROTOBUF],
      encodings: ["identity", "gzip", "deflate"],
    },
  },
  {
    heading: "Langfuse",
    // keys as long as real ones: their base64 is longer than the 76 columns `base64` wraps at
    placeholders: { "<public-key>": "pk-lf-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "<secret-key>": "sk-lf-9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f" },
    rules: {
      paths: ["/api/public/otel/v1/traces"],
      authorized: (h) => h.authorization === basic("pk-lf-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "sk-lf-9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f"),
      contentTypes: [PROTOBUF, JSON_TYPE],
      encodings: ["identity", "gzip"],
    },
  },
  { heading: "Datadog", placeholders: {}, rules: OTLP_RECEIVER },
  {
    heading: "Grafana (Alloy, Tempo, Grafana Cloud)",
    placeholders: { "<instance-id>": "1234567", "<access-policy-token>": "glc_eyJvIjoiMTIzIn0=" },
    rules: {
      paths: ["/otlp/v1/traces", "/otlp/v1/metrics"],
      authorized: (h) => h.authorization === basic("1234567", "glc_eyJvIjoiMTIzIn0="),
      contentTypes: [PROTOBUF],
      encodings: ["identity"],
    },
  },
  {
    heading: "Honeycomb",
    placeholders: { "<api-key>": "hcaik_0123456789" },
    rules: {
      paths: ["/v1/traces", "/v1/metrics"],
      authorized: (h) => h["x-honeycomb-team"] === "hcaik_0123456789",
      contentTypes: [PROTOBUF, JSON_TYPE],
      encodings: ["identity"],
    },
  },
  {
    heading: "Sentry",
    placeholders: { "<org-id>": "4504765715316736", "<project-id>": "4505281256090153", "<public-key>": "a785682ddda719b7a8a4011110d75598" },
    rules: {
      paths: ["/api/4505281256090153/integration/otlp/v1/traces"],
      authorized: (h) => h["x-sentry-auth"] === "sentry sentry_key=a785682ddda719b7a8a4011110d75598",
      contentTypes: [PROTOBUF],
      encodings: ["identity"],
    },
  },
];

/** The `sh` block of each `###` subsection of the README's "Send to your backend". */
function readmeBlocks(): Map<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## Send to your backend\n/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README has no "## Send to your backend" section');
  const blocks = new Map<string, string>();
  for (const part of section.split(/^### /m).slice(1)) {
    const heading = part.slice(0, part.indexOf("\n")).trim();
    const block = /```sh\n([\s\S]*?)```/.exec(part)?.[1];
    if (block) blocks.set(heading, block);
  }
  return blocks;
}

/** The variables a README block sets, as sh sets them (its `$(…)` run), with the placeholders filled in. */
function settingsFrom(block: string, placeholders: Record<string, string>): Record<string, string> {
  let script = block;
  for (const [name, value] of Object.entries(placeholders)) script = script.split(name).join(value);
  const unknown = script.match(/<[a-z-]+>/g);
  if (unknown) throw new Error(`README block has placeholders this test does not know: ${unknown.join(", ")}`);
  const out = execFileSync("sh", ["-c", `${script}\nenv -0`], { env: { PATH: process.env.PATH }, encoding: "utf8" });
  const settings: Record<string, string> = {};
  for (const entry of out.split("\0")) {
    const eq = entry.indexOf("=");
    if (/^(CATALYST_|OTEL_)/.test(entry)) settings[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return settings;
}

const ENDPOINT_VARIABLES = ["CATALYST_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

/** The same settings with the backend's host replaced by the stand-in's (path, query, credentials kept). */
function pointedAt(settings: Record<string, string>, origin: string, changePath: (p: string) => string = (p) => p): Record<string, string> {
  const out = { ...settings };
  for (const name of ENDPOINT_VARIABLES) {
    if (!out[name]) continue;
    const url = new URL(out[name]!);
    const target = new URL(origin);
    url.protocol = target.protocol;
    url.host = target.host;
    url.pathname = changePath(url.pathname);
    out[name] = url.href;
  }
  return out;
}

interface StandIn {
  origin: string;
  rules: Rules;
  spans: ReceivedSpan[];
  requests: { path: string; status: number }[];
  close(): Promise<void>;
}

/** A local server that takes what the backend takes and refuses the rest as the backend would. */
async function startStandIn(rules: Rules): Promise<StandIn> {
  const spans: ReceivedSpan[] = [];
  const requests: StandIn["requests"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const pathname = new URL(req.url ?? "/", "http://stand-in").pathname;
      const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      const encoding = req.headers["content-encoding"] ?? "identity";
      const status =
        req.method !== "POST" || !rules.paths.includes(pathname) ? 404
        : !rules.authorized(req.headers) ? 401
        : !rules.contentTypes.includes(contentType) || !rules.encodings.includes(encoding) ? 415
        : 200;
      requests.push({ path: pathname, status });
      if (status === 200 && pathname.endsWith("/v1/traces")) {
        const body = Buffer.concat(chunks);
        const raw = encoding === "gzip" ? zlib.gunzipSync(body) : encoding === "deflate" ? zlib.inflateSync(body) : body;
        spans.push(...(decodeBody(raw, contentType) as ReceivedSpan[]));
      }
      res.writeHead(status, { "content-type": contentType === JSON_TYPE ? JSON_TYPE : PROTOBUF }).end(contentType === JSON_TYPE ? "{}" : "");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as import("node:net").AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    rules,
    spans,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A small traced app (an agent, a tool and a model call through the library API), configured by `settings` only. */
const runApp = (settings: Record<string, string>) => node([path.join(FIXTURES, "apps/core/manual-agent.mjs")], { env: settings });

const blocks = readmeBlocks();
const standIns = new Map<string, StandIn>();
beforeAll(async () => {
  for (const b of BACKENDS) standIns.set(b.heading, await startStandIn(b.rules));
});
afterAll(async () => {
  for (const s of standIns.values()) await s.close();
});

function setUp(backend: Backend) {
  const standIn = standIns.get(backend.heading)!;
  standIn.spans.length = 0;
  standIn.requests.length = 0;
  return { standIn, settings: settingsFrom(blocks.get(backend.heading)!, backend.placeholders) };
}

describe("README: Send to your backend", () => {
  it("has exactly one settings block per backend checked here", () => {
    expect([...blocks.keys()].sort()).toEqual(BACKENDS.map((b) => b.heading).sort());
  });

  describe.each(BACKENDS)("$heading", (backend) => {
    it("the README's settings get every span accepted", async () => {
      const { standIn, settings } = setUp(backend);
      const r = await runApp(pointedAt(settings, standIn.origin));
      expect(r.code, r.stderr).toBe(0);
      expect(standIn.requests.length).toBeGreaterThan(0);
      expect(standIn.requests.filter((q) => q.status !== 200), r.stderr).toEqual([]);
      // the agent, its tool and its model call
      expect(standIn.spans).toHaveLength(3);
      // the conventions the README recommends are the ones that arrive
      const semconv = settings.CATALYST_SEMCONV ?? "openinference";
      const llm = standIn.spans.find((s) => /gpt-4o-mini/.test(String(s.attributes["llm.model_name"] ?? s.attributes["gen_ai.request.model"])))!;
      expect("openinference.span.kind" in llm.attributes).toBe(semconv !== "gen_ai");
      expect("gen_ai.operation.name" in llm.attributes).toBe(semconv !== "openinference");
    });

    it("a wrong path is refused (404) and the app is unaffected", async () => {
      const { standIn, settings } = setUp(backend);
      const r = await runApp(pointedAt(settings, standIn.origin, (p) => `/otel${p}`));
      expect(r.code).toBe(0);
      expect(standIn.requests.length).toBeGreaterThan(0);
      expect(standIn.requests.every((q) => q.status === 404)).toBe(true);
      expect(standIn.spans).toEqual([]);
    });

    it.runIf(Object.keys(backend.placeholders).length > 0)("missing or wrong credentials are refused (401)", async () => {
      const { standIn, settings } = setUp(backend);
      const { CATALYST_OTLP_HEADERS: _h, CATALYST_OTLP_TOKEN: _t, ...withoutCredentials } = settings;
      const wrongKeys = Object.fromEntries(Object.entries(backend.placeholders).filter(([k]) => !/id>$/.test(k)).map(([k, v]) => [k, `${v}-wrong`]));
      const withWrongKeys = settingsFrom(blocks.get(backend.heading)!, { ...backend.placeholders, ...wrongKeys });
      for (const s of [withoutCredentials, withWrongKeys]) {
        const r = await runApp(pointedAt(s, standIn.origin));
        expect(r.code).toBe(0);
      }
      expect(standIn.requests.length).toBeGreaterThanOrEqual(2);
      expect(standIn.requests.every((q) => q.status === 401)).toBe(true);
      expect(standIn.spans).toEqual([]);
    });
  });

  it("Langfuse refuses its keys sent as a bearer token instead of Basic auth", async () => {
    const langfuse = BACKENDS.find((b) => b.heading === "Langfuse")!;
    const { standIn, settings } = setUp(langfuse);
    const { CATALYST_OTLP_HEADERS: _h, ...rest } = settings;
    const r = await runApp(pointedAt({ ...rest, CATALYST_OTLP_TOKEN: "sk-lf-9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f" }, standIn.origin));
    expect(r.code).toBe(0);
    expect(standIn.requests.map((q) => q.status)).toContain(401);
    expect(standIn.spans).toEqual([]);
  });

  it("Phoenix refuses OTLP/JSON (415): protobuf, the default, is what it takes", async () => {
    const phoenix = BACKENDS.find((b) => b.heading === "Arize Phoenix")!;
    const { standIn, settings } = setUp(phoenix);
    const r = await runApp(pointedAt({ ...settings, CATALYST_OTLP_PROTOCOL: "http/json" }, standIn.origin));
    expect(r.code).toBe(0);
    expect(standIn.requests.map((q) => q.status)).toContain(415);
    expect(standIn.spans).toEqual([]);
  });
});
