/**
 * Streamed OpenAI calls that end without usage get token counts from a real tokenizer, marked
 * estimated, priced, and shown with "≈"; the tokenizer loads at export time on a worker thread, never on the app's;
 * CATALYST_OPENAI_INCLUDE_USAGE=1 still gives the provider's exact counts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeChat } from "gpt-tokenizer/model/gpt-4o";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { FIXTURES, node } from "../helpers/run";
import { startOpenAIMock, type OpenAIMock } from "../cli/helpers";

const APP = path.join(FIXTURES, "apps/openai-stream/app.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "token-estimate-"));
const MESSAGES = [
  { role: "system", content: "You are a weather assistant. Answer in one sentence." },
  { role: "user", content: "What is the weather in Paris today?" },
] as const;
let mock: OpenAIMock;

beforeAll(async () => {
  mock = await startOpenAIMock();
});
afterAll(async () => {
  await mock.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function runApp(env: Record<string, string> = {}) {
  const file = path.join(tmp, `spans-${Math.random().toString(36).slice(2)}.jsonl`);
  const r = await node(["--import", "@inference/tracing/register", APP], { env: { OPENAI_BASE_URL: mock.baseURL, CATALYST_TRACES_FILE: file, NO_COLOR: "1", ...env } });
  expect(r.code, r.stderr).toBe(0);
  const spans = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { attributes: Record<string, unknown> });
  const [plain, streamed] = spans.filter((s) => s.attributes["openinference.span.kind"] === "LLM");
  return { r, plain: plain!.attributes, streamed: streamed!.attributes };
}

describe("a streamed OpenAI call without usage", () => {
  it("gets prompt and completion tokens from the o200k tokenizer, marked estimated and priced", async () => {
    const { r, plain, streamed } = await runApp();
    expect(streamed["llm.streaming"]).toBe(true);
    const answer = /^answer: (.*)$/m.exec(r.stdout)![1]!;
    // the oracle: gpt-tokenizer's own chat encoding for gpt-4o (messages, per-message tokens, reply priming)
    expect(streamed["llm.token_count.prompt"]).toBe(encodeChat(MESSAGES as never, "gpt-4o").length);
    expect(streamed["llm.token_count.completion"]).toBe(countTokens(answer));
    expect(streamed["llm.token_count.total"]).toBe((streamed["llm.token_count.prompt"] as number) + (streamed["llm.token_count.completion"] as number));
    expect(streamed["llm.token_count.estimated"]).toBe(true);
    // gpt-4o-mini: $0.15 per million prompt tokens, $0.60 per million completion tokens
    const cost = ((streamed["llm.token_count.prompt"] as number) * 0.15 + (streamed["llm.token_count.completion"] as number) * 0.6) / 1e6;
    expect(streamed["llm.cost.total"]).toBeCloseTo(cost, 12);
    // the plain call had the provider's usage: exact, not marked
    expect(plain["llm.token_count.estimated"]).toBeUndefined();
    expect(plain["llm.token_count.prompt"]).toBeGreaterThan(0);
    // the console tree marks the estimate
    expect(r.stderr).toMatch(/LLM\s+OpenAI Chat Completions\s+\S+\s+gpt-4o-mini\S*\s+tokens ≈\d+→\d+ \(\d+\)\s+≈\$0\.\d+/);
    expect(r.stderr).toMatch(/^◆ trace [0-9a-f]{16} · .* · ≈\d+ tokens · ≈\$/m);
  });

  it("never loads the tokenizer on the app's thread (it counts on a worker thread), nor at start-up", async () => {
    const { r, streamed } = await runApp();
    expect(r.stdout).toContain("after the plain call: tokenizer loaded false");
    expect(streamed["llm.token_count.estimated"]).toBe(true);
    expect(r.stdout).toContain("after the stream: tokenizer loaded false");
  });

  it("keeps the provider's exact counts with CATALYST_OPENAI_INCLUDE_USAGE=1", async () => {
    const { streamed } = await runApp({ CATALYST_OPENAI_INCLUDE_USAGE: "1" });
    expect(streamed["llm.token_count.estimated"]).toBeUndefined();
    expect(streamed["llm.token_count.prompt"]).toBeGreaterThan(0);
  });
});
