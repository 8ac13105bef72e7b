/**
 * Export time: the tracer provider and its processors. Built on first use so that
 * the preload costs almost nothing at start-up (the OpenTelemetry SDK loads when the
 * first span starts, not when the app boots).
 */
import { ProxyTracerProvider, trace, type TracerProvider } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Context } from "@opentelemetry/api";
import type { Config } from "../config";
import { debug, internalError } from "../util/log";
import { IdentityProcessor } from "./identity-processor";
import { ConsoleTreeExporter, JsonlFileExporter, LocalSinkProcessor } from "./local-sink";
import { describeDestination } from "../announce";
import { ExportQueueProcessor } from "./export-queue";
import { PooledIdGenerator } from "./id-generator";
import { ExporterTransport, OtlpHttpTransport } from "./otlp-transport";
import { warnOnce } from "../util/log";
import { loadOtelSdk } from "../otel-sdk-loader";
import { completeApiCopies } from "../hooks/otel-api-copies";
import { END_REASON_ATTR, INCOMPLETE_ATTR } from "../util/fault";
import { globalState } from "../state";
import type { MetricsExporter } from "./metrics";
import { noteContextReadInCalls } from "../spans/context-manager";
import { TRACER_NAME } from "../package-info";

export interface Pipeline {
  provider: TracerProvider;
  /** Our own provider (also when we attached to a foreign one). */
  ownProvider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  /** How our spans reach our exporters: "registered", "attached" to a foreign provider, or "unregistered". */
  mode: "registered" | "attached" | "unregistered";
  composite: CompositeProcessor;
  destination: string;
  consoleSink?: ConsoleTreeExporter;
  fileSink?: JsonlFileExporter;
}

/**
 * An export-time change to a finished span's attributes, handed in by setup() (src/transforms/).
 * Runs once per span, before any exporter sees it; it may add, replace or delete keys in place.
 */
export type SpanTransform = (attributes: Record<string, unknown>, span: ReadableSpan) => void;

/**
 * A transform that works off the main thread (a tokenizer in a worker): it runs before the
 * synchronous ones, on the spans it wants, and the span waits for it before any exporter sees it.
 */
export interface AsyncSpanTransform {
  wants(attributes: Record<string, unknown>): boolean;
  run(attributes: Record<string, unknown>, span: ReadableSpan): Promise<void>;
}

/**
 * The spans started and not yet ended. A span the app drops without ending it (a stream it never
 * reads) must still be garbage-collected, so spans are held weakly, but a WeakRef costs ~2–3 µs
 * and nearly every span ends within a second: a new span is held strongly in `young`, and only
 * the spans still open when a second has passed are moved to weak references.
 */
class OpenSpans {
  private young = new Set<Span>();
  private readonly old = new Set<WeakRef<Span>>();
  private promotedAt = Date.now();
  private sweepAt = 1024;
  add(span: Span): void {
    this.young.add(span);
    const now = Date.now();
    if (now - this.promotedAt >= PROMOTE_AFTER_MS) this.promote(now);
  }
  delete(span: Span): void {
    if (this.young.delete(span)) return;
    const ref = (span as { [OLD_REF]?: WeakRef<Span> })[OLD_REF];
    if (ref) this.old.delete(ref);
  }
  private promote(now: number): void {
    this.promotedAt = now;
    for (const span of this.young) {
      const ref = new WeakRef(span);
      (span as { [OLD_REF]?: WeakRef<Span> })[OLD_REF] = ref;
      this.old.add(ref);
    }
    this.young = new Set();
    if (this.old.size >= this.sweepAt) {
      for (const r of this.old) if (r.deref() === undefined) this.old.delete(r);
      this.sweepAt = Math.max(1024, this.old.size * 2);
    }
  }
  /** Every span still open, oldest first; the set is emptied. */
  takeAll(): Span[] {
    const spans: Span[] = [];
    for (const r of this.old) {
      const span = r.deref();
      if (span) spans.push(span);
    }
    spans.push(...this.young);
    this.old.clear();
    this.young = new Set();
    return spans;
  }
}
const PROMOTE_AFTER_MS = 1000;
const OLD_REF = Symbol("@inference/tracing.openSpanRef");
/** A span's transform state: its asynchronous step under way, or all transforms done. */
const TRANSFORMED = Symbol("@inference/tracing.transformed");
type TransformState = Promise<void> | true;

/**
 * All our processors behind one SpanProcessor, so it can be attached to a foreign provider in one go.
 *
 * The export transforms run once per span, before any exporter sees it. When every processor is an
 * export queue (the usual OTLP set-up), they run when the span's batch is sent (`prepare()`, called by
 * the queue) rather than inside span.end(), i.e. off the app's await path. A queue that cannot send
 * soon (a request in flight, export failing) prepares spans as they arrive, so what waits in it
 * stays as bounded by the size limits as before. Attached to the app's own provider, spans are
 * transformed as they end (see transformAtEnd()).
 */
