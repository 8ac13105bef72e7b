/** Starting the local collector for `serve` and `tail`: one-line answers for what goes wrong. */
import { startServer, type LocalServer, type ServerOptions } from "../../local/server";
import { BIN } from "../args";

/** Thrown with a message for the user (exit 1, no stack trace). */
export class CollectorError extends Error {}

export async function startCollector(
  command: string,
  options: ServerOptions & { host: string; port: number },
  inUse = "is already in use (another collector?). Use --port to pick another port.",
): Promise<LocalServer> {
  try {
    return await startServer(options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${options.host}:${options.port}`;
    if (code === "EADDRINUSE") throw new CollectorError(`${BIN} ${command}: ${where} ${inUse}`);
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME")
      throw new CollectorError(`${BIN} ${command}: --host ${options.host}: no such host name (use an address of this machine, e.g. 127.0.0.1)`);
    if (code === "EADDRNOTAVAIL") throw new CollectorError(`${BIN} ${command}: --host ${options.host} is not an address of this machine`);
    if (code === "EACCES") throw new CollectorError(`${BIN} ${command}: not allowed to listen on ${where} (ports below 1024 need privileges)`);
    throw err;
  }
}
