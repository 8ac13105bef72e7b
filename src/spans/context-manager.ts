/**
 * The OpenTelemetry context must flow from the moment tracing starts, not from the first span:
 * a framework marks the context around a model call (so the provider call inside it makes no
 * second span) before its own first span is started, and a mark set through the API's no-op
 * context manager is lost. So the context manager is registered when setup() runs (the export
 * pipeline, built at the first span, registers none of its own). An app that registered its own
 * manager keeps it.
 *
 * What flowing costs: on Node 20 and 22 AsyncLocalStorage carries its context through async_hooks,
 * and its first run() switches promise hooks on for the rest of the process: every promise made
 * anywhere then costs ~0.1 µs more (an openai call over HTTP makes ~150), and no later disable()
 * could switch them off without losing the context of work a run left behind (a timer, a listener,
 * an un-awaited promise keep theirs only while the hooks stay on). Node 24+ (AsyncContextFrame; Node
 * 22 with --experimental-async-context-frame) and Bun carry the context without hooks.
 * So a model call does not enter its span's context when nothing would read it during the call
 * (see contextEntryCanBeSkipped): the hooks stay off until something really needs a context to flow
 * (an agent run, a request root, a framework, the app's own active span). Outgoing trace context (on
 * by default) is no such need for an SDK whose call can carry the headers itself (its request
 * options): measured on Node 20, entering the context for it cost ~200 µs of CPU per openai call.
 */
import { context, type Context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks/build/src/AsyncLocalStorageContextManager";

const PROBE = Symbol("@inference/tracing.context-probe");

/** True when context already flows (a manager of the app's, or ours registered earlier). */
function contextFlows(): boolean {
  return context.with(context.active().setValue(PROBE, true), () => context.active().getValue(PROBE)) === true;
}

/** Our manager, when we registered it. */
let ours: AsyncLocalStorageContextManager | undefined;
/**
 * Something may read the context inside our calls: spans we do not start (a tracer went to someone
 * else, another provider is in charge, an SDK traces its own calls).
 */
let contextReadInCalls = false;
/** Outgoing HTTP requests carry the active span's trace context (runs/propagation.ts): a model call's own request names its span. */
let outgoingTraceContext = false;

export function ensureContextManager(): void {
  if (contextFlows()) return;
  ours = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(ours);
}

/** From now on something may read the context inside our calls: they enter it (for good). */
export function noteContextReadInCalls(): void {
  contextReadInCalls = true;
}

/** From now on outgoing requests name the active span: calls enter their context unless they carry the headers themselves. */
export function noteOutgoingTraceContext(): void {
  outgoingTraceContext = true;
}

/**
 * Whether a traced call may run without entering its span's context, at no loss: while nothing can
 * read the context inside the call (no span but ours can start there, and outgoing trace context is
 * off or the call carries its own: `carriesTraceContext`) and our manager is the one in charge. On
 * Node 20/22 entering would switch the hooks on for good; elsewhere it costs a context and a frame
 * per call for nobody to read.
 */
export function contextEntryCanBeSkipped(carriesTraceContext = false): boolean {
  if (contextReadInCalls || ours === undefined) return false;
  if (outgoingTraceContext && !carriesTraceContext) return false;
  return (context as unknown as { _getContextManager(): unknown })._getContextManager() === ours;
}

interface StorageLike {
  enterWith(store: Context): void;
}

/**
 * Make `ctx` the active context for the rest of the current execution and what it schedules (an
 * incoming request's handler, started right after Node publishes the request). Works with an
 * AsyncLocalStorage-based manager (ours, or OpenTelemetry's registered by the app); false otherwise.
 */
export function enterContext(ctx: Context): boolean {
  const manager = (context as unknown as { _getContextManager?: () => unknown })._getContextManager?.();
  const storage = (manager as { _asyncLocalStorage?: StorageLike } | undefined)?._asyncLocalStorage;
  if (!storage || typeof storage.enterWith !== "function") return false;
  storage.enterWith(ctx);
  return true;
}
