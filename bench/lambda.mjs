// Lambda cold start and per-invocation cost, through the stand-in of Lambda's Node.js runtime
// (fixtures/lambda/runtime.mjs, which loads the handler with import() as the real one does), with
// a local mock OpenAI server and a local OTLP receiver:
//   cold start     spawn of the runtime → its first answer (loading the handler and openai, one call)
//   invocation     the second answer's time after the first (a warm call: the call, and for the
//                  wrapped handler the export of its spans before answering)
// Variants: bare; the preload in NODE_OPTIONS (zero-code); the preload and wrapHandler().
// Usage: node bench/lambda.mjs [--runs 15]
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startMockOpenAI } from "../fixtures/mock-providers/openai.mjs";
import { startOtlpReceiver } from "../fixtures/otlp-receiver.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const args = process.argv.slice(2);
const RUNS = Number(args.includes("--runs") ? args[args.indexOf("--runs") + 1] : 15);
const RUNTIME = path.join(root, "fixtures/lambda/runtime.mjs");
const PRELOAD = `--import ${path.join(root, "register.mjs")}`;

const openai = await startMockOpenAI();
const receiver = await startOtlpReceiver();

const VARIANTS = [
  ["bare", "esm-zero-code", {}],
  ["preload (NODE_OPTIONS)", "esm-zero-code", { NODE_OPTIONS: PRELOAD }],
  ["preload + wrapHandler", "wrapped-esm", { NODE_OPTIONS: PRELOAD }],
];

function once(fn, extra) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...extra, LAMBDA_TASK_ROOT: path.join(root, "fixtures/lambda", fn), _HANDLER: "index.handler", OPENAI_BASE_URL: openai.baseURL, CATALYST_OTLP_ENDPOINT: receiver.url, LAMBDA_EVENTS: JSON.stringify([{ question: "cold" }, { question: "warm" }]) };
    if (!extra.NODE_OPTIONS) delete env.NODE_OPTIONS;
    const t0 = performance.now();
    const child = spawn(process.execPath, [RUNTIME], { env, stdio: ["ignore", "pipe", "inherit"] });
    const at = [];
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      while (at.length < out.split("\n").filter((l) => l.startsWith("RESULT")).length) at.push(performance.now());
      if (at.length === 2) {
        child.kill("SIGKILL");
        resolve({ cold: at[0] - t0, invocation: at[1] - at[0] });
      }
    });
    child.on("exit", () => at.length < 2 && reject(new Error(`no answers: ${out}`)));
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const samples = VARIANTS.map(() => ({ cold: [], invocation: [] }));
for (const [, fn, extra] of VARIANTS) await once(fn, extra); // warm the file system and the code cache
for (let n = 0; n < RUNS; n++) {
  for (let k = 0; k < VARIANTS.length; k++) {
    const i = (k + n) % VARIANTS.length;
    const r = await once(VARIANTS[i][1], VARIANTS[i][2]);
    samples[i].cold.push(r.cold);
    samples[i].invocation.push(r.invocation);
  }
}
console.log(`\nLambda runtime stand-in, Node ${process.versions.node}, median of ${RUNS} runs (ms); added against bare\n`);
console.log("| variant | cold start | vs bare | added | warm invocation | vs bare | added |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
const bare = { cold: median(samples[0].cold), invocation: median(samples[0].invocation) };
const signed = (x) => (x >= 0 ? "+" : "") + x.toFixed(1);
for (const [i, [name]] of VARIANTS.entries()) {
  const cold = median(samples[i].cold);
  const inv = median(samples[i].invocation);
  console.log(`| ${name} | ${cold.toFixed(0)} | ×${(cold / bare.cold).toFixed(2)} | ${i ? signed(cold - bare.cold) : "—"} | ${inv.toFixed(1)} | ×${(inv / bare.invocation).toFixed(2)} | ${i ? signed(inv - bare.invocation) : "—"} |`);
}
await openai.close();
await receiver.close();
