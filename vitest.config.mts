import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // real Next.js, webpack and Rollup builds take minutes: `npm run test:deploy` (vitest.deploy.config.mts);
    // test/versions checks the registry and README against the committed matrix (the matrix itself is `npm run test:versions`)
    exclude: ["**/node_modules/**", "test/next/**", "test/bundler/webpack.test.ts", "test/bundler/rollup.test.ts"],
    setupFiles: ["test/setup/require-ts.cjs"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // the suites start real subprocesses and servers; two cores: keep parallelism modest
    pool: "forks",
    maxWorkers: 2,
    fileParallelism: true,
  },
});
