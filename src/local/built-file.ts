/** A file the build writes next to this module's compiled copy (dist/local/…); from the sources (tests), the build's copy. */
import fs = require("node:fs");
import path = require("node:path");

export function builtFile(relative: string): string | undefined {
  const candidates = [path.join(__dirname, relative), path.resolve(__dirname, "../../dist/local", relative)];
  return candidates.find((file) => fs.existsSync(file));
}
