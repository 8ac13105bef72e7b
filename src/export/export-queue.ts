/**
 * Our own export queue (it replaces OpenTelemetry's BatchSpanProcessor in the export path):
 *  - a capped queue: spans past the cap are dropped and counted (one warning line);
 *  - scheduled batches on unref'd timers, so nothing keeps a finished process alive;
 *  - one request at a time, retries with exponential backoff that respects Retry-After;
 *  - a 413 answer splits the batch and resends the halves, down to single spans
 *    (a single span still too big is dropped and counted);
 *  - one warning line when export starts failing and one when it resumes;
 *  - forceFlush() bounded by the shutdown timeout: a down or hanging collector costs at most
 *    that at exit;
 *  - at process.exit() (the synchronous 'exit' hook), whatever is still queued is POSTed by
 *    a short-lived child process, bounded in time, in bodies split as above (only while the
 *    collector is healthy); one line says how many spans were not confirmed, at exit or when a
 *    flush runs out of time.
 * Nothing here throws into the app, rejects unhandled or leaves an 'error' event unhandled.
 */
import { spawnSync } from "node:child_process";
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { debug, internalError, warn, warnOnce } from "../util/log";
import type { ExitRequest, SendOutcome, Transport } from "./otlp-transport";

export interface ExportQueueOptions {
  /** Human-readable destination for log lines. */
  destination: string;
  /** Spans held at most (queued + waiting for retry). */
  maxQueueSize: number;
  maxBatchSize: number;
  /** Delay before a partial batch is sent; 0 sends as soon as the current tick ends ("simple"). */
  scheduledDelayMillis: number;
  /** Per-request timeout. */
  exportTimeoutMillis: number;
  /** Bound of forceFlush() and of the export at process exit. */
  shutdownTimeoutMillis: number;
  /** Attempts per batch before it is dropped (retryable failures only). */
  maxAttempts?: number;
  /** Called first at process exit, so spans still open can be ended and queued for the exit export. */
  beforeExitExport?: () => void;
  /** Try to send what is queued at process.exit() with a synchronous child process. */
  exportOnExit?: boolean;
  /**
   * Run on each span before it is first encoded (the export transforms, when deferred): when its batch
   * is taken (in slices, yielding to the app between them), or as it arrives while a request is in
   * flight or export is failing. Must be idempotent. A returned promise (a transform that works off
   * the main thread) is awaited before the batch is encoded.
   */
  prepare?: (span: ReadableSpan) => void | Promise<void>;
  /** The same, synchronously, for the exit export: whatever cannot finish now is left out. */
  prepareNow?: (span: ReadableSpan) => void;
}

export interface ExportStats {
  queued: number;
  inFlight: number;
  exported: number;
  /** Dropped because the queue was full. */
  droppedQueueFull: number;
  /** Single spans the collector refused as too large (413). */
  droppedTooLarge: number;
  /** Dropped after the collector refused them (4xx) or retries ran out. */
  droppedFailed: number;
  /** Sent by the synchronous exit export. */
  exportedAtExit: number;
  /** Still queued when the process exited and could not be sent. */
  lostAtExit: number;
  failing: boolean;
  requests: number;
  splits: number;
}

interface Batch {
  spans: ReadableSpan[];
  attempts: number;
  /** Taken from the queue and not yet prepared (see ExportQueueOptions.prepare). */
  fresh?: boolean;
}

/** Spans prepared per turn of the event loop: a 512-span batch never blocks the app for its whole transform time. */
const PREPARE_SLICE = 64;

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
const RETRY_AFTER_MAX_MS = 60_000;
const SAMPLED = 1;

const STATS_KEY = Symbol.for("@inference/tracing.exportStats");

/** Every live export queue's stats, for diagnostics and the soak benchmark. */
export function exportStats(): ExportStats[] {
  const list = (globalThis as any)[STATS_KEY] as ExportQueueProcessor[] | undefined;
  return (list ?? []).map((q) => q.stats());
}

