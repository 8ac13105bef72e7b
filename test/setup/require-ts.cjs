// In-process tests import our TypeScript sources through Vitest. Where the sources load a
// module lazily with require() (the OpenTelemetry pipeline, say), Node's own CommonJS loader
// runs: teach it .ts files too, compiled with esbuild, so the lazy paths work in tests as in dist/.
const fs = require("node:fs");
const Module = require("node:module");
const { transformSync } = require("esbuild");

if (!Module._extensions[".ts"]) {
  Module._extensions[".ts"] = function compileTs(module, filename) {
    const { code } = transformSync(fs.readFileSync(filename, "utf8"), {
      loader: "ts",
      format: "cjs",
      target: "node20",
      sourcefile: filename,
      sourcemap: "inline",
    });
    module._compile(code, filename);
  };
}
