/**
 * One require-in-the-middle hook for every integration's packages (and the files
 * inside them an integration asks for). Exports are patched in place and returned
 * unchanged.
 */
import * as path from "node:path";
import type { Instrumenter } from "./instrumenter";
import { internalError } from "../util/log";

let installed: { unhook(): void } | undefined;

export function installCjsHook(instrumenter: Instrumenter): void {
  if (installed) return;
  const wanted = instrumenter.integrations.filter((i) => instrumenter.isEnabled(i));
  const names = [...new Set(wanted.flatMap((i) => i.packages))];
  if (names.length === 0) return;
  const files = new Map<string, string>(); // "pkg/rel/file" without extension -> pkg
  for (const i of wanted) for (const f of i.files ?? []) for (const p of i.packages) files.set(stripExt(`${p}/${f}`), p);
  const needInternals = files.size > 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Hook } = require("require-in-the-middle") as typeof import("require-in-the-middle");
  installed = new Hook(names, { internals: needInternals }, (exports, name, baseDir) => {
    try {
      const normalized = name.split(path.sep).join("/");
      const pkg = files.get(stripExt(normalized)) ?? (names.includes(normalized) ? normalized : undefined);
      if (!pkg) return exports;
      const integration = instrumenter.byPackage(pkg);
      if (integration) instrumenter.patch(integration, exports, "cjs", normalized, baseDir);
    } catch (err) {
      internalError("cjs-hook", err);
    }
    return exports;
  });
}

export function stripExt(p: string): string {
  return p.replace(/\.(c|m)?js$/, "");
}
