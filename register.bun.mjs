// bun --preload @inference/tracing/register app.ts   (or preload = [...] in bunfig.toml)
// Bun has no working loader hooks: CommonJS goes through our require hook and ESM
// SDKs the app depends on are loaded and patched here, before the app's imports run.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
// preload.bun.js is the preload bundle with Bun bytecode beside it (scripts/build.mjs); a Bun too old
// for its format (`// @bun @bytecode @bun-cjs`, Bun 1.1.0 for one) evaluates it to an empty module
const bundle = require("./dist/preload.bun.js");
const { preload } = typeof bundle.preload === "function" ? bundle : require("./dist/preload.js");
// the SDKs the app imports are imported (and patched) here, before the app's own imports run
await preload({ door: "bun", loaderUrl: new URL("./loader.mjs", import.meta.url).href }).ready;
