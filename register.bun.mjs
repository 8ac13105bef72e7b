// bun --preload @inference/tracing/register app.ts   (or preload = [...] in bunfig.toml)
// Bun has no working loader hooks: CommonJS goes through require-in-the-middle and ESM
// SDKs the app depends on are loaded and patched here, before the app's imports run.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
// the SDKs the app imports are imported (and patched) here, before the app's own imports run
await require("./dist/preload.js").preload({ door: "bun", loaderUrl: new URL("./loader.mjs", import.meta.url).href }).ready;
