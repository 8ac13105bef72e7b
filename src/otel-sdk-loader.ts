/**
 * Loads the OpenTelemetry SDK for the export pipeline: the bundled copy the build makes
 * (dist/otel-sdk.bundle.js, through the V8 code cache), else the packages themselves. This file
 * sits at the top of src/ so that `__dirname` is dist/ both in the preload bundle and in the
 * per-file build.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { requireWithCodeCache } from "./boot/code-cache";
import { debug } from "./util/log";

type OtelSdk = typeof import("./export/otel-sdk");
let sdk: OtelSdk | undefined;

export function loadOtelSdk(): OtelSdk {
  if (sdk) return sdk;
  const bundled = path.join(__dirname, "otel-sdk.bundle.js");
  if (fs.existsSync(bundled)) {
    try {
      return (sdk = requireWithCodeCache(bundled) as OtelSdk);
    } catch (err) {
      debug(`the bundled OpenTelemetry SDK could not be loaded (${(err as Error)?.message ?? err}); loading the packages`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (sdk = require("./export/otel-sdk") as OtelSdk);
}
