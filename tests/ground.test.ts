import { describe, expect, it } from "vitest";
import { validateCitations } from "../src/ground/citations.js";
import { citationsIn } from "../src/ground/markers.js";
import { checkGrounding } from "../src/ground/grounding.js";
import { scoreSentence } from "../src/ground/support.js";
import type { EvidencePaper } from "../src/ground/verdict.js";
import { splitSentences } from "../src/text/sentences.js";
import { OFFLINE_JUDGE } from "./support/judge.js";

const SOURCE_1 =
  "We propose DeltaZip, an LLM serving system that serves many fine-tuned models by compressing model deltas by a factor of 6x to 8x while maintaining high model quality. Our key insight is that deltas can be swapped in and out of GPU memory.";
const SOURCE_2 = "Low-rank adaptation trains small adapter matrices instead of the full weights, cutting trainable parameters by 10,000 times.";

describe("citation validation", () => {
  it("parses single, grouped, ranged and adjacent markers", () => {
    expect(citationsIn("a [1] b [2, 3] c [4-6] d [7][8]")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("removes citations to sources that were not provided and reports them, keeping valid numbers", () => {
    const check = validateCitations("DeltaZip compresses deltas [1][9]. LoRA trains adapters [2, 12]. Nothing here [7].", 2);
    expect(check.text).toBe("DeltaZip compresses deltas [1]. LoRA trains adapters [2]. Nothing here.");
    expect(check.removed).toEqual(["[9]", "[12]", "[7]"]);
    expect(check.cited).toEqual([1, 2]);
  });
});

describe("per-sentence groundedness", () => {
  const sources: EvidencePaper[] = [
    { id: "deltazip", title: "DeltaZip", sentences: splitSentences(SOURCE_1) },
    { id: "lora", title: "LoRA", sentences: splitSentences(SOURCE_2) },
  ];

  it("supports sentences whose words and numbers are in the cited source", () => {
    expect(scoreSentence("DeltaZip compresses model deltas by 6x to 8x while keeping model quality [1].", [SOURCE_1]).supported).toBe(true);
  });

  it("flags a number the cited source does not contain", () => {
    const score = scoreSentence("DeltaZip compresses model deltas by 20x while keeping model quality [1].", [SOURCE_1]);
    expect(score.supported).toBe(false);
    expect(score.missingNumbers).toEqual(["20x"]);
  });

  it("the judge flags a number the cited source does not state", async () => {
    const report = await checkGrounding("DeltaZip compresses model deltas by 20x while keeping model quality [1].", sources, OFFLINE_JUDGE);
    expect(report.sentences.map((s) => s.verdict)).toEqual(["contradicted"]);
    expect(report.sentences[0]!.reason).toBe("20x is not stated in the cited source");
    expect(report.supported).toBe(0);
  });

  it("flags a sentence cited to the wrong source and a sentence with no citation", async () => {
    const report = await checkGrounding(
      "DeltaZip compresses model deltas by 6x to 8x [2]. Adapters cut trainable parameters by 10,000 times [2]. Quantum computers will replace GPUs.",
      sources,
      OFFLINE_JUDGE,
    );
    expect(report.sentences.map((s) => s.supported)).toEqual([false, true, false]);
    // Source 1 states it, numbers and all: the wrong citation is named, with the better source.
    expect(report.sentences.map((s) => s.verdict)).toEqual(["misattributed", "supported", "uncited"]);
    expect(report.sentences[0]!.better).toEqual(["deltazip"]);
    expect(report.sentences[2]!.reason).toBe("a claim without a citation");
    expect(report).toMatchObject({ supported: 1, total: 3 });
    expect(report.counts).toMatchObject({ supported: 1, misattributed: 1, uncited: 1 });
    // A claim the cited source does not make but another source does is misattributed, naming that source.
    const moved = await checkGrounding("DeltaZip serves many fine-tuned models by compressing model deltas [2].", sources, OFFLINE_JUDGE);
    expect(moved.sentences.map((s) => [s.verdict, s.better])).toEqual([["misattributed", ["deltazip"]]]);
  });

  it("attaches a marker written after the full stop to the sentence before it", async () => {
    const report = await checkGrounding(
      "DeltaZip serves many fine-tuned models by compressing deltas. [1] LoRA trains small adapter matrices. [2]",
      sources,
      OFFLINE_JUDGE,
    );
    expect(report.sentences.map((s) => s.citations)).toEqual([[1], [2]]);
    expect(report.supported).toBe(2);
  });
});
