// node --require @inference/tracing/register app.cjs
// Starts tracing (shared instance with every other door) and installs the load hooks.
// compiled with a V8 code cache (dist/boot/code-cache.js): most of the preload's start-up cost is compiling it
require("./dist/boot/code-cache.js").requireWithCodeCache(require.resolve("./dist/preload.js")).preload({ door: "require", loaderUrl: require("node:url").pathToFileURL(require("node:path").join(__dirname, "loader.mjs")).href });
