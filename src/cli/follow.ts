/** `tail` following a collector in another process: its server-sent events, then each new trace over its JSON API. */
import http = require("node:http");
import type { SpanRecord } from "../trace-model/span-record";
import type { TraceSummary } from "../trace-model/summary";
import type { Io } from "./args";

export function getJson(url: string, timeoutMs = 5000): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        try {
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${url}: HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** Resolves (with exit code 0) when stopped by SIGINT, SIGTERM or `signal`. */
export function followCollector(base: string, print: (t: TraceSummary, spans: SpanRecord[]) => void, io: Io, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    let req: http.ClientRequest | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const stop = () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      req?.destroy();
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    signal?.addEventListener("abort", stop, { once: true });
    let warned = false;
    const fetchTrace = (id: string) =>
      getJson(`${base}/api/traces/${encodeURIComponent(id)}`)
        .then((d) => print(d.trace, d.spans))
        .catch((err) => io.err(`could not read trace ${id}: ${(err as Error).message}`));
    const connect = () => {
      if (stopped) return;
      req = http.get(`${base}/api/events`, (res) => {
        warned = false;
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== "spans" || !data) continue;
            let completed: unknown;
            try {
              completed = (JSON.parse(data) as { completed?: unknown }).completed;
            } catch {
              continue; // not an event of ours
            }
            if (Array.isArray(completed)) for (const id of completed) if (typeof id === "string") void fetchTrace(id);
          }
        });
        res.on("end", () => reconnect());
      });
      req.on("error", () => reconnect());
    };
    const reconnect = () => {
      if (stopped) return;
      if (!warned) io.err(`lost the collector at ${base}; retrying…`);
      warned = true;
      retry = setTimeout(connect, 2000);
    };
    connect();
  });
}

/** Wait for Ctrl-C, SIGTERM or `signal`. */
export function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
