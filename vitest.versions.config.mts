import { defineConfig } from "vitest/config";

// `npm run test:versions:check`: the version matrix (docs/version-matrix.json) against the registry and the README
export default defineConfig({
  test: {
    include: ["test/versions/**/*.test.ts"],
    setupFiles: ["test/setup/require-ts.cjs"],
  },
});
