/** The one line, printed at start, that says where traces are going. */
import path = require("node:path");
import type { Config } from "./config";
import { info } from "./util/log";

/** An endpoint as log lines show it: no userinfo, no query values (either may carry a credential). */
export function shownUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const query = url.search ? "?…" : "";
    return `${url.protocol}//${url.host}${url.pathname}${query}`;
  } catch {
    return "(an endpoint that is not a URL)";
  }
}

const SET_ENDPOINT = "set CATALYST_OTLP_ENDPOINT to send them to a collector";

export function describeDestination(config: Config): string {
  const file = config.tracesFile ? `the file ${config.tracesFile}` : undefined;
  if (config.tracesUrl) return [`${shownUrl(config.tracesUrl)} (OTLP/HTTP${config.token ? ", with token" : ""})`, file].filter(Boolean).join(" and ");
  if (config.console === "off") return file ? `${file} (console printing is off; ${SET_ENDPOINT})` : `nowhere: no endpoint is in use and console printing is off (${SET_ENDPOINT}, or CATALYST_TRACES_FILE to keep them in a file)`;
  const console = config.console === "summary" ? "stderr, one line per trace" : "stderr as trace trees";
  return `${[console, file].filter(Boolean).join(" and ")} (${SET_ENDPOINT})`;
}

/**
 * A package manager's own process (npm, npx, pnpm, yarn, corepack). Under NODE_OPTIONS the
 * preload runs in `npm start` itself as well as in the app it starts: the line belongs to the app.
 */
function isPackageManager(argv1 = process.argv[1] ?? ""): boolean {
  return /^(npm|npx|pnpm|pnpx|yarn|yarnpkg|corepack)(-cli)?(\.c?js)?$/.test(path.basename(argv1));
}

export function announce(config: Config): void {
  if (isPackageManager()) return;
  info(`traces → ${describeDestination(config)}`);
}
