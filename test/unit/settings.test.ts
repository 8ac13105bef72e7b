/**
 * config.ts is the one door for settings: every variable in its table is documented in the
 * README's configuration table, every CATALYST_* variable the README documents is in the table
 * (or named here as read before our code loads), and bad values of every kind warn once and fall back.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS, resolveConfig, settingFromEnv } from "../../src/config";

const ROOT = path.resolve(__dirname, "../..");
const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
/** Read by the doors before our code loads (src/boot/code-cache.ts), so not in the table. */
const READ_BEFORE_CONFIG = ["CATALYST_CODE_CACHE", "CATALYST_CODE_CACHE_DIR"];

function captureStderr<T>(fn: () => T): { result: T; text: string } {
  const original = process.stderr.write.bind(process.stderr);
  let text = "";
  (process.stderr as any).write = (chunk: any) => {
    text += String(chunk);
    return true;
  };
  try {
    return { result: fn(), text };
  } finally {
    (process.stderr as any).write = original;
  }
}

describe("the settings table", () => {
  const tableEnv = new Set(Object.values(SETTINGS).flatMap((s) => [...s.env]));

  it("documents every variable it reads in the README", () => {
    const privacyFamily = /^(CATALYST|OPENINFERENCE)_HIDE_/;
    for (const name of tableEnv) {
      if (privacyFamily.test(name)) continue; // documented as the CATALYST_HIDE_* (OPENINFERENCE_HIDE_*) family
      expect(new RegExp(`\`${name}[\`=]`).test(readme), `${name} is read but not documented in the README`).toBe(true);
    }
    expect(readme).toContain("`CATALYST_HIDE_*` (`OPENINFERENCE_HIDE_*`)");
  });

  it("reads every CATALYST_* variable the README documents", () => {
    const documented = new Set([...readme.matchAll(/`(CATALYST_[A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((n) => !n.endsWith("_")));
    for (const name of documented) {
      // CATALYST_TEST_* steer our own test harness, not the agent
      if (READ_BEFORE_CONFIG.includes(name) || name === "CATALYST_HIDE_" || name.startsWith("CATALYST_TEST_")) continue;
      expect(tableEnv.has(name), `${name} is documented but read nowhere in the settings table`).toBe(true);
    }
  });

  it("gives integrations their options through the table", () => {
    const c = resolveConfig({}, { CATALYST_OPENAI_INCLUDE_USAGE: "1", CATALYST_RECORD_EMBEDDING_VECTORS: "true" });
    expect(c.openaiIncludeUsage).toBe(true);
    expect(c.recordEmbeddingVectors).toBe(true);
    // OpenInference's way to say "keep the vectors"
    expect(resolveConfig({}, { OPENINFERENCE_HIDE_EMBEDDING_VECTORS: "false" }).recordEmbeddingVectors).toBe(true);
    expect(resolveConfig({}, {}).recordEmbeddingVectors).toBe(false);
    expect(settingFromEnv("esmMode", { CATALYST_ESM_MODE: "eager" })).toBe("eager");
    expect(settingFromEnv("workers", { CATALYST_WORKERS: "on" })).toBe(true);
  });
});

describe("bad setup() options warn and fall back, never throw", () => {
  it.each([
    [{ console: 1 }, /setup\(\{ console \}\)="1" is not a console mode/, (c: any) => expect(c.console).toBe("tree")],
    [{ instrumentations: 5 }, /setup\(\{ instrumentations \}\)="5" is not a list of integration names/, (c: any) => expect(c.instrumentations).toBeUndefined()],
    [{ disabledInstrumentations: {} }, /setup\(\{ disabledInstrumentations \}\)="\{\}" is not a list/, (c: any) => expect(c.disabledInstrumentations).toBeUndefined()],
    [{ tracesFile: 1 }, /setup\(\{ tracesFile \}\)="1" is not a file path; ignored/, (c: any) => expect(c.tracesFile).toBeUndefined()],
    [{ shutdownTimeoutMillis: 2 ** 31 }, /setup\(\{ shutdownTimeoutMillis \}\)="2147483648" is more than a timer can wait; using 2147483647/, (c: any) => expect(c.shutdownTimeoutMillis).toBe(2 ** 31 - 1)],
    [{ exportTimeoutMillis: 1e12 }, /is more than a timer can wait/, (c: any) => expect(c.exportTimeoutMillis).toBe(2 ** 31 - 1)],
    [{ privacy: { hideInputs: "yes please" } }, /setup\(\{ privacy: \{ hideInputs \} \}\)="yes please" is not a boolean/, (c: any) => expect(c.privacy.hideInputs).toBe(false)],
    [{ scrub: "redact" }, /setup\(\{ scrub \}\)="redact" is not a function .*; ignored\./, (c: any) => expect(c.scrub).toBeUndefined()],
    [{ token: 12345678 }, /setup\(\{ token \}\)="\*\*\*" is not a text/, (c: any) => expect(c.token).toBeUndefined()],
  ] as const)("%o", (options, pattern, check) => {
    const { result, text } = captureStderr(() => resolveConfig(options as any, {}));
    expect(text).toMatch(pattern);
    expect(text.trim().split("\n")).toHaveLength(1);
    check(result);
  });

  it("takes a single integration name as a one-item list", () => {
    const { result, text } = captureStderr(() => resolveConfig({ instrumentations: "openai" as any }, {}));
    expect(result.instrumentations).toEqual(["openai"]);
    expect(text).toBe("");
  });

  it("clamps timer settings from the environment too", () => {
    const { result, text } = captureStderr(() => resolveConfig({}, { CATALYST_SHUTDOWN_TIMEOUT_MS: "99999999999" }));
    expect(result.shutdownTimeoutMillis).toBe(2 ** 31 - 1);
    expect(text).toMatch(/CATALYST_SHUTDOWN_TIMEOUT_MS="99999999999" is more than a timer can wait/);
  });

  it("in production the console default stays off after a bad value", () => {
    const { result, text } = captureStderr(() => resolveConfig({}, { NODE_ENV: "production", CATALYST_CONSOLE: "loud" }));
    expect(result.console).toBe("off");
    expect(text).toMatch(/using "off"/);
  });
});

describe("integration names", () => {
  it("a name that matches no integration is reported once, with the names that would", async () => {
    const { Instrumenter } = await import("../../src/hooks/instrumenter");
    const { INTEGRATIONS } = await import("../../src/integrations/registry");
    const config = resolveConfig({ instrumentations: ["opneai", "anthropic"], disabledInstrumentations: ["@langchain/core"] }, {});
    const { text } = captureStderr(() => new Instrumenter(INTEGRATIONS, () => undefined as never, config));
    expect(text.trim().split("\n")).toHaveLength(1);
    expect(text).toMatch(/instrumentations: "opneai" names no integration \(expected keys such as openai, anthropic/);
  });
});
