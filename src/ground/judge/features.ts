import { STOP_WORDS, stemWord } from "../../text/tokenize.js";
import type { EvidencePaper } from "../verdict.js";
import { wordVectors } from "./word-vectors.js";
import { areAntonyms, CEASES, CERTAIN, DIRECTION, HEDGE, NEGATION, NULL_RESULT, PERSISTS, UNIVERSAL } from "./lexicon.js";
import { missingNumbers as numbersNotIn, numbersIn } from "../../text/numbers.js";

/** One sentence as the features see it: its words, their stems, the content stems and the numbers. */
export interface Analysed {
  text: string;
  words: string[];
  stems: string[];
  content: Set<string>;
  /** A written form of each stem (the first), for word-vector look-ups. */
  surface: Map<string, string>;
  numbers: string[];
}

const WORD = /[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*|n't/gu;

/** Negations written as phrases, read as a "not" so polarity is compared the same way. */
const NEGATIVE_PHRASES = /\b(out of the question|impossible|infeasible|unfeasible|by no means)\b/gi;

export function analyse(text: string): Analysed {
  const words = (text.toLowerCase().replace(NEGATIVE_PHRASES, "not possible").replace(/n't\b/g, " n't").match(WORD) ?? []).filter((word) => word !== "'");
  const stems = words.map((word) => stemWord(word));
  const content = new Set(stems.filter((stem, i) => !STOP_WORDS.has(words[i]!) && !NEGATION.has(words[i]!) && (stem.length > 1 || /\d/.test(stem))));
  const surface = new Map<string, string>();
  stems.forEach((stem, i) => {
    if (!surface.has(stem)) surface.set(stem, words[i]!);
  });
  return { text, words, stems, content, surface, numbers: numbersIn(text) };
}

/** A cited paper analysed once, whatever number of claims are checked against it. */
export interface AnalysedPaper {
  id: string;
  sentences: Analysed[];
  title: Analysed | null;
  allContent: Set<string>;
  /** Every stem of the paper (function words too). */
  allStems: Set<string>;
  /** Title and sentences, number words spelled as digits ("twelve" → "12"), for number look-ups. */
  numberText: string[];
}

export function analysePaper(paper: EvidencePaper): AnalysedPaper {
  const sentences = paper.sentences.map(analyse);
  const title = paper.title ? analyse(paper.title) : null;
  const parts = title ? [title, ...sentences] : sentences;
  return {
    id: paper.id,
    sentences,
    title,
    allContent: new Set(parts.flatMap((part) => [...part.content])),
    allStems: new Set(parts.flatMap((part) => part.stems)),
    numberText: parts.map((part) => spellDigits(part.text)),
  };
}

export type Idf = (stem: string) => number;

export const FEATURE_NAMES = [
  "cov_best",
  "cov_pair",
  "cov_all",
  "cov_title",
  "prec_best",
  "bigram_best",
  "rare_missing",
  "claim_len",
  "num_claim",
  "num_missing",
  "neg_claim",
  "neg_best",
  "neg_mismatch",
  "null_claim",
  "null_best",
  "null_mismatch",
  "antonym_best",
  "antonym_top",
  "dir_mismatch",
  "dir_agree",
  "universal_missing",
  "certain_vs_hedge",
  "hedge_claim",
  "hedge_best",
  "cov_x_neg",
  "cov_x_antonym",
  "cov_x_dir",
  "cov_x_null",
  "subst",
  "subst_antonym",
  "local_neg_mismatch",
  "missing_content",
  "cov_x_missing",
  "cov_x_subst",
  "soft_best",
  "soft_all",
] as const;

/** Something in the evidence that points against the claim, with the words a reader can check. */
export interface Cue {
  kind: "negation" | "antonym" | "direction" | "null-result" | "quantifier" | "certainty";
  detail: string;
}

export interface ClaimFeatures {
  /** What points the other way in the best evidence (empty when nothing does). */
  cues: Cue[];
  /** The claim's content stems. */
  claimTerms: Set<string>;
  values: number[];
  /** The sentence(s) of the paper that cover the claim best (indices into paper.sentences). */
  best: number[];
  /** Share of the claim's (idf-weighted) content the best sentence pair covers. */
  coverage: number;
}

const parity = (analysed: Analysed) => analysed.words.filter((word) => NEGATION.has(word)).length % 2;

/** +1 when the sentence says something goes up, -1 down, 0 neither; a negation flips it. */
function direction(analysed: Analysed): number {
  const sum = analysed.stems.reduce((total, stem) => total + (DIRECTION.get(stem) ?? 0), 0);
  const sign = Math.sign(sum);
  return parity(analysed) ? -sign : sign;
}

function hasAntonymOf(claim: Analysed, sentence: Analysed): boolean {
  return antonymPair(claim, sentence) !== null;
}

/** A claim word whose antonym the sentence uses instead ("robust" / "brittle"), as written. */
function antonymPair(claim: Analysed, sentence: Analysed): [string, string] | null {
  const stems = new Set(sentence.stems);
  for (const [i, a] of claim.stems.entries()) {
    if (stems.has(a)) continue;
    const j = sentence.stems.findIndex((b) => areAntonyms(a, b));
    if (j >= 0) return [claim.words[i]!, sentence.words[j]!];
  }
  return null;
}

/** Claims that themselves say "barely", "negligible": a null result in the source agrees with them. */
const MINIMISING = /\b(barely|hardly|little|negligible|negligibly|marginal|marginally|no|not|without|neither|nor|comparable|similar|same)\b/i;
/** Claims that assert an effect, which a null result in the source denies. */
const EFFECT =
  /\b(improv\w*|increas\w*|decreas\w*|reduc\w*|associat\w*|effect\w*|outperform\w*|better|worse|significant\w*|caus\w*|lead(s|ing)? to|boost\w*|enhanc\w*|benefit\w*)\b/i;

/** A whole-sentence polarity difference counts without an aligned negated word only on evidence this close. */
const GLOBAL_NEGATION_COVERAGE = 0.7;

/**
 * A direction word of the claim and an opposite one in the evidence next to the same thing (within three
 * words of one aligned content word): "increase droplets" / "reduced … droplets". Returns both words and the thing.
 */
function oppositeDirection(claim: Analysed, evidence: Analysed): [string, string, string] | null {
  const near = (i: number, j: number) => Math.abs(i - j) <= 3;
  for (const [i, stem] of claim.stems.entries()) {
    const sign = DIRECTION.get(stem);
    if (!sign || evidence.stems.includes(stem)) continue;
    for (const [k, target] of claim.stems.entries()) {
      if (k === i || !near(i, k) || !claim.content.has(target) || DIRECTION.has(target) || /\d/.test(target)) continue;
      const at = evidence.stems.indexOf(target);
      if (at < 0) continue;
      // The opposite word must be the evidence's own: a claim that uses it too ("ultra-low … higher") is contrasting.
      const j = evidence.stems.findIndex((other, m) => near(m, at) && DIRECTION.get(other) === -sign && !claim.stems.includes(other));
      if (j >= 0) return [claim.words[i]!, evidence.words[j]!, `(of "${claim.words[k]}")`];
    }
  }
  return null;
}

/** A direction word of the claim the paper never uses, whose opposite the evidence uses ("higher" / "lower"). */
function directionalAntonym(claim: Analysed, evidence: Analysed, paper: AnalysedPaper): [string, string] | null {
  for (const [i, stem] of claim.stems.entries()) {
    const sign = DIRECTION.get(stem);
    if (!sign || paper.allStems.has(stem)) continue;
    const j = evidence.stems.findIndex((other) => areAntonyms(stem, other) && DIRECTION.get(other) === -sign);
    if (j >= 0) return [claim.words[i]!, evidence.words[j]!];
  }
  return null;
}

/** Quantifiers that say the same ("every" = "each" = "all"): a claim may use any of its source's. */
const UNIVERSAL_GROUPS = [
  ["all", "every", "each", "any", "whole", "entire", "entirely"],
  ["always", "invariably", "consistently"],
  ["only", "solely", "exclusively", "just"],
  ["never", "none", "no"],
];
const WEAKER = /\b(some|many|most|several|often|sometimes|partially|partly|certain|usually|mostly|frequently|typically|generally|a number of|majority)\b/i;

/** A universal the claim adds: the evidence uses no word of its group and hedges the quantity (or the word is strong). */
function addedUniversal(claim: Analysed, evidence: Analysed): string | null {
  for (const [i, word] of claim.words.entries()) {
    if (!UNIVERSAL.has(word)) continue;
    // "Only [2] reports …", "All of them work on …": a comparison among the cited sources, which no one
    // abstract states or denies.
    if (i === 0 && word === "only") continue;
    if (word === "all" && /\b(all of them|they are all|they all|all (three|four|five|six|of these|these|the cited|the compared))\b/i.test(claim.text)) continue;
    // "drops by only 2.7%", "just 12 neurons": a minimiser, not an exclusive claim.
    if ((word === "only" || word === "just") && new RegExp(`\\b${word}\\s+(\\$?\\d|a\\b|an\\b|slightly|marginally|one\\b|two\\b)`, "i").test(claim.text))
      continue;
    const group = UNIVERSAL_GROUPS.find((g) => g.includes(word)) ?? [word];
    if (group.some((w) => evidence.words.includes(w))) continue;
    if (WEAKER.test(evidence.text) || ["always", "never", "only", "solely", "exclusively", "invariably", "universally"].includes(word)) return word;
  }
  return null;
}

/** Aligned words one side negates and the other does not, as written in the claim. */
function negatedAlignments(claim: Analysed, sentence: Analysed): string[] {
  const negatedAt = (a: Analysed, i: number) => a.words.slice(Math.max(0, i - 3), i).some((word) => NEGATION.has(word));
  const found: string[] = [];
  claim.stems.forEach((stem, i) => {
    if (!claim.content.has(stem)) return;
    const j = sentence.stems.indexOf(stem);
    if (j >= 0 && negatedAt(claim, i) !== negatedAt(sentence, j)) found.push(claim.words[i]!);
  });
  return found;
}

function bigrams(analysed: Analysed): string[] {
  const content = analysed.stems.filter((stem) => analysed.content.has(stem));
  return content.slice(1).map((stem, i) => `${content[i]} ${stem}`);
}

/**
 * Words the claim puts where the evidence has another word between the same neighbours: "long-term
 * persistence of" vs "short-term persistence of". Returns the pairs [claim word, evidence word] (stems).
 */
export function substitutions(claim: Analysed, sentence: Analysed): [string, string][] {
  const found: [string, string][] = [];
  const present = new Set(sentence.stems);
  const c = claim.stems;
  const e = sentence.stems;
  for (let i = 0; i < c.length; i++) {
    if (present.has(c[i]!) || !claim.content.has(c[i]!)) continue;
    const before = c[i - 1];
    const after = c[i + 1];
    if (before === undefined && after === undefined) continue;
    for (let j = 0; j < e.length; j++) {
      if (e[j] === c[i]) continue;
      const left = before === undefined ? j === 0 : e[j - 1] === before;
      const right = after === undefined ? j === e.length - 1 : e[j + 1] === after;
      if (left && right) {
        found.push([c[i]!, e[j]!]);
        break;
      }
    }
  }
  return found;
}

/** Aligned words one side negates (a negation among the three words before it) and the other does not. */
function localNegationMismatches(claim: Analysed, sentence: Analysed): number {
  const negatedAt = (a: Analysed, i: number) => a.words.slice(Math.max(0, i - 3), i).some((word) => NEGATION.has(word));
  let mismatches = 0;
  const seen = new Set<string>();
  claim.stems.forEach((stem, i) => {
    if (!claim.content.has(stem) || seen.has(stem)) return;
    const j = sentence.stems.indexOf(stem);
    if (j < 0) return;
    seen.add(stem);
    if (negatedAt(claim, i) !== negatedAt(sentence, j)) mismatches++;
  });
  return Math.min(mismatches, 2);
}

const NUMBER_WORDS =
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(" ");
const NUMBER_WORD = new RegExp(`\\b(${NUMBER_WORDS.join("|")})\\b`, "gi");

/** "twelve benchmarks" → "12 benchmarks": a source may spell out what a claim writes in digits. */
function spellDigits(text: string): string {
  return text.replace(NUMBER_WORD, (word) => String(NUMBER_WORDS.indexOf(word.toLowerCase())));
}

/** The numbers (canonical) a claim states that the paper does not. */
export function missingNumbers(claim: Analysed, paper: AnalysedPaper): string[] {
  return claim.numbers.length ? numbersNotIn(claim.text, paper.numberText) : [];
}

/** Credit for a claim word the sentence does not contain: a close word vector counts in part (0 below 0.5 cosine, 1 from 0.8). */
const SOFT = { from: 0.5, full: 0.8 };

/** Per claim term, how well a sentence covers it: 1 when it has the stem, a share for a near word, 0 else. */
function credits(claim: Analysed, terms: string[], sentence: Analysed): number[] {
  const vectors = wordVectors();
  const surfaces = new Map<string, string>();
  sentence.stems.forEach((stem, i) => {
    if (sentence.content.has(stem) && !surfaces.has(stem)) surfaces.set(stem, sentence.words[i]!);
  });
  return terms.map((term) => {
    if (sentence.content.has(term)) return 1;
    const word = claim.surface.get(term) ?? term;
    let best = 0;
    for (const [stem, surface] of surfaces) {
      // Antonyms sit close in word-vector space ("increase"/"decrease"): never credit them as a match.
      if (areAntonyms(term, stem) || (DIRECTION.get(term) ?? 0) * (DIRECTION.get(stem) ?? 0) < 0) continue;
      best = Math.max(best, vectors.similarity(word, surface));
    }
    return Math.max(0, Math.min(1, (best - SOFT.from) / (SOFT.full - SOFT.from)));
  });
}

/** Features of (claim, one paper): alignment to its best sentence(s), and what points the other way. */
export function claimFeatures(claim: Analysed, paper: AnalysedPaper, idf: Idf): ClaimFeatures {
  const terms = [...claim.content];
  const weight = new Map(terms.map((term) => [term, idf(term)]));
  const weights = terms.map((term) => weight.get(term)!);
  const total = weights.reduce((sum, w) => sum + w, 0) || 1;
  const cover = (sets: Set<string>[]) => terms.reduce((sum, term) => sum + (sets.some((set) => set.has(term)) ? weight.get(term)! : 0), 0) / total;
  const sentences = paper.sentences;
  const soft = sentences.map((sentence) => credits(claim, terms, sentence));
  const softCover = (rows: number[][]) => weights.reduce((sum, w, t) => sum + w * Math.max(0, ...rows.map((row) => row[t]!)), 0) / total;
  const single = soft.map((row) => softCover([row]));
  const order = single.map((_, i) => i).sort((a, b) => single[b]! - single[a]! || sentences[a]!.words.length - sentences[b]!.words.length);
  const bestIndex = order[0];
  const best = bestIndex === undefined ? null : sentences[bestIndex]!;
  let pair: number[] = bestIndex === undefined ? [] : [bestIndex];
  let pairCoverage = bestIndex === undefined ? 0 : single[bestIndex]!;
  for (const i of order.slice(0, 4)) {
    for (let j = 0; j < sentences.length; j++) {
      if (j === i) continue;
      const value = softCover([soft[i]!, soft[j]!]);
      // A second sentence must add real content to count (else the pair is the best sentence alone).
      if (value > pairCoverage + 0.1) {
        pairCoverage = value;
        pair = [i, j].sort((a, b) => a - b);
      }
    }
  }
  const exactBest = Math.max(0, ...sentences.map((sentence) => cover([sentence.content])));
  const covBest = exactBest;
  const evidence = pair.map((i) => sentences[i]!);
  const joined: Analysed | null = evidence.length
    ? {
        text: evidence.map((e) => e.text).join(" "),
        words: evidence.flatMap((e) => e.words),
        stems: evidence.flatMap((e) => e.stems),
        content: new Set(evidence.flatMap((e) => [...e.content])),
        surface: new Map(evidence.flatMap((e) => [...e.surface])),
        numbers: evidence.flatMap((e) => e.numbers),
      }
    : null;
  const precision = best ? [...best.content].filter((term) => claim.content.has(term)).length / Math.max(1, best.content.size) : 0;
  const claimBigrams = bigrams(claim);
  const bestBigrams = new Set(joined ? bigrams(joined).flatMap((bigram) => [bigram, bigram.split(" ").reverse().join(" ")]) : []);
  const rare = terms.filter((term) => weight.get(term)! >= 4 && !paper.allContent.has(term)).length / Math.max(1, terms.length);
  const numbersMissing = claim.numbers.length ? missingNumbers(claim, paper).length / claim.numbers.length : 0;
  const negClaim = parity(claim);
  const negBest = joined ? parity(joined) : 0;
  const nullClaim = NULL_RESULT.test(claim.text) ? 1 : 0;
  const nullBest = joined && NULL_RESULT.test(joined.text) ? 1 : 0;
  const antonymBest = joined && hasAntonymOf(claim, joined) ? 1 : 0;
  const antonymTop = order.slice(0, 3).some((i) => hasAntonymOf(claim, sentences[i]!)) ? 1 : 0;
  const dirClaim = direction(claim);
  const dirBest = joined ? direction(joined) : 0;
  const universalMissing = claim.words.some((word) => UNIVERSAL.has(word) && !(joined?.words.includes(word) ?? false)) ? 1 : 0;
  const hedgeClaim = claim.words.some((word) => HEDGE.has(word)) ? 1 : 0;
  const hedgeBest = joined?.words.some((word) => HEDGE.has(word)) ? 1 : 0;
  const certain = claim.words.some((word) => CERTAIN.has(word)) ? 1 : 0;
  const negMismatch = negClaim !== negBest ? 1 : 0;
  const nullMismatch = nullClaim !== nullBest ? 1 : 0;
  const dirMismatch = dirClaim * dirBest < 0 ? 1 : 0;
  const values = [
    covBest,
    pairCoverage,
    cover([paper.allContent]),
    paper.title ? cover([paper.title.content]) : 0,
    precision,
    claimBigrams.length ? claimBigrams.filter((bigram) => bestBigrams.has(bigram)).length / claimBigrams.length : 0,
    rare,
    Math.log1p(terms.length),
    claim.numbers.length ? 1 : 0,
    numbersMissing,
    negClaim,
    negBest,
    negMismatch,
    nullClaim,
    nullBest,
    nullMismatch,
    antonymBest,
    antonymTop,
    dirMismatch,
    dirClaim * dirBest > 0 ? 1 : 0,
    universalMissing,
    certain && hedgeBest ? 1 : 0,
    hedgeClaim,
    hedgeBest,
    pairCoverage * negMismatch,
    pairCoverage * antonymBest,
    pairCoverage * dirMismatch,
    pairCoverage * nullMismatch,
  ];
  const swaps = joined ? substitutions(claim, joined) : [];
  const missing = joined ? terms.filter((term) => !joined.content.has(term)).length : terms.length;
  values.push(
    Math.min(swaps.length, 2),
    swaps.some(([a, b]) => areAntonyms(a, b)) ? 1 : 0,
    joined ? localNegationMismatches(claim, joined) : 0,
    Math.min(missing, 5),
    pairCoverage * (missing === 1 ? 1 : missing === 2 ? 0.5 : 0),
    pairCoverage * Math.min(swaps.length, 1),
    bestIndex === undefined ? 0 : single[bestIndex]!,
    softCover(soft),
  );
  const cues: Cue[] = [];
  if (joined) {
    // A negated aligned word counts only when the sentences' polarity differs as a whole ("not X" vs "X").
    const negated = negMismatch ? negatedAlignments(claim, joined) : [];
    if (negated.length) cues.push({ kind: "negation", detail: `one side negates "${negated[0]}" and the other does not` });
    // Only the claim's own negation: a positive paraphrase of a negated source ("out of the question" for
    // "not feasible") is common, a negated claim about a positive finding is how contradictions are written.
    else if (negMismatch && negClaim && pairCoverage >= GLOBAL_NEGATION_COVERAGE)
      cues.push({ kind: "negation", detail: "the claim negates what the source states" });
    // An antonym counts in the same slot ("long-term" → "short-term"), or for a direction word the paper never uses.
    const swapped = swaps.find(([a, b]) => areAntonyms(a, b));
    const opposite = swapped
      ? [claim.surface.get(swapped[0]) ?? swapped[0], joined.surface.get(swapped[1]) ?? swapped[1]]
      : directionalAntonym(claim, joined, paper);
    const turned = opposite ? null : oppositeDirection(claim, joined);
    if (turned) cues.push({ kind: "direction", detail: `the claim says "${turned[0]}" ${turned[2]} where the source says "${turned[1]}"` });
    if (opposite) cues.push({ kind: "antonym", detail: `the claim says "${opposite[0]}" where the source says "${opposite[1]}"` });
    if (nullBest && !nullClaim && !MINIMISING.test(claim.text) && (dirClaim !== 0 || EFFECT.test(claim.text)))
      cues.push({ kind: "null-result", detail: "the source reports no effect or no difference" });
    if (
      (PERSISTS.test(claim.text) && CEASES.test(joined.text) && !CEASES.test(claim.text)) ||
      (CEASES.test(claim.text) && PERSISTS.test(joined.text) && !PERSISTS.test(claim.text) && !CEASES.test(joined.text))
    )
      cues.push({
        kind: "antonym",
        detail: PERSISTS.test(claim.text) ? "the claim says it persists; the source says it ends" : "the claim says it ends; the source says it persists",
      });
    const universal = addedUniversal(claim, joined);
    if (universal) cues.push({ kind: "quantifier", detail: `the claim says "${universal}"; the source does not` });
    if (certain && hedgeBest && !joined.words.some((word) => CERTAIN.has(word)))
      cues.push({ kind: "certainty", detail: "the claim states as certain what the source only suggests" });
  }
  return { values, best: pair, coverage: pairCoverage, cues, claimTerms: claim.content };
}
