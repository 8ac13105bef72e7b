/**
 * The servers most end-to-end tests need: a real OTLP receiver and the mock OpenAI and
 * Anthropic APIs, started once per test file and closed after it.
 */
import { afterAll, beforeAll } from "vitest";
import { startOtlpReceiver, type Receiver } from "./receiver";
import type { ReceivedSpan } from "./spans";
// @ts-expect-error plain ESM fixture
import { startMockOpenAI } from "../../fixtures/mock-providers/openai.mjs";
// @ts-expect-error plain ESM fixture
import { startMockAnthropic } from "../../fixtures/mock-providers/anthropic.mjs";

export interface MockServer {
  url: string;
  baseURL: string;
  close(): Promise<void>;
}

export interface Servers {
  receiver: Receiver;
  openai: MockServer;
  anthropic: MockServer;
  /** Environment pointing the SDKs at the mocks and our exporter at the receiver. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** LLM spans of one run, told apart by its service name. */
  llmSpans(serviceName: string): ReceivedSpan[];
  /** Wait until a run has sent at least `count` LLM spans. */
  waitForLLM(serviceName: string, count?: number): Promise<ReceivedSpan[]>;
}

export function useServers(): Servers {
  const servers = {} as Servers;
  beforeAll(async () => {
    servers.receiver = await startOtlpReceiver();
    servers.openai = await startMockOpenAI();
    servers.anthropic = await startMockAnthropic();
  });
  afterAll(async () => {
    await servers.receiver?.close();
    await servers.openai?.close();
    await servers.anthropic?.close();
  });
  servers.env = (extra = {}) => ({
    OPENAI_BASE_URL: servers.openai.baseURL,
    ANTHROPIC_BASE_URL: servers.anthropic.url,
    CATALYST_OTLP_ENDPOINT: servers.receiver.url,
    ...extra,
  });
  servers.llmSpans = (serviceName) =>
    servers.receiver.spans.filter((s) => s.resource["service.name"] === serviceName && s.attributes["openinference.span.kind"] === "LLM");
  servers.waitForLLM = async (serviceName, count = 1) => {
    await servers.receiver.waitForSpans(() => servers.llmSpans(serviceName).length >= count, 15_000);
    return servers.llmSpans(serviceName);
  };
  return servers;
}
