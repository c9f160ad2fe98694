import { type Analysed, type AnalysedPaper, type Idf, missingNumbers } from "./analysed.js";
import {
  addedUniversal,
  type Cue,
  direction,
  directionalAntonym,
  EFFECT,
  GLOBAL_NEGATION_COVERAGE,
  hasAntonymOf,
  localNegationMismatches,
  MINIMISING,
  negatedAlignments,
  oppositeDirection,
  parity,
  substitutions,
} from "./cues.js";
import { areAntonyms, CEASES, CERTAIN, DIRECTION, HEDGE, NULL_FINDING, NULL_RESULT, PERSISTS, UNIVERSAL } from "./lexicon.js";
import { wordVectors } from "./word-vectors.js";

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

function bigrams(analysed: Analysed): string[] {
  const content = analysed.stems.filter((stem) => analysed.content.has(stem));
  return content.slice(1).map((stem, i) => `${content[i]} ${stem}`);
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
    if (NULL_FINDING.test(joined.text) && !nullClaim && !MINIMISING.test(claim.text) && (dirClaim !== 0 || EFFECT.test(claim.text)))
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
