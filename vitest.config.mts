import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // real Next.js, webpack and Rollup builds take minutes: `npm run test:deploy` (vitest.deploy.config.mts);
    // the version matrix check (test/versions) follows `npm run test:versions`: `npm run test:versions:check`
    exclude: ["**/node_modules/**", "test/next/**", "test/bundler/webpack.test.ts", "test/bundler/rollup.test.ts", "test/versions/**"],
    setupFiles: ["test/setup/require-ts.cjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the suites start real subprocesses and servers; two cores: keep parallelism modest
    pool: "forks",
    maxWorkers: 2,
    fileParallelism: true,
  },
});
