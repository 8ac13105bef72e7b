/**
 * The one place that decides whether and how a loaded module gets patched:
 * enabled? version in range? already patched? Then calls the integration's patch,
 * catching anything it throws, and records the outcome for installResults.
 */
import { inVersionRange } from "./version-range";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { TRACER_NAME, TRACER_VERSION } from "../state";
import type { Config } from "../config";
import type { InstallResult, Integration, ModuleFormat, PatchContext } from "../integrations/types";
import { debug } from "../util/log";

export class Instrumenter {
  readonly results = new Map<string, InstallResult>();
  private readonly seen = new WeakSet<object>();

  constructor(
    readonly integrations: Integration[],
    private readonly getTracer: () => Tracer,
    private readonly config: Config,
  ) {
    for (const i of integrations) {
      this.results.set(i.key, {
        key: i.key,
        displayName: i.displayName,
        packageName: i.packages[0]!,
        detected: false,
        patched: false,
        formats: [],
      });
    }
  }

  /** Integrations the configuration allows (CATALYST_INSTRUMENTATIONS / _DISABLED_…). */
  isEnabled(i: Integration): boolean {
    const names = (list: string[]) => list.some((n) => n === i.key || i.packages.includes(n));
    if (this.config.instrumentations && !names(this.config.instrumentations)) return false;
    if (this.config.disabledInstrumentations && names(this.config.disabledInstrumentations)) return false;
    return true;
  }

  byPackage(name: string): Integration | undefined {
    return this.integrations.find((i) => i.packages.includes(name));
  }

  /**
   * Patch one loaded copy of a module. `moduleName` is the package (or package/file)
   * the hook matched; `baseDir` the package folder when known.
   */
  patch(
    i: Integration,
    exports: unknown,
    format: ModuleFormat,
    moduleName: string,
    baseDir?: string,
    version?: string,
    tracerProvider?: TracerProvider,
  ): object | undefined {
    const result = this.results.get(i.key)!;
    result.detected = true;
    if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return undefined;
    if (this.seen.has(exports as object)) return undefined;
    this.seen.add(exports as object);

    const v = version ?? (baseDir ? readVersion(baseDir) : undefined);
    if (v && !result.version) result.version = v;
    if (v && format !== "explicit" && moduleName === i.packages[0]) {
      if (!inVersionRange(v, i.versionRange)) {
        result.skippedReason = `version ${v} is outside the supported range ${i.versionRange}`;
        debug(`${i.displayName}: ${moduleName}@${v} (${format}) left unpatched: outside supported range ${i.versionRange}`);
        return undefined;
      }
    }
    const own = tracerProvider?.getTracer(TRACER_NAME, TRACER_VERSION);
    const tracerGetter = own ? () => own : this.getTracer;
    const ctx: PatchContext = {
      get tracer() {
        return tracerGetter();
      },
      config: this.config,
      version: v,
      format,
      moduleName,
      debug: (m: string) => debug(`${i.displayName}: ${m}`),
    };
    try {
      const patched = i.patch(exports, ctx);
      if (patched === false) {
        debug(`${i.displayName}: nothing to patch in ${moduleName} (${format})`);
        return undefined;
      }
      result.patched = true;
      if (!result.formats.includes(format)) result.formats.push(format);
      debug(`patched ${moduleName}@${v ?? "unknown"} (${format})`);
      if (patched && typeof patched === "object" && patched.replacementExports) {
        this.seen.add(patched.replacementExports);
        return patched.replacementExports;
      }
    } catch (err) {
      result.error = (err as Error)?.message ?? String(err);
      debug(`${i.displayName}: patching ${moduleName} (${format}) failed, the module loads unpatched: ${(err as Error)?.stack ?? err}`);
    }
  }

  snapshot(): InstallResult[] {
    return [...this.results.values()].map((r) => ({ ...r, formats: [...r.formats] }));
  }
}

export function readVersion(baseDir: string): string | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(baseDir, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}
