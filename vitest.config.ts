import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // One shared index of the bundled corpus is built before the tests (real embeddings, ~40 s).
    globalSetup: ["tests/setup/build-corpus-index.ts"],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Two cores: keep test files from fighting over them with several embedding workers each.
    fileParallelism: false,
  },
});
