/**
 * The token counts of the tokenizer worker are remembered per text: the calls of one conversation
 * send its system prompt and earlier messages again, and those are not counted again. The counts
 * are the tokenizer's own either way. (The worker is the built one: dist/transforms/tokenizer-worker.js.)
 */
import { describe, expect, it } from "vitest";
import { countTokens as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { countTokens, tokenizerStats } from "../../src/transforms/tokenizer-client";

const system = "You are a careful assistant for a travel agency. Answer in two sentences, cite prices in euros, and never invent opening hours. ".repeat(20);

describe("token counts across the calls of a conversation", () => {
  it("counts a text once; later calls take its count from the cache and count only what is new", async () => {
    const first = ["system", system, "user", "Is the Louvre open on Tuesdays?"];
    const before = { ...tokenizerStats };
    const a = await countTokens("o200k_base", first);
    expect(a).toEqual(first.map((t) => o200k(t)));
    expect(tokenizerStats.counted - before.counted).toBe(4);

    const second = ["system", system, "user", "Is the Louvre open on Tuesdays?", "assistant", "No, it is closed on Tuesdays.", "And on Mondays?"];
    const b = await countTokens("o200k_base", second);
    expect(b).toEqual(second.map((t) => o200k(t)));
    // "assistant", the answer and the new question are new
    expect(tokenizerStats.counted - before.counted).toBe(7);
    expect(tokenizerStats.fromCache - before.fromCache).toBe(4);
  });

  it("keeps families apart: a text counted for o200k_base is counted again for cl100k_base", async () => {
    const before = tokenizerStats.counted;
    await countTokens("o200k_base", [system]);
    const [cl] = (await countTokens("cl100k_base", [system]))!;
    expect(tokenizerStats.counted - before).toBe(1);
    const { countTokens: cl100k } = await import("gpt-tokenizer/encoding/cl100k_base");
    expect(cl).toBe(cl100k(system));
  });
});
