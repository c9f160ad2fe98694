import { defineConfig } from "vitest/config";

/**
 * The fast tier (`npm run test:unit`, well under a minute): parsers, grounding, markers, metrics and the
 * fuzzers, run in-process on the source with no real-embedder index and no CLI build. `npm test` runs
 * these too, with everything else.
 */
export const UNIT_TESTS = [
  "tests/corpus-parsing.test.ts",
  "tests/parsers-structured.test.ts",
  "tests/parsers-text.test.ts",
  "tests/parser-fuzz.test.ts",
  "tests/ground.test.ts",
  "tests/eval-metrics.test.ts",
  "tests/bench-synthetic.test.ts",
  "tests/commands-doc.test.ts",
  "tests/query-terms.test.ts",
  "tests/search-parts.test.ts",
  "tests/readable-text.test.ts",
  "tests/map-layout.test.ts",
  "tests/compare-text.test.ts",
  "tests/openai-batching.test.ts",
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    testTimeout: 30_000,
  },
});
