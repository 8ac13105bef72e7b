/**
 * Wraps an exporter so its failures never reach the app: a throw becomes a failed
 * result, the first failure prints one warning (not one per batch), later ones are
 * counted, and recovery is announced once.
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { debug, warn } from "../util/log";

export class GuardedExporter implements SpanExporter {
  failedSpans = 0;
  exportedSpans = 0;
  private failing = false;
  constructor(
    private readonly inner: SpanExporter,
    private readonly destination: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const done = (result: ExportResult) => {
      if (called) return;
      called = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.exportedSpans += spans.length;
        if (this.failing) {
          this.failing = false;
          warn(`export to ${this.destination} resumed.`);
        }
      } else {
        this.failedSpans += spans.length;
        const reason = result.error?.message ?? "unknown error";
        if (!this.failing) {
          this.failing = true;
          warn(
            `could not export ${spans.length} span(s) to ${this.destination}: ${reason}. ` +
              `The app is unaffected; further failures are counted quietly until export recovers.`,
          );
        } else debug(`export failed again (${reason}); ${this.failedSpans} span(s) lost so far`);
      }
      try {
        resultCallback(result);
      } catch {
        /* the processor's callback must not throw into the exporter */
      }
    };
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err as Error });
    }
  }
  async shutdown(): Promise<void> {
    try {
      await this.inner.shutdown();
    } catch (err) {
      debug(`exporter shutdown failed: ${(err as Error).message}`);
    }
  }
  async forceFlush(): Promise<void> {
    try {
      await this.inner.forceFlush?.();
    } catch (err) {
      debug(`exporter flush failed: ${(err as Error).message}`);
    }
  }
}
