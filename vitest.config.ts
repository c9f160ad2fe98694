import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // One shared index of the bundled corpus is built before the tests (real embeddings, ~40 s).
    // The fault report collects what the fault-injection tests tried (.cache/fault-report.md).
    globalSetup: ["tests/setup/build-corpus-index.ts", "tests/setup/fault-report.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Two cores: keep test files from fighting over them with several embedding workers each.
    fileParallelism: false,
  },
});
