/**
 * What an integration is: mostly data. The registry of these declarations drives the CommonJS
 * hook, the ESM allowlist, the eager ESM loads, setup({ modules }), installResults, package.json's
 * subpaths and optional peers, and the README's table (a test checks the last three).
 */
import type { Tracer } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

export type ModuleFormat = "cjs" | "esm" | "explicit";

/** How ES modules are reached in this process (chosen once by the preload; see hooks/esm-hook.ts). */
export type EsmMode = "sync" | "loader" | "eager" | "off";

export interface TracerSource {
  /** The tracer of this install: ours, or the provider given to install…({ tracerProvider }). */
  readonly tracer: Tracer;
}

/** The settings an integration may read; config.ts resolves them with every other setting. */
export interface IntegrationConfig {
  /** Longest attribute value kept: text an integration holds at call time is cut to it. */
  readonly maxAttributeLength: number;
  /** OpenAI streams: ask for usage (stream_options.include_usage) and hide the extra chunk from the app. */
  readonly openaiIncludeUsage: boolean;
  /** Record embedding vectors (off by default: they are large and rarely read). */
  readonly recordEmbeddingVectors: boolean;
  /** Stitch a script's model calls that continue one conversation into one run (src/runs/stitch.ts). */
  readonly stitch: boolean;
  /** A stitched run ends after this long without a model call. */
  readonly stitchIdleMillis: number;
  /** Node and Bun MCP servers the app starts over stdio get the preload and these settings' variables. */
  readonly mcpStdioServers: boolean;
}

/** Everything a patch gets: one per install, never a module global. */
export interface PatchContext extends TracerSource {
  readonly config: IntegrationConfig;
  /** Installed version of the package, or undefined when unknown (explicit modules). */
  readonly version: string | undefined;
  readonly format: ModuleFormat;
  /** Which package name (or package/file) the hook matched. */
  readonly moduleName: string;
  /** The ESM mechanism the preload installed ("off" when none, e.g. setup() without the preload). */
  readonly esmMode: EsmMode;
  /** Whether the configuration enables an integration (by key), for integrations that build on another. */
  isEnabled(key: string): boolean;
  debug(message: string): void;
  /**
   * One SDK call this integration is responsible for tracing, where no span starts at once through
   * the kit's traced call (a telemetry callback of the SDK, options it turned on): calls noted with
   * no span started through `tracer` are reported once on stderr (hooks/coverage.ts).
   */
  noteCall(): void;
}

/** What onSetup gets: the install's tracer and settings, before any package has loaded. */
export interface SetupContext extends Pick<PatchContext, "tracer" | "config" | "isEnabled" | "debug"> {
  /** Whether the app's package.json lists this package (dependencies of any kind). */
  appDependsOn(packageName: string): boolean;
}

export interface Integration<K extends string = string> {
  /** setup({ modules }) key, also used by CATALYST_INSTRUMENTATIONS. */
  readonly key: K;
  /** Human name for logs and the README. */
  readonly displayName: string;
  /** npm packages whose entry the hooks watch. The first one is the main package. */
  readonly packages: readonly string[];
  /** The subpath that publishes this integration's helpers (`@inference/tracing/<subpath>`). */
  readonly subpath: string;
  /**
   * Files inside a package to hook as well, relative to the package folder, without extension
   * (e.g. "dist/callbacks/manager"): the CommonJS hook and import-in-the-middle match them in
   * either build, and the eager ESM mode and setup() after the app's imports load or find them.
   */
  readonly files?: readonly string[];
  /**
   * The ES module twins of `files` (with extension) that the eager ESM mode loads from the package
   * folder, for packages whose ESM entry does not lead to them (an empty root entry, say).
   */
  readonly esmFiles?: readonly string[];
  /**
   * True when the SDK can only be traced in ESM by replacing its exports (a namespace is
   * read-only), which needs import-in-the-middle: the automatic ESM mode then uses the sync
   * hooks for apps that import this package, where the runtime has them. A semver range instead:
   * only the main package's versions in that range need it (as the app's folder resolves it).
   */
  readonly esmNeedsRebinding?: boolean | string;
  /**
   * Integrations this one is traced through (LangGraph through LangChain): naming this one in
   * CATALYST_INSTRUMENTATIONS turns them on too, unless they are disabled by name.
   */
  readonly uses?: readonly string[];
  /** Supported versions of the main package (semver range). */
  readonly versionRange: string;
  /**
   * Patch the loaded module in place. Must be idempotent (kit/wrap.ts marks what it wrapped),
   * never replace namespace bindings, and may throw: the caller catches and reports.
   * Returns false when nothing patchable was found in these exports. A CommonJS module whose
   * exports cannot be changed (non-configurable getters) may return `{ replacementExports }`:
   * the require hook then hands that object out instead (and caches it for later requires).
   */
  patch(moduleExports: any, ctx: PatchContext): boolean | void | { replacementExports: object };
  /** Optional: does this object (module, class or client) belong to this SDK? Used by instrument(). */
  detect?(candidate: unknown): boolean;
  /** Optional: anything to do once at setup, whether or not the package has loaded yet (a global hook). */
  onSetup?(ctx: SetupContext): void;
  /**
   * Optional: an export-time mapping of this SDK's own OpenTelemetry spans to OpenInference
   * (for spans the SDK emits natively, also when the app turned its telemetry on itself).
   * Runs on every finished span before cost, privacy and size limits, only while this
   * integration is enabled; must ignore spans that are not this SDK's and never overwrite keys
   * already set.
   */
  exportTransform?(attributes: Record<string, unknown>, span: ReadableSpan): void;
}

export interface InstallResult {
  key: string;
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

/** A declaration with its key's literal type kept, so the registry can derive the key union. */
export function defineIntegration<K extends string>(integration: Integration<K>): Integration<K> {
  return integration;
}
