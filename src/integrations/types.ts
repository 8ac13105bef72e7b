/**
 * What an integration is: mostly data. The registry of these declarations drives
 * the CommonJS hook, the ESM allowlist, the Bun eager path, setup({ modules }),
 * installResults and the README's table.
 */
import type { Tracer } from "@opentelemetry/api";
import type { Config } from "../config";
import type { ModuleKey } from "./keys";

export type ModuleFormat = "cjs" | "esm" | "explicit";

export interface PatchContext {
  /** Our tracer; read it at call time (it is stable once setup() ran). */
  readonly tracer: Tracer;
  readonly config: Config;
  /** Installed version of the package, or undefined when unknown (explicit modules). */
  readonly version: string | undefined;
  readonly format: ModuleFormat;
  /** Which package name (or package/file) the hook matched. */
  readonly moduleName: string;
  debug(message: string): void;
}

export interface Integration {
  /** setup({ modules }) key, also used by CATALYST_INSTRUMENTATIONS. */
  key: ModuleKey;
  /** Human name for logs and the README. */
  displayName: string;
  /** npm packages whose entry the hooks watch. The first one is the main package. */
  packages: string[];
  /**
   * Files inside a package to hook as well, relative to the package folder
   * (e.g. "dist/callbacks/manager.cjs"; the extension is ignored when matching).
   */
  files?: string[];
  /**
   * True when the SDK can only be traced in ESM by replacing its exports (a namespace is
   * read-only), which needs import-in-the-middle: the automatic ESM mode then uses the sync
   * hooks for apps that import this package, where the runtime has them.
   */
  esmNeedsRebinding?: boolean;
  /** Supported versions of the main package (semver range). */
  versionRange: string;
  /**
   * Patch the loaded module in place. Must be idempotent (mark what you wrapped),
   * never replace namespace bindings, and may throw: the caller catches and reports.
   * Returns false when nothing patchable was found in these exports. A CommonJS module whose
   * exports cannot be changed (non-configurable getters) may return `{ replacementExports }`:
   * the require hook then hands that object out instead (and caches it for later requires).
   */
  patch(moduleExports: any, ctx: PatchContext): boolean | void | { replacementExports: object };
  /** Optional: does this object (module, class or client) belong to this SDK? Used by instrument(). */
  detect?(candidate: unknown): boolean;
  /**
   * Optional: anything to do once at setup (a processor for native OTel spans,
   * a global telemetry hook). Called whether or not the package has loaded yet.
   */
  onSetup?(ctx: Omit<PatchContext, "version" | "format" | "moduleName">): void;
  /**
   * Optional: an export-time mapping of this SDK's own OpenTelemetry spans to OpenInference
   * (for spans the SDK emits natively, also when the app turned its telemetry on itself).
   * Runs on every finished span before cost, privacy and size limits; must ignore spans that
   * are not this SDK's and never overwrite keys already set.
   */
  exportTransform?(attributes: Record<string, unknown>, span: import("@opentelemetry/sdk-trace-base").ReadableSpan): void;
}

export interface InstallResult {
  key: ModuleKey;
  displayName: string;
  packageName: string;
  detected: boolean;
  patched: boolean;
  version?: string;
  /** How each patched copy was reached: cjs, esm, explicit. */
  formats: ModuleFormat[];
  error?: string;
  skippedReason?: string;
}
