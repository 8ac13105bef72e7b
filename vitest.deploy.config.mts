import { defineConfig } from "vitest/config";

// `npm run test:deploy`: the slow deployment suites, kept out of `npm test`: real `next build` +
// `next start` runs (minutes each), webpack and Rollup builds, and every app × module format of the
// esbuild suite (CATALYST_TEST_DEPLOY=1; `npm test` runs a part of it).
export default defineConfig({
  test: {
    include: ["test/bundler/**/*.test.ts", "test/next/**/*.test.ts"],
    setupFiles: ["test/setup/require-ts.cjs"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
