import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { keyFactsCovered, citationScores } from "../src/eval/citation-metrics.js";
import { loadBeir, beirAsParsedInputs } from "../src/eval/beir.js";
import { checkThresholds } from "../src/eval/report.js";
import { summarize, type ItemResult } from "../src/eval/answer-suite.js";
import { ndcgAt, recallAt, reciprocalRank } from "../src/eval/metrics.js";
import type { EvidencePaper } from "../src/ground/verdict.js";
import { tempDir } from "./helpers.js";
import { OFFLINE_JUDGE } from "./support/judge.js";
import { mkdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

const DELTAZIP = "DeltaZip serves many fine-tuned models by compressing model deltas by a factor of 6x to 8x while keeping model quality.";
const LORA = "Low-rank adaptation trains small adapter matrices instead of the full weights.";
const passages: EvidencePaper[] = [
  { id: "deltazip", title: "DeltaZip", sentences: [DELTAZIP] },
  { id: "lora", title: "LoRA", sentences: [LORA] },
  { id: "deltazip-copy", title: "DeltaZip", sentences: [DELTAZIP] },
];

describe("ALCE citation metrics with the offline judge", () => {
  const judge = OFFLINE_JUDGE;
  const passage = (n: number) => passages[n - 1];

  it("recall counts sentences entailed by their cited passages; uncited sentences count as unsupported", async () => {
    const scores = await citationScores(
      [
        { text: "DeltaZip compresses model deltas by 6x to 8x [1].", citations: [1] },
        { text: "DeltaZip compresses model deltas by 6x to 8x [2].", citations: [2] },
        { text: "Adapters are small matrices.", citations: [] },
      ],
      passage,
      judge,
    );
    expect(scores.recall).toBeCloseTo(1 / 3);
    expect(scores.precision).toBe(0.5);
  });

  it("precision marks a citation that is not needed (the others already entail the sentence)", async () => {
    const scores = await citationScores([{ text: "DeltaZip compresses model deltas by 6x to 8x [1][2].", citations: [1, 2] }], passage, judge);
    expect(scores).toMatchObject({ recall: 1, citations: 2 });
    expect(scores.precision).toBe(0.5);
    // Two citations that each entail the sentence are both precise (ALCE keeps redundant support).
    const both = await citationScores([{ text: "DeltaZip compresses model deltas by 6x to 8x [1][3].", citations: [1, 3] }], passage, judge);
    expect(both.precision).toBe(1);
  });

  it("key facts match alternatives after normalising case, spacing and LaTeX", () => {
    expect(keyFactsCovered("compresses deltas by $6\\times$ to $8\\times$", [["6x"], ["8 x", "eight-fold"], ["LoRA"]])).toEqual([true, true, false]);
  });
});

describe("ranking metrics", () => {
  it("computes nDCG@10, recall and reciprocal rank", () => {
    const relevant = new Map([
      ["a", 1],
      ["b", 1],
    ]);
    expect(ndcgAt(["a", "b", "c"], relevant, 10)).toBe(1);
    expect(ndcgAt(["c", "a"], relevant, 10)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
    expect(recallAt(["c", "a"], relevant, 10)).toBe(0.5);
    expect(reciprocalRank(["c", "d", "b"], relevant)).toBeCloseTo(1 / 3);
  });
});

describe("summary and thresholds", () => {
  const item = (over: Partial<ItemResult>): ItemResult => ({
    id: "x",
    type: "answerable",
    question: "q",
    answered: true,
    answer: "a",
    retrieval: { ndcg10: 1, recall10: 1, rr: 1 },
    citationRecall: 1,
    citationPrecision: 1,
    sentences: 2,
    unsupportedSentences: 0,
    invalidCitations: 0,
    keyFacts: { covered: 1, total: 1 },
    onTopicSentences: 1,
    expectedCitedRecall: null,
    seconds: 0,
    ...over,
  });

  it("scores abstention accuracy, precision and recall", () => {
    const summary = summarize([
      item({}),
      item({ id: "y", answered: false, citationRecall: null, citationPrecision: null, keyFacts: { covered: 0, total: 2 } }),
      item({ id: "u1", type: "unanswerable", answered: false, retrieval: null, keyFacts: null }),
      item({ id: "u2", type: "unanswerable", answered: true, retrieval: null, keyFacts: null, invalidCitations: 1 }),
    ]);
    expect(summary.abstention).toEqual({ accuracy: 0.5, precision: 0.5, recall: 0.5, abstained: 2 });
    expect(summary.keyFactCoverage).toBeCloseTo(1 / 3);
    // Answer relevance counts only answered answerable items' sentences: 1 of the first item's 2.
    expect(summary.answerRelevance).toBeCloseTo(1 / 2);
    expect(summary.invalidCitations).toBe(1);
    expect(checkThresholds(summary, { minimum: { abstentionAccuracy: 0.6 }, maximum: { invalidCitations: 0 } })).toEqual([
      "abstentionAccuracy 0.5000 is below the recorded minimum 0.6",
      "invalidCitations 1.0000 is above the recorded maximum 0",
    ]);
  });
});

describe("BEIR loader", () => {
  it("reads a gzipped corpus, queries and qrels, keeping BEIR ids for scoring", () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "qrels"));
    writeFileSync(
      path.join(dir, "corpus.jsonl.gz"),
      gzipSync(`${JSON.stringify({ _id: "d1", title: "T", text: "Some abstract text." })}\n${JSON.stringify({ _id: "d2", title: "", text: "" })}\n`),
    );
    writeFileSync(path.join(dir, "queries.jsonl"), `${JSON.stringify({ _id: "q1", text: "what?" })}\n`);
    writeFileSync(path.join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    const dataset = loadBeir(dir);
    expect(dataset.qrels.get("q1")).toEqual(new Map([["d1", 1]]));
    const parsed = beirAsParsedInputs(dataset);
    expect(parsed.records).toHaveLength(1);
    expect(parsed.records[0]).toMatchObject({ citationKey: "d1", title: "T" });
  });
});
