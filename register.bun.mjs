// bun --preload @inference/tracing/register app.ts   (or preload = [...] in bunfig.toml)
// Bun has no working loader hooks: CommonJS goes through require-in-the-middle and ESM
// SDKs the app depends on are loaded and patched here, before the app's imports run.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
// preload.bun.js is the preload bundle with Bun bytecode beside it (scripts/build.mjs)
const bundle = "./dist/preload.bun.js";
// the SDKs the app imports are imported (and patched) here, before the app's own imports run
await require(bundle).preload({ door: "bun", loaderUrl: new URL("./loader.mjs", import.meta.url).href }).ready;
