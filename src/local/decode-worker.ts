/**
 * The collector's decoding thread: large OTLP bodies are decoded here, so the collector's own
 * thread keeps answering (health checks, the web page) while it stores the spans or metric points
 * slice by slice. Message in: { id, body: ArrayBuffer, format, signal: "traces" | "metrics" }; out:
 * { id, slice } for every slice, then { id, done: true }, or { id, error }.
 */
import { parentPort } from "node:worker_threads";
import { DECODERS, type Signal } from "./decoder";

parentPort?.on("message", (m: { id: number; body: ArrayBuffer; format: "json" | "protobuf"; signal: Signal }) => {
  try {
    for (const slice of DECODERS[m.signal](new Uint8Array(m.body), m.format)) parentPort!.postMessage({ id: m.id, slice });
    parentPort!.postMessage({ id: m.id, done: true });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message });
  }
});
