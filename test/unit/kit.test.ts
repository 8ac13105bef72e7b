/** The integration kit's plumbing: one way to wrap, one patched mark, one truncation. */
import { describe, expect, it } from "vitest";
import { isPatched, markPatched, originalOf, wrapFunction, wrapMethod } from "../../src/integrations/kit/wrap";
import { truncateText } from "../../src/util/truncate";
import { providerFromBaseURL } from "../../src/integrations/kit/provider";

describe("wrapMethod", () => {
  it("wraps once, keeps name, length and the property's flags, and says the method is ours either way", () => {
    class Resource {
      create(a: number, b: number) {
        return a + b;
      }
    }
    const calls: number[] = [];
    const make = (orig: (...a: any[]) => any) =>
      function (this: unknown, ...args: any[]) {
        calls.push(args[0]);
        return orig.apply(this, args);
      };
    expect(wrapMethod(Resource.prototype, "create", make)).toBe(true);
    const wrapped = Resource.prototype.create;
    expect(wrapMethod(Resource.prototype, "create", make)).toBe(true);
    expect(Resource.prototype.create).toBe(wrapped);
    expect(wrapped.name).toBe("create");
    expect(wrapped.length).toBe(2);
    expect(Object.getOwnPropertyDescriptor(Resource.prototype, "create")!.enumerable).toBe(false);
    expect(new Resource().create(2, 3)).toBe(5);
    expect(calls).toEqual([2]);
    expect(originalOf(wrapped)).toBeTypeOf("function");
    expect(wrapMethod(Resource.prototype, "missing", make)).toBe(false);
    expect(wrapMethod(undefined, "create", make)).toBe(false);
  });

  it("wrapFunction and markPatched mark what they touched", () => {
    const f = function named(_x: unknown) {};
    const w = wrapFunction(f, (o) => (...a: any[]) => o(...a));
    expect(w.name).toBe("named");
    expect(originalOf(w)).toBe(f);
    expect(originalOf(f)).toBeUndefined();
    const target = {};
    expect(isPatched(target)).toBe(false);
    expect(markPatched(target)).toBe(true);
    expect(markPatched(target)).toBe(false);
    expect(isPatched(target)).toBe(true);
  });
});

describe("truncateText", () => {
  it("keeps short text, cuts long text within the limit with the marker, never splits a surrogate pair or a data URL", () => {
    expect(truncateText("short", 100)).toBe("short");
    const cut = truncateText("x".repeat(1000), 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).toMatch(/…\[truncated \d+ chars\]$/);
    const emoji = "😀".repeat(200);
    const e = truncateText(emoji, 101);
    expect(e.replace(/…\[truncated \d+ chars\]$/, "")).toMatch(/^(😀)*$/u);
    expect(truncateText(`data:image/png;base64,${"A".repeat(500)}`, 100)).toBe("[base64 image/png omitted: 522 chars]");
  });
});

describe("providerFromBaseURL", () => {
  it("names known API hosts by OpenInference's provider names and others by their host", () => {
    expect(providerFromBaseURL("https://api.openai.com/v1", "openai")).toBe("openai");
    expect(providerFromBaseURL("https://x.openai.azure.com/", "openai")).toBe("azure");
    expect(providerFromBaseURL("https://bedrock-runtime.us-east-1.amazonaws.com", "x")).toBe("aws");
    expect(providerFromBaseURL("http://localhost:11434/v1", "openai")).toBe("localhost");
    expect(providerFromBaseURL(undefined, "openai")).toBe("openai");
    expect(providerFromBaseURL("not a url", "openai")).toBe("openai");
  });
});
