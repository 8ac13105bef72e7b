/** Typed access to the OTLP receiver fixture. */
import type { ReceivedSpan } from "./spans";
// @ts-expect-error plain ESM fixture without types
import { startOtlpReceiver as start } from "../../fixtures/otlp-receiver.mjs";

export interface Receiver {
  url: string;
  endpoint: string;
  port: number;
  spans: ReceivedSpan[];
  /** Every request received; `at` is when its body had arrived (Date.now()). */
  requests: { method: string; url: string; headers: Record<string, string>; bytes: number; status: number; spanCount: number; at: number }[];
  setBehavior(b: { status?: number; hang?: boolean; delayMs?: number; retryAfter?: string }): void;
  clear(): void;
  waitForSpans(predicate?: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export const startOtlpReceiver: (options?: { port?: number }) => Promise<Receiver> = start;
