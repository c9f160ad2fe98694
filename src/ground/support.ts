import { keywordTerms } from "../text/tokenize.js";
import { splitSentences } from "../text/sentences.js";
import { citationsIn, markersBeforeStop, stripMarkers } from "./markers.js";

export interface SentenceSupport {
  text: string;
  /** Citation numbers in this sentence (as in the final answer). */
  citations: number[];
  supported: boolean;
  /** Share of the sentence's content words found in the cited sources (0..1). */
  coverage: number;
  /** Numbers in the sentence that none of its cited sources contains. */
  missingNumbers: string[];
  reason?: string;
}

export interface GroundingReport {
  sentences: SentenceSupport[];
  supported: number;
  total: number;
}

/** Thresholds for the offline support check; see evals/README.md for how they were set. */
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
export function scoreSentence(sentence: string, citedTexts: string[]): Omit<SentenceSupport, "text" | "citations"> {
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

/** Checks every sentence of an answer; `sourceText(n)` gives the text of final citation number n. */
export function checkGrounding(answer: string, sourceText: (n: number) => string | undefined): GroundingReport {
  // "claim. [2] Next" -> "claim [2]. Next": a marker after the full stop belongs to the sentence before it.
  const normalized = markersBeforeStop(answer.replace(/\n+/g, " "));
  const sentences = splitSentences(normalized)
    .filter((sentence) => stripMarkers(sentence).length > 0)
    .map((text) => {
      const citations = [...new Set(citationsIn(text))];
      const texts = citations.map(sourceText).filter((t): t is string => Boolean(t));
      return { text, citations, ...scoreSentence(text, texts) };
    });
  const supported = sentences.filter((s) => s.supported).length;
  return { sentences, supported, total: sentences.length };
}
