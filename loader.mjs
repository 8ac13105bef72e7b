// ESM loader hooks (module.register, or --experimental-loader on old Node).
// import-in-the-middle does the work; we make sure it only ever wraps the packages our
// integrations name, also under --experimental-loader where initialize() is never called.
import { createRequire } from "node:module";
import * as iitm from "import-in-the-middle/hook.mjs";

const require = createRequire(import.meta.url);
let initialized = false;

export async function initialize(data) {
  initialized = true;
  await iitm.initialize(data ?? require("./dist/hooks/esm-defaults.js").defaultLoaderData());
}

export async function resolve(specifier, context, next) {
  if (!initialized) await initialize();
  return iitm.resolve(specifier, context, next);
}

export async function load(url, context, next) {
  if (!initialized) await initialize();
  return iitm.load(url, context, next);
}
