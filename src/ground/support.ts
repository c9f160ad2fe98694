import { keywordTerms } from "../text/tokenize.js";
import { splitSentences } from "../text/sentences.js";
import { citationsIn, markersBeforeStop, stripMarkers } from "./markers.js";

/**
 * The word-overlap support score the offline composers use to pick sentences they can stand behind (the
 * judge in judge/ is what checks the result). Thresholds: see evals/README.md for how they were set.
 */
export const SUPPORT_THRESHOLDS = { coverage: 0.6, bestSentenceCoverage: 0.35 };

const NUMBER = /\d+(?:[.,]\d+)?(?:\s?%|x|×)?/g;

function numbersIn(text: string): string[] {
  return (text.match(NUMBER) ?? []).map((n) => n.replace(/\s/g, "").replace(",", ".").replace(/[x×]$/, "x"));
}

/**
 * Scores one answer sentence against the text of the sources it cites: a sentence is supported when
 * most of its content words (stemmed) and all of its numbers appear in those sources, and one source
 * sentence alone covers a fair part of it (so words scattered across an abstract do not count).
 */
export function scoreSentence(sentence: string, citedTexts: string[]): { supported: boolean; coverage: number; missingNumbers: string[]; reason?: string } {
  const plain = stripMarkers(sentence);
  const terms = new Set(keywordTerms(plain));
  if (citedTexts.length === 0) return { supported: false, coverage: 0, missingNumbers: [], reason: "no citation" };
  if (terms.size === 0) return { supported: true, coverage: 1, missingNumbers: [] };
  const sourceTerms = new Set(citedTexts.flatMap((text) => keywordTerms(text)));
  const coverage = [...terms].filter((term) => sourceTerms.has(term)).length / terms.size;
  const best = Math.max(
    ...citedTexts
      .flatMap((text) => splitSentences(text))
      .map((source) => {
        const words = new Set(keywordTerms(source));
        return [...terms].filter((term) => words.has(term)).length / terms.size;
      }),
  );
  const sourceNumbers = new Set(citedTexts.flatMap(numbersIn));
  const missingNumbers = numbersIn(plain).filter((n) => !sourceNumbers.has(n));
  const supported = coverage >= SUPPORT_THRESHOLDS.coverage && best >= SUPPORT_THRESHOLDS.bestSentenceCoverage && missingNumbers.length === 0;
  const reason = supported
    ? undefined
    : missingNumbers.length
      ? `numbers not in cited sources: ${missingNumbers.join(", ")}`
      : `only ${Math.round(coverage * 100)}% of its content words appear in the cited sources`;
  return { supported, coverage, missingNumbers, reason };
}

/**
 * A quick, synchronous version for composers choosing between candidate sentences (compare's offline
 * fallbacks): every sentence of `text` passes scoreSentence against what it cites. Not the check: every task's
 * final text goes through the judge (grounding.ts).
 */
export function allSentencesPass(text: string, sourceText: (n: number) => string | undefined): boolean {
  const sentences = splitSentences(markersBeforeStop(text.replace(/\n+/g, " "))).filter((sentence) => stripMarkers(sentence).length > 0);
  return (
    sentences.length > 0 &&
    sentences.every((sentence) => {
      const texts = [...new Set(citationsIn(sentence))].map(sourceText).filter((t): t is string => Boolean(t));
      return scoreSentence(sentence, texts).supported;
    })
  );
}
