// node --require @inference/tracing/register app.cjs
// Starts tracing (shared instance with every other door) and installs the load hooks.
require("./dist/preload").preload({ door: "require", loaderUrl: require("node:url").pathToFileURL(require("node:path").join(__dirname, "loader.mjs")).href });
