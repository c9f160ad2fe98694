import { keywordTerms } from "../text/tokenize.js";
import type { AnswerRequest, AnswerSource, Generator } from "./generator.js";
import { ABSTAIN_TEXT } from "./generator.js";

interface Candidate {
  source: AnswerSource;
  position: number;
  text: string;
  terms: Set<string>;
  score: number;
}

/** Tuned on the answer fixtures (evals/): below this a sentence shares too little with the question. */
export const MIN_SENTENCE_RELEVANCE = 0.25;
/** A sentence must also score at least this share of the best sentence's score, so weak matches stay out. */
export const MIN_RELATIVE_RELEVANCE = 0.5;
const MAX_PER_SOURCE = 2;
const REDUNDANCY_PENALTY = 0.6;

/**
 * The offline answerer: picks the source sentences most relevant to the question, skips
 * near-repeats (MMR), orders them by source and position so each paper's statements read in their
 * original order, and cites each one. It copies, so every sentence is grounded by construction.
 */
export class ExtractiveComposer implements Generator {
  readonly name = "extractive";
  readonly generative = false;

  async answer(request: AnswerRequest): Promise<string> {
    const picked = selectSentences(request);
    if (picked.length === 0) return ABSTAIN_TEXT;
    picked.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    const text = picked.map((candidate) => cite(thirdPerson(candidate.text), candidate.source.n)).join(" ");
    request.onToken?.(text);
    return text;
  }
}

export function selectSentences(request: AnswerRequest): Candidate[] {
  const weight = request.termWeight ?? (() => 1);
  const queryTerms = [...new Set(keywordTerms(request.question))];
  const total = queryTerms.reduce((sum, term) => sum + weight(term), 0);
  if (total === 0) return [];

  const candidates: Candidate[] = [];
  for (const source of request.sources) {
    source.sentences.forEach((text, position) => {
      const terms = new Set(keywordTerms(text));
      const overlap = queryTerms.filter((term) => terms.has(term)).reduce((sum, term) => sum + weight(term), 0) / total;
      // Retrieval already judged the whole abstract: sentences of weaker papers count for less, and a
      // sentence that leans on the one before it ("This phenomenon…") reads badly on its own.
      const score = overlap * (0.5 + 0.5 * source.strength) * (leansOnContext(text) ? 0.6 : 1);
      if (overlap >= MIN_SENTENCE_RELEVANCE && text.length > 30) candidates.push({ source, position, text, terms, score });
    });
  }

  const top = Math.max(0, ...candidates.map((candidate) => candidate.score));
  const strong = candidates.filter((candidate) => candidate.score >= top * MIN_RELATIVE_RELEVANCE);

  const picked: Candidate[] = [];
  const perSource = new Map<number, number>();
  while (picked.length < request.maxSentences) {
    let best: Candidate | null = null;
    let bestValue = -Infinity;
    for (const candidate of strong) {
      if (picked.includes(candidate) || (perSource.get(candidate.source.n) ?? 0) >= MAX_PER_SOURCE) continue;
      const redundancy = Math.max(0, ...picked.map((other) => jaccard(candidate.terms, other.terms)));
      const value = candidate.score - REDUNDANCY_PENALTY * redundancy;
      if (value > bestValue) {
        bestValue = value;
        best = candidate;
      }
    }
    if (!best) break;
    picked.push(best);
    perSource.set(best.source.n, (perSource.get(best.source.n) ?? 0) + 1);
  }
  return picked;
}

const CONTEXT_OPENERS = /^(this|these|that|those|it|its|such|they|their|however|furthermore|moreover|additionally|specifically|in addition|in contrast|to this end|not only|then|thus|hence|therefore|finally|as a result)\b/i;

function leansOnContext(sentence: string): boolean {
  return CONTEXT_OPENERS.test(sentence.trim());
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/** "We propose X." reads oddly in an answer; "The authors propose X." keeps the meaning and the verb. */
export function thirdPerson(sentence: string): string {
  return sentence
    .replace(/^(In this (paper|work|study|article),?\s+)?[Ww]e\b/, "The authors")
    .replace(/^Our\b/, "The authors'")
    .replace(/^Here,?\s+we\b/, "Here the authors")
    .replace(/\bwe\b/g, "they")
    .replace(/\bWe\b/g, "They")
    .replace(/\bour\b/g, "their")
    .replace(/\bOur\b/g, "Their")
    .replace(/\bus\b/g, "them");
}

/** Puts the marker before the sentence's final punctuation: "… 6x compression [2]." */
function cite(sentence: string, n: number): string {
  const match = /^(.*?)([.!?。]*)$/s.exec(sentence.trim())!;
  return `${match[1]} [${n}]${match[2] || "."}`;
}
