/**
 * loadOtelSdk() as the bundle runtime has it (scripts/build.mjs puts this file in place of
 * src/otel-sdk-loader.ts when it builds dist/bundle-runtime.js): there the SDK is part of the
 * runtime file itself, so there is no file to load with a code cache and no require() to make,
 * neither of which a bundler can take in (webpack rewrites require, an ES module bundle has none).
 * @opentelemetry/api stays a package import there, so the app's bundle keeps one copy of it, shared
 * with the SDKs that take tracers from it.
 */
import * as sdk from "../export/otel-sdk";

export function loadOtelSdk(): typeof sdk {
  return sdk;
}
