/**
 * "Patched" must mean "traced". An integration that traces through a hook of the SDK (a telemetry
 * callback, a processor, options it turns on) notes each call it sees (`ctx.noteCall()`); every
 * span it starts goes through its context's tracer, which counts them here. An integration that
 * noted calls but started no span — the SDK changed under it — is reported once on stderr, without
 * a debug flag: after a few calls (checked a moment later, once the calls had time to start their
 * spans) and at exit.
 */
import type { Context, Span, SpanOptions, Tracer } from "@opentelemetry/api";
import { REPORT_TO } from "../package-info";
import { warnOnce } from "../util/log";

/** Calls after which a silent integration is reported without waiting for the process to end. */
export const CHECK_AFTER_CALLS = 3;
/** How long those calls get to start their spans before the check. */
const CHECK_DELAY_MS = 2000;

export interface CoverageSubject {
  displayName: string;
  packageName: string;
  version?: string;
}

export class Coverage {
  calls = 0;
  spans = 0;
  private exitHooked = false;

  constructor(private readonly subject: () => CoverageSubject) {}

  /** `inner` with every span it starts counted. */
  countingTracer(inner: Tracer): Tracer {
    const coverage = this;
    return {
      startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
        coverage.spans++;
        return inner.startSpan(name, options, ctx);
      },
      startActiveSpan(...args: unknown[]): unknown {
        coverage.spans++;
        return (inner.startActiveSpan as (...a: unknown[]) => unknown)(...args);
      },
    } as Tracer;
  }

  noteCall(): void {
    this.calls++;
    if (this.spans > 0) return;
    if (!this.exitHooked) {
      this.exitHooked = true;
      process.once("exit", () => this.check());
    }
    if (this.calls === CHECK_AFTER_CALLS) setTimeout(() => this.check(), CHECK_DELAY_MS).unref?.();
  }

  /** Say so once when calls were seen and no span was started. */
  check(): void {
    if (this.calls === 0 || this.spans > 0) return;
    const { displayName, packageName, version } = this.subject();
    const pkg = `${packageName}${version ? `@${version}` : ""}`;
    warnOnce(
      `coverage:${packageName}`,
      `${displayName} (${pkg}) is patched and saw ${this.calls} call${this.calls === 1 ? "" : "s"}, but recorded no span: ` +
        `this version is not traced. Please report it to ${REPORT_TO} with the output of \`npx @inference/tracing doctor\`.`,
    );
  }
}
