/** The one line, printed at start, that says where traces are going. */
import type { Config } from "./config";
import { debug, info } from "./util/log";

export function describeDestination(config: Config): string {
  const parts: string[] = [];
  if (config.tracesUrl) parts.push(`${config.tracesUrl} (OTLP/HTTP${config.token ? ", with token" : ""})`);
  else if (config.console === "off") parts.push("nowhere yet: no CATALYST_OTLP_ENDPOINT is set and console printing is off");
  else parts.push(`stderr as trace trees (no CATALYST_OTLP_ENDPOINT set)`);
  if (config.tracesFile) parts.push(`the file ${config.tracesFile}`);
  return parts.join(" and ");
}

export function announce(config: Config): void {
  // with an endpoint the agent stays quiet unless asked for debug output
  if (config.tracesUrl) debug(`traces → ${describeDestination(config)}`);
  else info(`traces → ${describeDestination(config)}`);
}