export class CompositeProcessor implements SpanProcessor {
  endedSinceFlush = 0;
  /** Spans started and not yet ended: ended (marked incomplete) when the process exits under them. */
  private readonly open = new OpenSpans();
  /** Ended spans waiting for an asynchronous transform before the processors see them (transforms at end). */
  private readonly held = new Set<ReadableSpan>();
  private readonly holding = new Set<Promise<void>>();
  constructor(
    readonly processors: SpanProcessor[],
    readonly transforms: SpanTransform[] = [],
    /** The transforms wait for the export queues to call prepare(). */
    private deferTransforms = false,
    readonly asyncTransforms: AsyncSpanTransform[] = [],
    /** CATALYST_FLUSH=request (setWaitUntil() turns it on too): export what is queued whenever a root span ends. */
    private readonly flushOnRootEnd = false,
  ) {}

  /**
   * Transform every span as it ends. Used when we are attached to the app's own provider: its
   * processors hold the same span objects, and their (batched) exports must keep seeing our
   * redactions however their timers and ours fall.
   */
  transformAtEnd(): void {
    this.deferTransforms = false;
  }

  /**
   * Run the export transforms on `span`, once (at its end, or when a queue is about to export it).
   * A promise when an asynchronous transform wants the span: the span is ready when it settles.
   */
  prepare(span: ReadableSpan): void | Promise<void> {
    const marked = span as ReadableSpan & { [TRANSFORMED]?: TransformState };
    const state = marked[TRANSFORMED];
    if (state !== undefined) return state === true ? undefined : state;
    const attributes = span.attributes as Record<string, unknown>;
    const wanted = this.asyncTransforms.filter((t) => {
      try {
        return t.wants(attributes);
      } catch (err) {
        internalError("async attribute transform", err);
        return false;
      }
    });
    if (wanted.length === 0) {
      marked[TRANSFORMED] = true;
      return this.runTransforms(span);
    }
    const pending: Promise<void> = Promise.all(wanted.map((t) => t.run(attributes, span).catch((err) => internalError("async attribute transform", err)))).then(() => {
      // the exit export may have finished the span meanwhile (prepareNow)
      if (marked[TRANSFORMED] !== pending) return;
      marked[TRANSFORMED] = true;
      this.runTransforms(span);
    });
    marked[TRANSFORMED] = pending;
    return pending;
  }

  /** The synchronous transforms now, whatever asynchronous step is still under way (the exit export cannot wait). */
  prepareNow(span: ReadableSpan): void {
    const marked = span as ReadableSpan & { [TRANSFORMED]?: TransformState };
    if (marked[TRANSFORMED] === true) return;
    marked[TRANSFORMED] = true;
    this.runTransforms(span);
  }

  private runTransforms(span: ReadableSpan): void {
    for (const t of this.transforms) {
      try {
        // the SDK's ended span keeps a plain attributes object: transforms edit it in place
        t(span.attributes as Record<string, unknown>, span);
      } catch (err) {
        internalError("attribute transform", err);
      }
    }
  }

  /**
   * End every span still open, marked incomplete, so the export at exit carries them (an agent
   * run cut short by process.exit() or a signal shows up instead of vanishing). Returns how many.
   */
  endOpenSpans(reason: string): number {
    const spans = this.open.takeAll();
    // innermost first: a parent's end time is never before its children's
    for (let i = spans.length - 1; i >= 0; i--) {
      const span = spans[i]!;
      try {
        span.setAttribute(INCOMPLETE_ATTR, true);
        span.setAttribute(END_REASON_ATTR, reason);
        span.end();
      } catch (err) {
        internalError("endOpenSpans", err);
      }
    }
    if (spans.length > 0) debug(`${reason}: ended ${spans.length} open span(s), marked ${INCOMPLETE_ATTR}`);
    return spans.length;
  }

  onStart(span: Span, parentContext: Context): void {
    this.open.add(span);
    for (const p of this.processors) {
      try {
        p.onStart(span, parentContext);
      } catch (err) {
        internalError("processor.onStart", err);
      }
    }
  }
  onEnd(span: ReadableSpan): void {
    this.endedSinceFlush++;
    this.open.delete(span as Span);
    const pending = this.deferTransforms ? undefined : this.prepare(span);
    if (!pending) return this.deliver(span);
    // the processors read spans as they end here: they get this one once its asynchronous step is done
    this.held.add(span);
    const done = pending.then(() => {
      this.holding.delete(done);
      if (this.held.delete(span)) this.deliver(span);
    });
    this.holding.add(done);
  }

