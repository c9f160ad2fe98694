import { OPENS_WITH_CONTRIBUTION } from "../text/contribution.js";
import { addressesQuestion, isComparison, questionFocus, unansweredParts } from "../text/question-terms.js";
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

export interface ComposerSettings {
  /** Below this IDF-weighted share of the question's terms a sentence is not a candidate. */
  minRelevance: number;
  /** A sentence must also score this share of the best sentence's score, so weak matches stay out. */
  minRelative: number;
  maxPerSource: number;
  redundancyPenalty: number;
  /** Extra score for sentences with figures when the question asks how much / how many / how fast. */
  quantityBonus: number;
  /** Extra score for a paper's own contribution statement ("we propose …"). */
  contributionBonus: number;
  /** Share of a sentence's score that does not depend on how strongly retrieval ranked its paper. */
  strengthFloor: number;
  /** Factor for a sentence that leans on the one before it ("This phenomenon…"). */
  leansOnContextFactor: number;
  /** Shorter sentences are fragments (headings, "Code is available."), never answers. */
  minSentenceChars: number;
}

/** Chosen with the answer suite (evals/answers.jsonl); see evals/README.md. */
export const DEFAULT_COMPOSER: ComposerSettings = {
  minRelevance: 0.1,
  minRelative: 0.4,
  maxPerSource: 3,
  redundancyPenalty: 0.6,
  quantityBonus: 0.3,
  contributionBonus: 0.2,
  strengthFloor: 0.5,
  leansOnContextFactor: 0.6,
  minSentenceChars: 30,
};

/** A comparison sets at most this many papers side by side. */
const COMPARED_AT_MOST = 3;

const QUANTITY_QUESTION =
  /\b(how (much|many|fast|far|large|big|small|well|long)|what (accuracy|speed-?up|percentage|share|size|latency|error)|by what factor)\b/i;
const HAS_FIGURE = /\d/;

/**
 * The offline answerer: picks the source sentences most relevant to the question, skips
 * near-repeats (MMR), orders them by source and position so each paper's statements read in their
 * original order, and cites each one. It copies, so every sentence is grounded by construction.
 */
export class ExtractiveComposer implements Generator {
  readonly name = "extractive";
  readonly generative = false;

  constructor(private readonly settings: ComposerSettings = DEFAULT_COMPOSER) {}

  async answer(request: AnswerRequest): Promise<string> {
    const picked = selectSentences(request, this.settings);
    if (picked.length === 0) return ABSTAIN_TEXT;
    const ordered = isComparison(request.question) ? sideBySide(picked) : picked.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    const sentences = ordered.map((candidate) => cite(thirdPerson(candidate.text), candidate.source.n));
    // A part of the question no chosen sentence speaks to is said to be unanswered, not padded.
    const weight = request.termWeight ?? (() => 1);
    for (const part of unansweredParts(
      request.question,
      picked.map((candidate) => candidate.text),
      weight,
    ))
      sentences.push(`The retrieved abstracts do not address this part of the question: "${part}".`);
    const text = sentences.join(" ");
    request.onToken?.(text);
    return text;
  }
}

/**
 * Comparison answers alternate between the papers, each paper's sentences in their own order: the first
 * statement of each (usually what it proposes), then the next of each, so corresponding sentences stand together.
 */
function sideBySide(picked: Candidate[]): Candidate[] {
  const bySource = new Map<number, Candidate[]>();
  for (const candidate of [...picked].sort((a, b) => a.source.n - b.source.n || a.position - b.position)) {
    bySource.set(candidate.source.n, [...(bySource.get(candidate.source.n) ?? []), candidate]);
  }
  const lists = [...bySource.values()];
  const ordered: Candidate[] = [];
  for (let round = 0; ordered.length < picked.length; round++) for (const list of lists) if (list[round]) ordered.push(list[round]!);
  return ordered;
}

export function selectSentences(request: AnswerRequest, settings: ComposerSettings = DEFAULT_COMPOSER): Candidate[] {
  const quantity = QUANTITY_QUESTION.test(request.question);
  const weight = request.termWeight ?? (() => 1);
  const queryTerms = [...new Set(keywordTerms(request.question))];
  const total = queryTerms.reduce((sum, term) => sum + weight(term), 0);
  if (total === 0) return [];

  const candidates: Candidate[] = [];
  const focus = questionFocus(request.question, weight, request.sources);
  // Only papers on the question are cited (text/question-terms.ts): "How much does DeltaZip compress …?" draws
  // on the paper that says "DeltaZip", a topic question on every paper that covers the topic.
  for (const source of request.sources.filter((_, i) => focus.onQuestion[i])) {
    source.sentences.forEach((text, position) => {
      const terms = new Set(keywordTerms(text));
      const overlap = queryTerms.filter((term) => terms.has(term)).reduce((sum, term) => sum + weight(term), 0) / total;
      // Retrieval already judged the whole abstract: sentences of weaker papers count for less, and a
      // sentence that leans on the one before it ("This phenomenon…") reads badly on its own.
      let score =
        overlap * (settings.strengthFloor + (1 - settings.strengthFloor) * source.strength) * (leansOnContext(text) ? settings.leansOnContextFactor : 1);
      if (quantity && HAS_FIGURE.test(text)) score += settings.quantityBonus * source.strength;
      if (OPENS_WITH_CONTRIBUTION.test(text)) score += settings.contributionBonus * source.strength;
      // True is not enough: the sentence must speak to the question (the same test the answer check reports).
      const speaks = addressesQuestion(text, focus, [{ title: source.paper.title, sentences: source.sentences }]);
      if (overlap >= settings.minRelevance && speaks && text.length > settings.minSentenceChars && !POINTS_ELSEWHERE.test(text))
        candidates.push({ source, position, text, terms, score });
    });
  }

  const top = Math.max(0, ...candidates.map((candidate) => candidate.score));
  const strong = candidates.filter((candidate) => candidate.score >= top * settings.minRelative);

  const picked: Candidate[] = [];
  const perSource = new Map<number, number>();
  if (isComparison(request.question)) {
    // Each paper compared speaks at least once: its best sentence comes first (at most three papers).
    for (const n of [...new Set(strong.map((candidate) => candidate.source.n))].sort((a, b) => a - b).slice(0, COMPARED_AT_MOST)) {
      if (picked.length >= request.maxSentences) break;
      const best = strong.filter((candidate) => candidate.source.n === n).sort((a, b) => b.score - a.score)[0]!;
      picked.push(best);
      perSource.set(n, 1);
    }
  }
  while (picked.length < request.maxSentences) {
    let best: Candidate | null = null;
    let bestValue = -Infinity;
    for (const candidate of strong) {
      if (picked.includes(candidate) || (perSource.get(candidate.source.n) ?? 0) >= settings.maxPerSource) continue;
      const redundancy = Math.max(0, ...picked.map((other) => jaccard(candidate.terms, other.terms)));
      const value = candidate.score - settings.redundancyPenalty * redundancy;
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

/** "Code is available at https://…", "Our models are released on GitHub": where to find things, never an answer. */
const POINTS_ELSEWHERE =
  /https?:\/\/|\bgithub\.com\b|\bwww\.|\b(is|are|will be|has been|have been)\s+(publicly\s+|freely\s+|openly\s+)?(available|released|open[- ]sourced)\s+(at|on|from|here|online|upon request|via)\b/i;

const CONTEXT_OPENERS =
  /^(this|these|that|those|it|its|such|they|their|however|furthermore|moreover|additionally|specifically|in addition|in contrast|to this end|not only|then|thus|hence|therefore|finally|as a result)\b/i;

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
