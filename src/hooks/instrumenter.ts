/**
 * The one place that decides whether and how a loaded module gets patched:
 * enabled? version in range? already patched? Then calls the integration's patch with its
 * context, catching anything it throws, and records the outcome for installResults.
 */
import fs = require("node:fs");
import path = require("node:path");
import type { Tracer, TracerProvider } from "@opentelemetry/api";
import { TRACER_NAME, TRACER_VERSION } from "../package-info";
import type { EsmMode, InstallResult, Integration, IntegrationConfig, ModuleFormat, PatchContext, SetupContext } from "../integrations/types";
import { debug, internalError, warn, warnOnce } from "../util/log";
import { Coverage } from "./coverage";
import { noteEsmPackage } from "./otel-api-copies";
import { appManifest } from "./resolve";
import { inVersionRange } from "./version-range";

/** The settings the instrumenter reads: which integrations are on, and what integrations may read. */
export interface InstrumenterConfig extends IntegrationConfig {
  instrumentations?: string[];
  disabledInstrumentations?: string[];
}

export interface PatchTarget {
  format: ModuleFormat;
  /** The package (or package/file) the hook matched. */
  moduleName: string;
  /** The package folder, when known (its package.json gives the version). */
  baseDir?: string;
  version?: string;
  /** install…({ tracerProvider }): this install's spans go through that provider's tracer. */
  tracerProvider?: TracerProvider;
}

export class Instrumenter {
  readonly results = new Map<string, InstallResult>();
  /** Per integration: calls noted vs spans started (see coverage.ts). */
  private readonly coverage = new Map<string, Coverage>();
  private readonly seen = new WeakSet<object>();
  /** Set by the ESM hook once it is installed; "off" until then. */
  esmMode: EsmMode = "off";

  constructor(
    readonly integrations: readonly Integration[],
    private readonly getTracer: () => Tracer,
    private readonly config: InstrumenterConfig,
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
      const result = this.results.get(i.key)!;
      this.coverage.set(i.key, new Coverage(() => ({ displayName: i.displayName, packageName: result.packageName, version: result.version })));
    }
    if (integrations.length > 0) this.warnUnknownNames();
  }

  /** A name in CATALYST_INSTRUMENTATIONS / _DISABLED_… that matches no integration is a typo: say so once. */
  private warnUnknownNames(): void {
    const known = new Set(this.integrations.flatMap((i) => [i.key, ...i.packages]));
    for (const [what, list] of [
      ["instrumentations", this.config.instrumentations],
      ["disabledInstrumentations", this.config.disabledInstrumentations],
    ] as const) {
      const unknown = (list ?? []).filter((n) => !known.has(n));
      if (unknown.length === 0) continue;
      const keys = this.integrations.map((i) => i.key).join(", ");
      warn(`${what}: ${unknown.map((n) => `"${n}"`).join(", ")} name${unknown.length > 1 ? "" : "s"} no integration (expected keys such as ${keys}, or their package names); ignored.`);
    }
  }

  /** Integrations the configuration allows (CATALYST_INSTRUMENTATIONS / _DISABLED_…). */
  isEnabled(i: Integration): boolean {
    const { instrumentations, disabledInstrumentations } = this.config;
    const named = (list: string[], x: Integration) => list.some((n) => n === x.key || x.packages.includes(n));
    if (disabledInstrumentations && named(disabledInstrumentations, i)) return false;
    if (!instrumentations || named(instrumentations, i)) return true;
    // an integration traced through this one (LangGraph through LangChain) turns it on
    return this.integrations.some((o) => o.uses?.includes(i.key) && named(instrumentations, o));
  }

  enabled(): Integration[] {
    return this.integrations.filter((i) => this.isEnabled(i));
  }

  byPackage(name: string): Integration | undefined {
    return this.integrations.find((i) => i.packages.includes(name));
  }

  byKey(key: string): Integration | undefined {
    return this.integrations.find((i) => i.key === key);
  }

  /** What an integration's onSetup gets. */
  setupContext(i: Integration): SetupContext {
    const getTracer = this.getTracer;
    return {
      get tracer() {
        return getTracer();
      },
      config: this.config,
      isEnabled: (key) => {
        const other = this.byKey(key);
        return !!other && this.isEnabled(other);
      },
      debug: (m) => debug(`${i.displayName}: ${m}`),
      appDependsOn: (name) => !!appManifest()?.deps.has(name),
    };
  }

  /** Run every enabled integration's onSetup once. */
  runSetupHooks(): void {
    for (const i of this.enabled()) {
      if (!i.onSetup) continue;
      try {
        i.onSetup(this.setupContext(i));
      } catch (err) {
        internalError(`${i.key}.onSetup`, err);
      }
    }
  }

  /**
   * Patch one loaded copy of a module. Returns replacement exports when the integration had to
   * replace a CommonJS module's exports.
   */
  patch(i: Integration, exports: unknown, target: PatchTarget): object | undefined {
    const result = this.results.get(i.key)!;
    result.detected = true;
    if (!exports || (typeof exports !== "object" && typeof exports !== "function")) return undefined;
    if (this.seen.has(exports as object)) return undefined;
    this.seen.add(exports as object);

    const { format, moduleName } = target;
    const v = target.version ?? (target.baseDir ? readVersion(target.baseDir) : undefined);
    if (v && !result.version) result.version = v;
    const main = i.packages[0]!;
    // the main package and the files inside it (not another package of the integration, whose versions differ)
    if (v && format !== "explicit" && (moduleName === main || moduleName.startsWith(`${main}/`))) {
      if (!inVersionRange(v, i.versionRange)) {
        result.skippedReason = `version ${v} is outside the supported range ${i.versionRange}`;
        warnOnce(`range:${main}@${v}`, `${main}@${v} is outside the versions of ${i.displayName} we support (${i.versionRange}): it is not traced; the app runs unchanged.`);
        return undefined;
      }
    }
    if (format === "esm" && target.baseDir) noteEsmPackage(target.baseDir);
    const own = target.tracerProvider?.getTracer(TRACER_NAME, TRACER_VERSION);
    const setup = this.setupContext(i);
    const instrumenter = this;
    const coverage = this.coverage.get(i.key)!;
    let counted: { inner: Tracer; tracer: Tracer } | undefined;
    const ctx: PatchContext = {
      get tracer() {
        const inner = own ?? setup.tracer;
        if (counted?.inner !== inner) counted = { inner, tracer: coverage.countingTracer(inner) };
        return counted.tracer;
      },
      noteCall: () => coverage.noteCall(),
      config: setup.config,
      isEnabled: setup.isEnabled,
      debug: setup.debug,
      version: v,
      format,
      moduleName,
      get esmMode() {
        return instrumenter.esmMode;
      },
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
    return undefined;
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