export class ExportQueueProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  /** Batches waiting to be (re)sent, in order, ahead of the queue. */
  private ready: Batch[] = [];
  private readyCount = 0;
  private inFlight: Batch | undefined;
  private pumping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoffUntil = 0;
  private consecutiveFailures = 0;
  private failing = false;
  private droppedWhileFailing = 0;
  private isShutdown = false;
  /** Resolved when a flush stops waiting for asynchronous export steps (see prepareBatch). */
  private preparationCut: Promise<void>;
  private releasePreparation!: () => void;
  /** A flush ran out of time (a hanging collector): the exit export would only pay the timeout again. */
  private flushTimedOut = false;
  /** The line about spans the collector did not confirm was printed (again only after an export succeeds). */
  private unconfirmedReported = false;
  private readonly maxAttempts: number;
  private readonly counters = {
    exported: 0,
    droppedQueueFull: 0,
    droppedTooLarge: 0,
    droppedFailed: 0,
    exportedAtExit: 0,
    lostAtExit: 0,
    requests: 0,
    splits: 0,
  };
  private readonly onExit = () => this.exitSync();

  constructor(
    private readonly transport: Transport,
    private readonly options: ExportQueueOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.preparationCut = new Promise<void>((resolve) => (this.releasePreparation = resolve));
    const g = globalThis as any;
    (g[STATS_KEY] ??= []).push(this);
    process.on("exit", this.onExit);
  }

  stats(): ExportStats {
    return {
      queued: this.queue.length + this.readyCount,
      inFlight: this.inFlight?.spans.length ?? 0,
      failing: this.failing,
      ...this.counters,
    };
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if (this.isShutdown) return;
      if ((span.spanContext().traceFlags & SAMPLED) === 0) return;
      // the cap covers everything held: queued, waiting for a retry, and in flight
      if (this.queue.length + this.readyCount + (this.inFlight?.spans.length ?? 0) >= this.options.maxQueueSize) {
        this.counters.droppedQueueFull++;
        this.droppedWhileFailing++;
        warnOnce(
          `queue-full:${this.options.destination}`,
          `the export queue for ${this.options.destination} is full (${this.options.maxQueueSize} spans); ` +
            `newer spans are dropped and counted until it drains (CATALYST_MAX_QUEUE_SIZE raises the cap).`,
        );
        debug(`export queue full: ${this.counters.droppedQueueFull} span(s) dropped so far`);
        return;
      }
      // a queue that cannot send soon prepares (transforms, so size-limits) spans as they come
      if (this.inFlight !== undefined || this.failing || this.backoffUntil !== 0) this.prepareOne(span);
      this.queue.push(span);
      if (this.queue.length >= this.options.maxBatchSize) this.kick();
      else this.schedule(this.options.scheduledDelayMillis);
    } catch (err) {
      internalError("ExportQueueProcessor.onEnd", err);
    }
  }

  /** Arrange a send after `delayMs` (unless one is already arranged sooner). */
  private schedule(delayMs: number): void {
    if (this.timer || this.pumping) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
    this.timer.unref?.();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    void this.pump(false);
  }

  private nextBatch(): Batch | undefined {
    const b = this.ready.shift();
    if (b) {
      this.readyCount -= b.spans.length;
      return b;
    }
    if (this.queue.length === 0) return undefined;
    return { spans: this.queue.splice(0, this.options.maxBatchSize), attempts: 0, fresh: true };
  }

  /**
   * Prepare a batch taken from the queue, PREPARE_SLICE spans per turn of the event loop. A flush
   * (which has a time budget) cuts asynchronous steps still under way at half its budget: the
   * synchronous transforms then run (prepareNow), since a span sent without its token estimate
   * beats a span lost at a signal.
   */
  private async prepareBatch(batch: Batch): Promise<void> {
    batch.fresh = false;
    const spans = batch.spans;
    if (!this.options.prepare) return;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < spans.length; i += PREPARE_SLICE) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (let j = i; j < i + PREPARE_SLICE && j < spans.length; j++) {
        const p = this.prepareOne(spans[j]!);
        if (p) pending.push(p);
      }
    }
    if (pending.length === 0) return;
    const cut = await Promise.race([Promise.all(pending).then(() => false), this.preparationCut.then(() => true)]);
    if (cut) this.prepareNow(spans);
  }

  /** Release every batch waiting for asynchronous preparation (see prepareBatch). */
  private cutPreparation(): void {
    const release = this.releasePreparation;
    this.preparationCut = new Promise<void>((resolve) => (this.releasePreparation = resolve));
    release();
  }

  private prepareNow(spans: ReadableSpan[]): void {
    const prepare = this.options.prepareNow ?? this.options.prepare;
    if (!prepare) return;
    for (const span of spans) {
      try {
        void prepare(span);
      } catch (err) {
        internalError("ExportQueueProcessor.prepare", err);
      }
    }
  }
  private prepareOne(span: ReadableSpan): Promise<void> | undefined {
    try {
      const p = this.options.prepare?.(span);
      return p ? p.catch((err) => internalError("ExportQueueProcessor.prepare", err)) : undefined;
    } catch (err) {
      internalError("ExportQueueProcessor.prepare", err);
      return undefined;
    }
  }

  private unshiftReady(...batches: Batch[]): void {
    this.ready.unshift(...batches);
    for (const b of batches) this.readyCount += b.spans.length;
  }

  /**
   * Send batches one at a time while full batches (or batches waiting for a retry) are there; a
   * partial batch left at the end waits for the scheduled delay. In flush mode everything is sent,
   * a known backoff is ignored (one more try) and the loop stops at the first failure.
   */
  private pump(flushMode: boolean): Promise<void> {
    if (this.pumping) return this.pumping;
    // drain() may finish synchronously (e.g. while backing off), so `pumping` is cleared here, by
    // identity, and never inside drain() itself
    const p = this.drain(flushMode);
    this.pumping = p;
    // more spans may have arrived while sending: arrange the next round
    void p.then(() => {
      if (this.pumping === p) this.pumping = undefined;
      if (!this.isShutdown && (this.queue.length > 0 || this.readyCount > 0) && !flushMode) {
        const wait = Math.max(0, this.backoffUntil - Date.now());
        this.schedule(wait > 0 ? wait : this.queue.length >= this.options.maxBatchSize ? 0 : this.options.scheduledDelayMillis);
      }
    });
    return this.pumping;
  }

  /** The sending loop of pump(): a method rather than a closure per round. */
  private async drain(flushMode: boolean): Promise<void> {
    try {
      for (;;) {
        // backing off: the .then() in pump() arranges the next round
        if (!flushMode && Date.now() < this.backoffUntil) return;
        const batch = this.nextBatch();
        if (!batch) return;
        this.inFlight = batch;
        this.counters.requests++;
        let outcome: SendOutcome;
        try {
          if (batch.fresh) await this.prepareBatch(batch);
          outcome = await this.transport.send(batch.spans, this.options.exportTimeoutMillis);
        } catch (err) {
          outcome = { kind: "retry", reason: (err as Error)?.message ?? String(err) };
        }
        this.inFlight = undefined;
        const stop = this.handle(batch, outcome);
        if (flushMode && stop) return;
        // spans that came in during the request wait for the timer unless they fill a batch: sending
        // them at once made one small request per round trip for as long as the app kept calling
        if (!flushMode && this.ready.length === 0 && this.queue.length < this.options.maxBatchSize) return;
      }
    } catch (err) {
      internalError("ExportQueueProcessor.pump", err);
    } finally {
      if (this.inFlight) {
        // never happens unless send() threw synchronously above; keep the spans
        this.unshiftReady(this.inFlight);
        this.inFlight = undefined;
      }
    }
  }

  /** Act on one answer. Returns true when it was a failure (flush stops there). */
  private handle(batch: Batch, outcome: SendOutcome): boolean {
    const n = batch.spans.length;
    switch (outcome.kind) {
      case "ok":
        this.counters.exported += n;
        this.consecutiveFailures = 0;
        this.unconfirmedReported = false;
        if (!this.failing) this.droppedWhileFailing = 0;
        this.backoffUntil = 0;
        if (this.failing) {
          this.failing = false;
          const lost = this.droppedWhileFailing;
          this.droppedWhileFailing = 0;
          warn(
            `export to ${this.options.destination} resumed` +
              (lost > 0 ? `; ${lost} span(s) were dropped since the last successful export.` : "; no spans were lost."),
          );
        }
        return false;
      case "too-large":
        if (n > 1) {
          const half = Math.ceil(n / 2);
          this.counters.splits++;
          debug(`collector answered ${outcome.reason} for ${n} spans: resending as ${half} + ${n - half}`);
          this.unshiftReady({ spans: batch.spans.slice(0, half), attempts: batch.attempts }, { spans: batch.spans.slice(half), attempts: batch.attempts });
          return false;
        }
        this.counters.droppedTooLarge++;
        warnOnce(
          `too-large:${this.options.destination}`,
          `a span ("${batch.spans[0]?.name}") is larger than ${this.options.destination} accepts and was dropped ` +
            `(CATALYST_MAX_ATTRIBUTE_LENGTH / CATALYST_MAX_MESSAGES make spans smaller); further ones are counted quietly.`,
        );
        debug(`dropped a single span too large for the collector (${this.counters.droppedTooLarge} so far)`);
        return false;
      case "retry": {
        this.consecutiveFailures++;
        batch.attempts++;
        if (batch.attempts >= this.maxAttempts) {
          this.drop(batch, `gave up after ${batch.attempts} attempts (${outcome.reason})`);
        } else this.unshiftReady(batch);
        const backoff =
          outcome.retryAfterMs !== undefined
            ? Math.min(RETRY_AFTER_MAX_MS, outcome.retryAfterMs)
            : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(10, this.consecutiveFailures - 1)) * (0.5 + Math.random() / 2);
        this.backoffUntil = Date.now() + backoff;
        this.markFailing(outcome.reason, `retrying with backoff (next try in ${Math.round(backoff)}ms)`);
        debug(`export failed (${outcome.reason}); ${this.queue.length + this.readyCount} span(s) queued, next try in ${Math.round(backoff)}ms`);
        return true;
      }
      case "reject": {
        this.consecutiveFailures++;
        this.drop(batch, outcome.reason);
        const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(10, this.consecutiveFailures - 1));
        this.backoffUntil = Date.now() + backoff;
        this.markFailing(outcome.reason, "the refused spans are dropped");
        return true;
      }
    }
  }

  private drop(batch: Batch, reason: string): void {
    this.counters.droppedFailed += batch.spans.length;
    this.droppedWhileFailing += batch.spans.length;
    debug(`dropped ${batch.spans.length} span(s): ${reason}; ${this.counters.droppedFailed} dropped so far`);
  }

  private markFailing(reason: string, what: string): void {
    if (this.failing) return;
    this.failing = true;
    warn(
      `cannot export spans to ${this.options.destination}: ${reason}; ${what}. The app is unaffected; ` +
        `spans wait in a queue capped at ${this.options.maxQueueSize}. One line will say when export resumes.`,
    );
  }

  /** Send everything queued, bounded by the shutdown timeout; never rejects. */
  forceFlush(): Promise<void> {
    if (this.queue.length === 0 && this.readyCount === 0 && !this.pumping) return Promise.resolve();
    // half the budget for asynchronous export steps, the rest for sending
    const cutTimer = setTimeout(() => this.cutPreparation(), this.options.shutdownTimeoutMillis / 2);
    const work = (async () => {
      try {
        if (this.timer) {
          clearTimeout(this.timer);
          this.timer = undefined;
        }
        if (this.pumping) await this.pumping;
        await this.pump(true);
      } catch (err) {
        internalError("ExportQueueProcessor.forceFlush", err);
      }
    })();
    return new Promise<void>((resolve) => {
      // a ref'd timer: at 'beforeExit' it keeps the process alive until the flush ends or the bound passes
      const deadline = setTimeout(() => {
        this.flushTimedOut = true;
        const { queued, inFlight } = this.stats();
        this.reportUnconfirmed(
          `${queued + inFlight} span(s) not confirmed by ${this.options.destination} after waiting ${this.options.shutdownTimeoutMillis}ms ` +
            `(the collector is slow or not answering); they are lost if the process exits now.`,
        );
        resolve();
      }, this.options.shutdownTimeoutMillis);
      void work.then(() => {
        clearTimeout(deadline);
        clearTimeout(cutTimer);
        resolve();
      });
    });
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.isShutdown = true;
    const left = this.queue.length + this.readyCount;
    if (left === 0) process.removeListener("exit", this.onExit);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.transport.shutdown?.();
    } catch (err) {
      internalError("ExportQueueProcessor.shutdown", err);
    }
  }

  /** One line about spans the collector did not confirm (a flush ran out of time, or the exit export gave up). */
  private reportUnconfirmed(line: string): void {
    if (this.unconfirmedReported) return;
    this.unconfirmedReported = true;
    warn(line);
  }

  /**
   * The synchronous last chance at process 'exit' (process.exit() or a crash): POST what is
   * still queued from a child process, bounded in time. Skipped while export is failing or after a
   * flush ran out of time (it already paid the timeout), and when there is nothing left. One line
   * says how many spans were not confirmed (unless the flush that ran out of time said so).
   */
  exitSync(): void {
    try {
      process.removeListener("exit", this.onExit);
      this.options.beforeExitExport?.();
      const spans = [...(this.inFlight?.spans ?? []), ...this.ready.flatMap((b) => b.spans), ...this.queue];
      if (spans.length === 0) return report(this);
      if (this.options.exportOnExit === false || !this.transport.exitRequest) {
        this.counters.lostAtExit += spans.length;
        return report(this);
      }
      let confirmed = 0;
      let why: string;
      if (this.failing) why = "export was failing";
      else if (this.flushTimedOut) why = "the collector did not answer in time";
      else {
        // idempotent: only what was never prepared (the queue, a batch cut off mid-preparation) is transformed now
        this.prepareNow(spans);
        const result = this.exportAtExit(spans);
        confirmed = result.confirmed;
        why = result.reason ?? "not sent";
      }
      this.counters.exportedAtExit += confirmed;
      this.counters.lostAtExit += spans.length - confirmed;
      this.queue = [];
      this.ready = [];
      this.readyCount = 0;
      if (confirmed > 0) debug(`exit: sent ${confirmed} queued span(s) synchronously`);
      if (confirmed < spans.length) {
        this.reportUnconfirmed(`exit: ${spans.length - confirmed} span(s) not confirmed by ${this.options.destination} (${why}); they are lost.`);
      }
      report(this);
    } catch (err) {
      internalError("ExportQueueProcessor.exitSync", err);
    }
  }

  /**
   * POST `spans` from a child process (Node runs nothing asynchronous after 'exit'), within
   * min(shutdownTimeoutMillis, 3 s). The child splits bodies as the normal path does: at most
   * maxBatchSize spans, halved while over the size limit, and a body the collector answers 413 is
   * halved and sent again. Returns how many spans the collector confirmed, and why the others were not.
   */
  private exportAtExit(spans: ReadableSpan[]): { confirmed: number; reason?: string } {
    const request = this.transport.exitRequest!(spans);
    if (!request) return { confirmed: 0, reason: "not supported" };
    return postAtExit(request, this.options.maxBatchSize, Math.max(500, Math.min(this.options.shutdownTimeoutMillis, 3000)));
  }
}

