import { defineConfig } from "vitest/config";

// `npm run test:next`: real `next build` + `next start` runs, minutes each, kept out of `npm test`
export default defineConfig({
  test: {
    include: ["test/next/**/*.test.ts"],
    setupFiles: ["test/setup/require-ts.cjs"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
  },
});
