/**
 * Wrapping SDK functions in place, the same way for every integration: one mark (a symbol that
 * holds the original), wrappers that keep the original's name and length, and one answer to
 * "is this already ours?".
 */

/** On a wrapper of ours: the original function. On a class or object we patched: true. */
export const PATCHED = Symbol.for("@inference/tracing.patched");

type AnyFn = (...args: any[]) => any;

/** The SDK's own function behind a wrapper of ours, or undefined when `fn` is not ours. */
export function originalOf(fn: unknown): AnyFn | undefined {
  if (typeof fn !== "function") return undefined;
  const o = (fn as { [PATCHED]?: unknown })[PATCHED];
  return typeof o === "function" ? (o as AnyFn) : undefined;
}

export function isPatched(target: unknown): boolean {
  return (typeof target === "function" || (typeof target === "object" && target !== null)) && (target as { [PATCHED]?: unknown })[PATCHED] !== undefined;
}

/** Mark a class, prototype or object as patched by us; false when it already was. */
export function markPatched(target: object): boolean {
  if (Object.prototype.hasOwnProperty.call(target, PATCHED)) return false;
  Object.defineProperty(target, PATCHED, { value: true, configurable: true });
  return true;
}

/** `make(original)` with the original's name and length, marked as ours. */
export function wrapFunction<F extends AnyFn>(original: F, make: (original: F) => AnyFn): F {
  const wrapped = make(original);
  try {
    Object.defineProperty(wrapped, "name", { value: original.name, configurable: true });
    Object.defineProperty(wrapped, "length", { value: original.length, configurable: true });
    Object.defineProperty(wrapped, PATCHED, { value: original, configurable: true });
  } catch {
    /* cosmetic only */
  }
  return wrapped as F;
}

/**
 * Replace owner[name] with `make(original)`, once. True when owner[name] is ours after the call
 * (wrapped now or before); false when there is no function to wrap. The property keeps its
 * enumerability and writability.
 */
export function wrapMethod(owner: any, name: PropertyKey, make: (original: AnyFn) => AnyFn): boolean {
  if (!owner) return false;
  const original = owner[name];
  if (typeof original !== "function") return false;
  if (originalOf(original)) return true;
  const desc = Object.getOwnPropertyDescriptor(owner, name);
  Object.defineProperty(owner, name, {
    value: wrapFunction(original, make),
    writable: desc?.writable ?? true,
    enumerable: desc?.enumerable ?? false,
    configurable: true,
  });
  return true;
}