/**
 * POST an exit request from a child process (Node runs nothing asynchronous after 'exit'), within
 * `timeout`: bodies of at most `maxPieces` pieces, halved as exportAtExit() says. Returns how many
 * pieces the collector confirmed, and why the others were not. The metrics' exit export uses it too.
 */
export function postAtExit(request: ExitRequest, maxPieces: number, timeout: number): { confirmed: number; reason?: string } {
  const { pieces, ...rest } = request;
  // a JSON line, then the pieces as they are (no base64: megabytes at exit)
  const head = JSON.stringify({ ...rest, maxSpans: maxPieces, sizes: pieces.map((p) => p.length), timeout });
  const env: Record<string, string> = {};
  for (const k of ["PATH", "SYSTEMROOT", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const res = spawnSync(process.execPath, ["-e", EXIT_SENDER], {
    input: Buffer.concat([Buffer.from(head + "\n"), ...pieces]),
    env,
    timeout: timeout + 1500,
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  try {
    const out = JSON.parse(String(res.stdout ?? "")) as { confirmed?: unknown; reason?: unknown };
    return { confirmed: Number(out.confirmed) || 0, reason: typeof out.reason === "string" ? out.reason : undefined };
  } catch {
    // killed, its start-up included, 1.5 s past the bound
    return { confirmed: 0, reason: `no answer within ${timeout}ms` };
  }
}

function report(q: ExportQueueProcessor): void {
  const s = q.stats();
  const dropped = s.droppedQueueFull + s.droppedTooLarge + s.droppedFailed + s.lostAtExit;
  if (dropped > 0) {
    debug(
      `exporter summary: ${s.exported + s.exportedAtExit} exported, ${dropped} dropped ` +
        `(queue full ${s.droppedQueueFull}, too large ${s.droppedTooLarge}, refused/failed ${s.droppedFailed}, lost at exit ${s.lostAtExit})`,
    );
  }
}

/**
 * The child process of the exit export: reads a JSON line (url, headers, prefix, separator, suffix,
 * gzip, maxBodyBytes, maxSpans, sizes, timeout) and then the encoded spans on stdin; sends them in
 * bodies of at most maxSpans spans, halving a body over maxBodyBytes or answered 413, one request at a
 * time; prints {confirmed, reason} (stopping at a request that fails, and when the time is up).
 */
const EXIT_SENDER = `
const chunks = [];
process.stdin.on("data", (d) => chunks.push(d));
process.stdin.on("end", () => {
  let confirmed = 0, reason;
  const done = () => {
    process.stdout.write(JSON.stringify({ confirmed, reason }));
    process.exit(0);
  };
  let p;
  const pieces = [];
  try {
    const input = Buffer.concat(chunks);
    const nl = input.indexOf(10);
    p = JSON.parse(input.subarray(0, nl).toString());
    let at = nl + 1;
    for (const size of p.sizes) pieces.push(input.subarray(at, (at += size)));
  } catch {
    reason = "unreadable input";
    done();
  }
  const u = new URL(p.url);
  const lib = require(u.protocol === "https:" ? "node:https" : "node:http");
  const zlib = p.gzip ? require("node:zlib") : undefined;
  setTimeout(() => {
    reason = reason || "no answer within " + p.timeout + "ms";
    done();
  }, p.timeout);
  const groups = [];
  for (let i = 0; i < pieces.length; i += p.maxSpans) groups.push([i, Math.min(pieces.length, i + p.maxSpans)]);
  const halve = ([a, b]) => {
    const m = a + Math.ceil((b - a) / 2);
    groups.unshift([a, m], [m, b]);
  };
  const join = ([a, b]) => {
    const parts = [Buffer.from(p.prefix)];
    for (let i = a; i < b; i++) parts.push(...(i > a ? [Buffer.from(p.separator)] : []), pieces[i]);
    parts.push(Buffer.from(p.suffix));
    return Buffer.concat(parts);
  };
  const next = () => {
    const g = groups.shift();
    if (!g) return done();
    let body = join(g);
    if (g[1] - g[0] > 1 && body.length > p.maxBodyBytes) {
      halve(g);
      return next();
    }
    if (zlib) body = zlib.gzipSync(body, { level: 1 });
    try {
      const req = lib.request(u, { method: "POST", headers: Object.assign({}, p.headers, { "content-length": String(body.length) }) }, (res) => {
        const status = res.statusCode;
        res.on("error", () => {});
        res.on("end", () => {
          if (status >= 200 && status < 300) confirmed += g[1] - g[0];
          else if (status === 413 && g[1] - g[0] > 1) halve(g);
          else reason = reason || "HTTP " + status;
          next();
        });
        res.resume();
      });
      req.on("error", (err) => {
        reason = (err.code ? err.code + ": " : "") + err.message;
        done();
      });
      req.end(body);
    } catch (err) {
      reason = String(err && err.message);
      done();
    }
  };
  next();
});
`;
