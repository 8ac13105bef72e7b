// @inference/tracing 0.1.12 from npm (installed under the alias `seed-tracing`), used as a library
// the way its README shows, preloaded before bench/apps/per-call.mjs.
import OpenAI from "openai";
import { setup } from "seed-tracing";

const tracing = await setup({ modules: { openai: OpenAI }, autoInstrument: false, endpoint: process.env.BENCH_COLLECTOR, serviceName: "bench" });
globalThis[Symbol.for("bench.flush")] = () => tracing.provider.forceFlush();
