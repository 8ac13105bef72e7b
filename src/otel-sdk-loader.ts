/**
 * Loads the OpenTelemetry SDK for the export pipeline: the bundled copy the build makes
 * (dist/otel-sdk.bundle.js, through the V8 code cache), else the packages themselves. This file
 * sits at the top of src/ so that `__dirname` is dist/ both in the preload bundle and in the
 * per-file build.
 */
import fs = require("node:fs");
import path = require("node:path");
import * as api from "@opentelemetry/api";
import { requireWithCodeCache } from "./boot/code-cache";
import { debug } from "./util/log";
import { bundledOtelApi } from "./hooks/otel-api-copies";

type OtelSdk = typeof import("./export/otel-sdk");
let sdk: OtelSdk | undefined;

export function loadOtelSdk(): OtelSdk {
  if (sdk) return sdk;
  const bundled = path.join(__dirname, "otel-sdk.bundle.js");
  if (fs.existsSync(bundled)) {
    try {
      return (sdk = requireWithCodeCache(bundled, process.env, { "@opentelemetry/api": sharedApi(bundled) }) as OtelSdk);
    } catch (err) {
      debug(`the bundled OpenTelemetry SDK could not be loaded (${(err as Error)?.message ?? err}); loading the packages`);
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (sdk = require("./export/otel-sdk") as OtelSdk);
}

/**
 * The @opentelemetry/api the SDK bundle registers the provider through. If the copy in
 * node_modules is loaded already, another library may hold a proxy tracer from it (the Anthropic
 * SDK takes one when a client is made): registering through that copy hands those proxies the
 * provider; the same goes for the copy an app's bundle carries, which bundles built with our
 * plugins hand over. If nobody loaded one, ours (already in memory) does the same job without the
 * ~25 ms it takes to load the package's files.
 */
function sharedApi(from: string): unknown {
  const bundled = bundledOtelApi();
  if (bundled) return bundled;
  try {
    const file = require.resolve("@opentelemetry/api", { paths: [path.dirname(from)] });
    return require.cache[file]?.exports ?? api;
  } catch {
    return api;
  }
}