  private deliver(span: ReadableSpan): void {
    for (const p of this.processors) {
      try {
        p.onEnd(span);
      } catch (err) {
        internalError("processor.onEnd", err);
      }
    }
    if ((this.flushOnRootEnd || globalState().waitUntil) && isLocalRoot(span)) handOver(this.forceFlush());
  }

  /** At exit: the spans still waiting for an asynchronous transform go to the processors as they are. */
  releaseHeld(): void {
    for (const span of [...this.held]) {
      this.held.delete(span);
      this.prepareNow(span);
      this.deliver(span);
    }
  }

  async forceFlush(): Promise<void> {
    this.endedSinceFlush = 0;
    if (this.holding.size) await Promise.all(this.holding);
    await Promise.all(this.processors.map((p) => p.forceFlush().catch((e) => internalError("processor.forceFlush", e))));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown().catch((e) => internalError("processor.shutdown", e))));
  }
}

/**
 * A request's (or an invocation's, or a run's) root in this process: a span with no parent, or
 * whose parent came from another process (an incoming traceparent). Keyed on that alone, so any
 * root counts: ours, an HTTP server span, a framework's.
 */
function isLocalRoot(span: ReadableSpan): boolean {
  const s = span as ReadableSpan & { parentSpanContext?: { isRemote?: boolean }; parentSpanId?: string };
  if ("parentSpanContext" in s) return !s.parentSpanContext || s.parentSpanContext.isRemote === true;
  // an SDK 1.x span (a provider of the app's we are attached to) says only whether it has a parent
  return !s.parentSpanId;
}

/** A per-request export, handed to the platform's waitUntil when the app gave us one (setWaitUntil()). */
function handOver(flushed: Promise<void>): void {
  const waitUntil = globalState().waitUntil;
  if (!waitUntil) return;
  try {
    waitUntil(flushed);
  } catch (err) {
    internalError("waitUntil", err);
  }
}

export interface PipelineExtras {
  spanProcessors?: SpanProcessor[];
  exporter?: SpanExporter;
  /** The export-time transforms, in the order they run. */
  transforms: SpanTransform[];
  /** Transforms that work off the main thread; they run first, on the spans they want. */
  asyncTransforms?: AsyncSpanTransform[];
  /** Metrics to export beside the spans, with the same resource (started here, after the span queue). */
  metrics?: MetricsExporter;
}


