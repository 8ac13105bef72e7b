/** Misbehaving collectors for the reliability tests: a closed port, a TLS server, a size-limited one. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
// @ts-expect-error plain ESM fixture without types
import { decodeBody } from "../../fixtures/otlp-receiver.mjs";

/** A port nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TLS server (self-signed), or undefined when openssl is unavailable. */
export async function startTlsServer(): Promise<{ port: number; connections: number; close(): Promise<void> } | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rel-tls-"));
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  const state = { connections: 0 };
  const srv = tls.createServer({ key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "cert.pem")) }, (s) => {
    s.on("error", () => {});
    s.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
  });
  srv.on("connection", () => state.connections++);
  srv.on("tlsClientError", () => {});
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

/** A collector that answers 413 to bodies larger than `maxBytes` and records the span ids it accepted. */
export async function startSizeLimitedCollector(maxBytes: number) {
  const accepted: string[] = [];
  const statuses: number[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.length > maxBytes) {
        statuses.push(413);
        res.writeHead(413).end("too large");
        return;
      }
      const spans = decodeBody(body, req.headers["content-type"]) as { spanId: string; name: string }[];
      for (const s of spans) accepted.push(s.name);
      statuses.push(200);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const sockets = new Set<net.Socket>();
  srv.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return {
    url: `http://127.0.0.1:${(srv.address() as net.AddressInfo).port}`,
    accepted,
    statuses,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

/** Lines the agent printed (its prefix), apart from the app's own stderr. */
/** What the agent printed about faults: its lines on stderr, the start line ("traces → …") aside. */
export const agentLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("[@inference/tracing]") && !l.startsWith("[@inference/tracing] traces → "));
