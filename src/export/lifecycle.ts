/**
 * Spans are never lost because the process ended, and the process ends as it would
 * without us:
 *  - natural exit: flushed on 'beforeExit' (only when spans ended since the last flush,
 *    so we never keep re-arming the event loop);
 *  - SIGTERM / SIGINT / SIGHUP: flush (bounded by the shutdown timeout), then, unless the
 *    app has its own listener for that signal, re-raise it so the exit code is Node's own;
 *  - process.exit() and crashes: spans still open are ended, marked incomplete, and the
 *    synchronous 'exit' hook runs the local sinks' sync flush; the OTLP export queue has its
 *    own 'exit' hook that POSTs what is still queued from a short-lived child process, bounded
 *    in time (see export-queue.ts). That export can fail or run out of time: await flush()
 *    before process.exit() is the sure way.
 *  - a signal we re-raise also ends the spans still open (the process dies right after); when
 *    the app handles the signal itself, its work may still finish them, so they are left alone.
 * No uncaughtException / unhandledRejection listeners are ever added.
 */
import { debug } from "../util/log";

export interface LifecycleTarget {
  /** Flush everything, never rejecting, bounded by its own timeout. */
  flush(): Promise<void>;
  /** The event loop is empty (a natural exit is near): finish what only waits for more work. */
  beforeExit?(): void;
  /** True when spans ended since the last flush. */
  hasPending(): boolean;
  /** Synchronous last chance at 'exit'. */
  exitSync(): void;
  /** End the spans still open, marked incomplete, because the process is about to end. */
  endOpenSpans(reason: string): void;
}

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

export function installExitHandlers(target: LifecycleTarget): () => void {
  let flushing: Promise<void> | undefined;
  const flushOnce = () => (flushing ??= target.flush().finally(() => (flushing = undefined)));

  const onBeforeExit = () => {
    try {
      target.beforeExit?.();
    } catch {
      /* never stands between the app and its exit */
    }
    if (!flushing && target.hasPending()) void flushOnce();
  };
  process.on("beforeExit", onBeforeExit);

  const onExit = () => {
    try {
      target.endOpenSpans("process exit");
      target.exitSync();
    } catch {
      /* nothing can be done at exit */
    }
  };
  process.on("exit", onExit);

  const signalHandlers = new Map<string, () => void>();
  for (const sig of SIGNALS) {
    if (process.platform === "win32" && sig === "SIGHUP") continue;
    const handler = () => {
      // checked at signal time: the app may have added its own handler after us
      const appOwnsExit = process.listeners(sig).some((l) => l !== handler);
      debug(`${sig} received: flushing spans${appOwnsExit ? " (the app handles the exit)" : ""}`);
      if (!appOwnsExit) {
        try {
          target.endOpenSpans(sig);
        } catch {
          /* never stands between the signal and the exit */
        }
      }
      void flushOnce().finally(() => {
        if (appOwnsExit) return;
        process.removeListener(sig, handler);
        process.kill(process.pid, sig);
      });
    };
    signalHandlers.set(sig, handler);
    process.on(sig, handler);
  }

  return () => {
    process.removeListener("beforeExit", onBeforeExit);
    process.removeListener("exit", onExit);
    for (const [sig, h] of signalHandlers) process.removeListener(sig, h);
  };
}

/** Resolve after `ms` at the latest, never rejecting; the timer never holds the process open. */
export function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (err) => {
        clearTimeout(t);
        debug(`flush failed: ${(err as Error)?.message ?? err}`);
        resolve();
      },
    );
  });
}