/* eslint-disable @typescript-eslint/no-require-imports */
export function createPipeline(config: Config, extras: PipelineExtras): Pipeline {
  const otel = loadOtelSdk();

  const queueOptions = (destination: string) => ({
    destination,
    prepare: (span: ReadableSpan) => composite?.prepare(span),
    prepareNow: (span: ReadableSpan) => composite?.prepareNow(span),
    maxQueueSize: config.maxQueueSize,
    // LLM spans are few and long: export soon so an abrupt exit loses little
    maxBatchSize: 512,
    scheduledDelayMillis: config.batching === "simple" ? 0 : 1000,
    exportTimeoutMillis: config.exportTimeoutMillis,
    shutdownTimeoutMillis: config.shutdownTimeoutMillis,
  });

  // eslint-disable-next-line prefer-const -- the export queue's exit hook refers to it before it exists
  let composite: CompositeProcessor | undefined;
  const processors: SpanProcessor[] = [new IdentityProcessor()];
  let consoleSink: ConsoleTreeExporter | undefined;
  let fileSink: JsonlFileExporter | undefined;
  if (config.tracesUrl) {
    warnAboutPlainHttpToken(config);
    processors.push(
      new ExportQueueProcessor(new OtlpHttpTransport(config.tracesUrl, config.headers, config.protocol, config.compression), {
        ...queueOptions(config.tracesUrl),
        // the queue's exit hook may run before setup()'s: spans still open join the last export either way
        beforeExitExport: () => composite?.endOpenSpans("process exit"),
      }),
    );
  } else if (config.console !== "off") {
    consoleSink = new ConsoleTreeExporter(config.console);
    // the tree printer groups by trace itself; a simple processor keeps output prompt
    processors.push(new LocalSinkProcessor(consoleSink));
  }
  if (config.tracesFile) {
    fileSink = new JsonlFileExporter(config.tracesFile);
    processors.push(new LocalSinkProcessor(fileSink));
  }
  if (extras.exporter) {
    processors.push(
      new ExportQueueProcessor(new ExporterTransport(extras.exporter), {
        ...queueOptions("your exporter"),
        exportOnExit: false,
      }),
    );
  }
  for (const p of extras.spanProcessors ?? []) processors.push(p);
  // console and file sinks and the app's own processors read attributes at span end: transform then
  const onlyQueues = processors.every((p) => p instanceof IdentityProcessor || p instanceof ExportQueueProcessor);
  composite = new CompositeProcessor(processors, extras.transforms, onlyQueues, extras.asyncTransforms, config.flush === "request");

  const resourceAttributes: Record<string, string> = { ...config.resourceAttributes, "service.name": config.serviceName };
  if (config.serviceVersion) resourceAttributes["service.version"] = config.serviceVersion;
  if (config.environment) resourceAttributes["deployment.environment"] = config.environment;
  resourceAttributes["telemetry.sdk.language"] = "nodejs";
  resourceAttributes["telemetry.distro.name"] = "@inference/tracing";
  const resource = otel.resourceFromAttributes(resourceAttributes);
  extras.metrics?.start(resourceAttributes);

  const own = new otel.NodeTracerProvider({
    resource,
    spanProcessors: [composite],
    sampler: new otel.AlwaysOnSampler(),
    idGenerator: new PooledIdGenerator(),
    // the SDK's own limit (128 attributes) would drop what is set last, i.e. the output and token
    // counts of a long conversation; our limits transform enforces the real cap at export time
    spanLimits: { attributeCountLimit: SDK_ATTRIBUTE_COUNT_LIMIT, attributeValueLengthLimit: Infinity },
  });

  // a tracer handed to anyone but us means spans we do not start may open inside our calls, which
  // then must enter their span's context (spans/context-manager.ts)
  const getTracer = own.getTracer.bind(own);
  own.getTracer = (name, version, options) => {
    if (name !== TRACER_NAME) noteContextReadInCalls();
    return getTracer(name, version, options);
  };

  const foreign = foreignProvider();
  let mode: Pipeline["mode"] = "registered";
  let provider: TracerProvider = own;
  if (!foreign) {
    // setup() registered the context manager already (spans/context-manager.ts)
    own.register({ contextManager: null });
    completeApiCopies(own);
  } else if (attachTo(foreign, composite)) {
    composite.transformAtEnd();
    mode = "attached";
    provider = foreign;
    debug("an OpenTelemetry tracer provider was already registered: our processors were attached to it (one trace tree, spans reach both destinations)");
  } else {
    mode = "unregistered";
    debug(
      "an OpenTelemetry tracer provider was already registered and does not accept extra processors: " +
        "our own provider stays unregistered; our spans still join the app's traces through the shared context",
    );
  }
  if (mode !== "registered") noteContextReadInCalls();
  return { provider, ownProvider: own, mode, composite, destination: describeDestination(config), consoleSink, fileSink };
}

/** High enough that the SDK never drops attributes before our export-time limits can choose what to cut. */
const SDK_ATTRIBUTE_COUNT_LIMIT = 100_000;

/** The ingest token in clear text over the network: one warning (loopback is fine). */
export function warnAboutPlainHttpToken(config: Config): void {
  if (!config.tracesUrl) return;
  const hasCredential = !!config.token || Object.keys(config.headers).some((h) => /^(authorization|x-api-key|api-key)$/i.test(h));
  if (!hasCredential) return;
  let url: URL;
  try {
    url = new URL(config.tracesUrl);
  } catch {
    return;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || /^127\./.test(host) || host.endsWith(".localhost");
  if (url.protocol === "http:" && !loopback) {
    warnOnce(
      "plain-http-token",
      `the ingest token is sent to ${url.host} over plain http:// (readable on the network); use an https:// endpoint.`,
    );
  }
}

/**
 * The app's own provider, if one is registered globally (not the API's no-op). The no-op is told
 * by identity (a fresh proxy's delegate is the API's one no-op instance) and, for a provider from
 * another copy of the API, by class name: in a minified bundle the name is gone, not the identity.
 */
function foreignProvider(): TracerProvider | undefined {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const delegate = typeof global.getDelegate === "function" ? global.getDelegate() : global;
  if (!delegate || delegate === new ProxyTracerProvider().getDelegate() || delegate.constructor?.name === "NoopTracerProvider") return undefined;
  return delegate;
}

/** Attach our processor where the foreign provider allows it (SDK 1.x API, or SDK 2.x's processor list). */
function attachTo(provider: TracerProvider, processor: SpanProcessor): boolean {
  const p = provider as any;
  try {
    if (typeof p.addSpanProcessor === "function") {
      p.addSpanProcessor(processor);
      return true;
    }
    const list = p._activeSpanProcessor?._spanProcessors;
    if (Array.isArray(list)) {
      list.push(processor);
      return true;
    }
  } catch (err) {
    internalError("attachTo", err);
  }
  return false;
}
