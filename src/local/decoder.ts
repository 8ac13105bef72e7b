/**
 * Decoding OTLP bodies without holding up the collector: a small body is decoded right here, a
 * large one on a worker thread (./decode-worker), and either way the spans (or metric points) come
 * back in slices that the caller stores one at a time, yielding to other requests in between.
 */
import { Worker } from "node:worker_threads";
import { builtFile } from "./built-file";
import { decodeTraceRequest, type DecodedSlice } from "./otlp-decode";
import { decodeMetricsRequest, type DecodedMetricsSlice } from "./otlp-metrics";

/** Bodies up to this size are decoded on the collector's thread (a few milliseconds at most). */
const INLINE_BYTES = 512 * 1024;

/** The body is not OTLP: nothing in it could be decoded (the request gets a 400). */
export class BodyError extends Error {}

export type Signal = "traces" | "metrics";
type Format = "json" | "protobuf";
type Slice = DecodedSlice | DecodedMetricsSlice;
export const DECODERS: Record<Signal, (body: Uint8Array, format: Format) => Generator<Slice>> = {
  traces: decodeTraceRequest,
  metrics: decodeMetricsRequest,
};

type Message = { slice?: Slice; done?: true; error?: string; crashed?: string };
type Listener = (m: Message) => void;

export class Decoder {
  private worker?: Worker;
  private nextId = 0;
  private readonly listeners = new Map<number, Listener>();

  decode(body: Uint8Array, format: Format): AsyncGenerator<DecodedSlice> {
    return this.slices(body, format, "traces") as AsyncGenerator<DecodedSlice>;
  }

  decodeMetrics(body: Uint8Array, format: Format): AsyncGenerator<DecodedMetricsSlice> {
    return this.slices(body, format, "metrics") as AsyncGenerator<DecodedMetricsSlice>;
  }

  private async *slices(body: Uint8Array, format: Format, signal: Signal): AsyncGenerator<Slice> {
    const file = builtFile("decode-worker.js");
    if (body.byteLength <= INLINE_BYTES || !file) {
      let slices: Generator<Slice>;
      try {
        slices = DECODERS[signal](body, format);
      } catch (err) {
        throw new BodyError((err as Error).message);
      }
      for (const slice of slices) {
        yield slice;
        await new Promise((r) => setImmediate(r));
      }
      return;
    }
    yield* this.inWorker(file, body, format, signal);
  }

  private workerFor(file: string): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(file);
    worker.unref();
    const failAll = (message: string) => {
      this.worker = undefined;
      for (const listener of this.listeners.values()) listener({ crashed: message });
      this.listeners.clear();
    };
    worker.on("message", (m: Message & { id: number }) => this.listeners.get(m.id)?.(m));
    worker.on("error", (err) => failAll(`the decoding thread failed: ${err.message}`));
    worker.on("exit", (code) => failAll(`the decoding thread stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }

  private async *inWorker(file: string, body: Uint8Array, format: Format, signal: Signal): AsyncGenerator<Slice> {
    const id = this.nextId++;
    const queue: Message[] = [];
    let wake: (() => void) | undefined;
    this.listeners.set(id, (m) => {
      queue.push(m);
      wake?.();
    });
    // the body's memory moves to the worker instead of being copied
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body.buffer : body.slice().buffer;
    const worker = this.workerFor(file);
    worker.postMessage({ id, body: own, format, signal }, [own as ArrayBuffer]);
    try {
      for (;;) {
        if (!queue.length) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        const m = queue.shift()!;
        if (m.crashed !== undefined) throw new Error(m.crashed);
        if (m.error !== undefined) throw new BodyError(m.error);
        if (m.done) return;
        if (m.slice) yield m.slice;
      }
    } finally {
      this.listeners.delete(id);
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
