// node --import @inference/tracing/register app.mjs   (also via NODE_OPTIONS)
// The core is CommonJS so --import and --require share one instance of it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
require("./dist/preload.js").preload({ door: "import", loaderUrl: new URL("./loader.mjs", import.meta.url).href });
