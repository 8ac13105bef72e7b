import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // real Next.js builds take minutes: `npm run test:next` (vitest.next.config.mts)
    exclude: ["**/node_modules/**", "test/next/**"],
    setupFiles: ["test/setup/require-ts.cjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the suites start real subprocesses and servers; two cores: keep parallelism modest
    pool: "forks",
    maxWorkers: 2,
    fileParallelism: true,
  },
});
