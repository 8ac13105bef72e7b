import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, node, run } from "../helpers/run";

const app = path.join(FIXTURES, "apps/core/manual-agent.mjs");

describe("the local default (no endpoint configured)", () => {
  it("prints each finished trace as a tree on stderr and says once where traces go", async () => {
    const r = await node([app], { env: { FAIL_TOOL: "1" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Order ABC-123 is shipped.\n");
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => l.includes("traces →"))).toHaveLength(1);
    expect(r.stderr).toMatch(/traces → stderr as trace trees \(set CATALYST_OTLP_ENDPOINT to send them to a collector\)/);
    expect(r.stderr).toMatch(/◆ trace [0-9a-f]{16} · \d+(\.\d+)?m?s · 4 spans · 1 LLM call · 155 tokens/);
    expect(r.stderr).toMatch(/^AGENT\s+Support Agent\s+.*agent\.id=support-agent\s+session=conv-42$/m);
    expect(r.stderr).toMatch(/^├─ TOOL\s+lookup_order\s+\S+$/m);
    // gpt-4o-mini: 120 × $0.15/M + 35 × $0.60/M
    expect(r.stderr).toMatch(/^├─ LLM\s+openai\.chat\s+\S+\s+gpt-4o-mini\s+tokens 120→35 \(155\)\s+\$0\.000039$/m);
    expect(r.stderr).toMatch(/^└─ TOOL\s+refund\s+\S+\s+tool=issue_refund\s+✗ refund service unavailable$/m);
    // not a terminal: no colour codes
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it("prints a run cut short by process.exit() with its reason (the open span is ended at exit)", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/exit-mid-agent.mjs")]);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe("exiting mid-run\n");
    expect(r.stderr).toMatch(/^AGENT\s+Exit Agent\s+.*agent\.id=exit-agent\s+⚠ cut short \(process exit\)$/m);
  });

  it("appends every span as one JSON line to CATALYST_TRACES_FILE", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sink-")), "nested/traces.jsonl");
    const r = await node([app], { env: { CATALYST_TRACES_FILE: file } });
    expect(r.code).toBe(0);
    const records = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    const agent = records.find((x) => x.name === "Support Agent");
    expect(agent.attributes["agent.id"]).toBe("support-agent");
    expect(records.filter((x) => x.parentSpanId === agent.spanId)).toHaveLength(2);
    expect(agent.resource["service.name"]).toBe("core-fixture-app");
    expect(r.stderr).toMatch(/traces → stderr as trace trees and the file .*traces\.jsonl \(set CATALYST_OTLP_ENDPOINT/);
    // prompts and answers: for the user's eyes only
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  });

  it("starts a tree on a fresh line when the app left its line open on the same terminal", async () => {
    const app = path.join(FIXTURES, "apps/core/partial-line.mjs");
    // a pseudo-terminal for stdout and stderr alike, as in an interactive shell
    const r = await run("script", ["-qec", `${JSON.stringify(process.execPath)} ${JSON.stringify(app)}`, "/dev/null"], { env: { NO_COLOR: "1" } });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/The weather in Paris\.\r?\n◆ trace [0-9a-f]{16}/);
    expect(r.stdout).toMatch(/AGENT {2}Weather Agent/);
    // stdout piped elsewhere: only stderr's own line counts, and the app wrote nothing there
    const piped = await node([app]);
    expect(piped.stdout).toBe("The weather in Paris. Bye.\n");
    expect(piped.stderr).toMatch(/^\[@inference\/tracing\] traces → [^\n]*\n◆ trace/);
  });

  it("starts a tree on a fresh line when the app's last write to stderr left the line open", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/partial-line.mjs")], { env: { STREAM: "stderr" } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/The weather in Paris\.\n◆ trace [0-9a-f]{16}/);
    expect(r.stderr).toMatch(/ Bye\.\n$/);
  });

  it("stays quiet in production: one start line, no trees", async () => {
    const r = await node([app], { env: { NODE_ENV: "production" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Order ABC-123 is shipped.\n");
    expect(r.stderr.trim().split("\n")).toEqual([
      "[@inference/tracing] traces → nowhere: no endpoint is in use and console printing is off (set CATALYST_OTLP_ENDPOINT to send them to a collector, or CATALYST_TRACES_FILE to keep them in a file)",
    ]);
  });

  it("rate-limits trees so a busy service cannot flood its logs", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/many-traces.cjs"), "60"]);
    expect(r.code).toBe(0);
    expect((r.stderr.match(/^◆ trace/gm) ?? []).length).toBe(20);
    expect(r.stderr).toMatch(/… 40 more trace\(s\) not printed/);
  });

  it("prints one line per trace with CATALYST_CONSOLE=summary", async () => {
    const r = await node([path.join(FIXTURES, "apps/core/many-traces.cjs"), "3"], { env: { CATALYST_CONSOLE: "summary" } });
    expect((r.stderr.match(/^◆ trace/gm) ?? []).length).toBe(3);
    expect(r.stderr).not.toMatch(/AGENT/);
    expect(r.stderr).toMatch(/^\[@inference\/tracing\] traces → stderr, one line per trace \(/m);
  });
});

describe("the start line says where traces go, once, in the app's process", () => {
  const lines = (stderr: string) => stderr.split("\n").filter((l) => l.includes("traces →"));

  it("names the file when console printing is off", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sink-")), "imp.jsonl");
    const r = await node([app], { env: { CATALYST_TRACES_FILE: file, CATALYST_CONSOLE: "off" } });
    expect(lines(r.stderr)).toEqual([`[@inference/tracing] traces → the file ${file} (console printing is off; set CATALYST_OTLP_ENDPOINT to send them to a collector)`]);
  });

  it("does not claim no endpoint is set right after warning that the one set is invalid", async () => {
    const r = await node([app], { env: { CATALYST_OTLP_ENDPOINT: "not a url" } });
    expect(r.stderr).toMatch(/CATALYST_OTLP_ENDPOINT="not a url" is not a valid URL/);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/no CATALYST_OTLP_ENDPOINT/);
  });

  it("names the endpoint, without credentials in its userinfo or query", async () => {
    const r = await node([app], { env: { CATALYST_OTLP_ENDPOINT: "http://user:s3cret@127.0.0.1:9/otlp?api_key=k3y", CATALYST_EXPORT_TIMEOUT_MS: "200", CATALYST_SHUTDOWN_TIMEOUT_MS: "300" } });
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^\[@inference\/tracing\] traces → http:\/\/127\.0\.0\.1:9\/otlp\S*\?… \(OTLP\/HTTP\)$/)]);
    expect(lines(r.stderr)[0]).not.toMatch(/s3cret|k3y|user/);
  });

  it("prints it in the app's process only, not in npm's own under NODE_OPTIONS", async () => {
    const r = await run("npm", ["start", "--silent"], { cwd: path.join(FIXTURES, "apps/npm-start"), env: { NODE_OPTIONS: "--import @inference/tracing/register" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("started");
    expect(lines(r.stderr)).toHaveLength(1);
  });
});
