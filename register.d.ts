// `import "@inference/tracing/register"` (or `await import(...)`, as in Next.js's instrumentation.ts):
// starting tracing is all the module does; it exports nothing.
export {};
