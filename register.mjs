// node --import @inference/tracing/register app.mjs   (also via NODE_OPTIONS)
// The core is CommonJS so --import and --require share one instance of it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
// compiled with a V8 code cache (dist/boot/code-cache.js): most of the preload's start-up cost is compiling it
require("./dist/boot/code-cache.js").requireWithCodeCache(require.resolve("./dist/preload.js")).preload({ door: "import", loaderUrl: new URL("./loader.mjs", import.meta.url).href });
