/** Runs that never end (a crashed chain, an abandoned stream) do not leak: the run registry is bounded in size and age. */
import { describe, expect, it } from "vitest";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createHandlerMethods, registry, UNFINISHED_ATTR } from "../../src/integrations/langchain/handler";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const handlerMethods = createHandlerMethods({ tracer: provider.getTracer("t") });

describe("LangChain run registry", () => {
  it("keeps at most maxRuns open runs, ending the oldest as unfinished", () => {
    registry.limits = { maxRuns: 50, ttlMs: 60_000 };
    for (let i = 0; i < 1000; i++) handlerMethods.handleChainStart({ id: ["x", "Chain"] }, { i }, `run-${i}`);
    expect(registry.size).toBeLessThanOrEqual(50);
    const ended = exporter.getFinishedSpans();
    expect(ended.length).toBeGreaterThanOrEqual(950);
    expect(ended.every((s) => s.attributes[UNFINISHED_ATTR] === true)).toBe(true);
    // the newest runs are still open and end normally
    handlerMethods.handleChainEnd({ output: "ok" }, "run-999");
    const last = exporter.getFinishedSpans().at(-1)!;
    expect(last.attributes["output.value"]).toBe("ok");
    expect(last.attributes[UNFINISHED_ATTR]).toBeUndefined();
  });

  it("ends runs older than the TTL when new runs start", async () => {
    exporter.reset();
    registry.limits = { maxRuns: 10_000, ttlMs: 20 };
    registry.sweep(Date.now() + 1_000_000); // clear what the previous test left
    exporter.reset();
    handlerMethods.handleChainStart({ id: ["x", "Old"] }, {}, "old-run");
    await new Promise((r) => setTimeout(r, 40));
    handlerMethods.handleChainStart({ id: ["x", "New"] }, {}, "new-run");
    expect(registry.get("old-run")).toBeUndefined();
    expect(registry.get("new-run")).toBeDefined();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["Old"]);
  });

  it("never throws into LangChain, whatever it is given", () => {
    expect(() => {
      handlerMethods.handleChatModelStart(null, null as never, "r1", undefined, { invocation_params: null }, undefined, undefined);
      handlerMethods.handleLLMEnd({ generations: [[null, { text: 1 }]] }, "r1");
      handlerMethods.handleToolEnd(undefined, "nope");
      handlerMethods.handleRetrieverEnd("not docs" as never, "nope");
      handlerMethods.handleChainError(undefined, "nope");
    }).not.toThrow();
  });
});
