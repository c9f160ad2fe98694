import type { Analysed, AnalysedPaper } from "./analysed.js";
import { areAntonyms, DIRECTION, NEGATION, UNIVERSAL } from "./lexicon.js";

/**
 * What in the evidence points against a claim: negated aligned words, antonyms, opposite directions,
 * added quantifiers. Each cue comes with the words a reader can check.
 */

/** Something in the evidence that points against the claim, with the words a reader can check. */
export interface Cue {
  kind: "negation" | "antonym" | "direction" | "null-result" | "quantifier" | "certainty";
  detail: string;
}

export const parity = (analysed: Analysed) => analysed.words.filter((word) => NEGATION.has(word)).length % 2;

/** +1 when the sentence says something goes up, -1 down, 0 neither; a negation flips it. */
export function direction(analysed: Analysed): number {
  const sum = analysed.stems.reduce((total, stem) => total + (DIRECTION.get(stem) ?? 0), 0);
  const sign = Math.sign(sum);
  return parity(analysed) ? -sign : sign;
}

export function hasAntonymOf(claim: Analysed, sentence: Analysed): boolean {
  return antonymPair(claim, sentence) !== null;
}

/** A claim word whose antonym the sentence uses instead ("robust" / "brittle"), as written. */
export function antonymPair(claim: Analysed, sentence: Analysed): [string, string] | null {
  const stems = new Set(sentence.stems);
  for (const [i, a] of claim.stems.entries()) {
    if (stems.has(a)) continue;
    const j = sentence.stems.findIndex((b) => areAntonyms(a, b));
    if (j >= 0) return [claim.words[i]!, sentence.words[j]!];
  }
  return null;
}

/** Claims that themselves say "barely", "negligible": a null result in the source agrees with them. */
export const MINIMISING = /\b(barely|hardly|little|negligible|negligibly|marginal|marginally|no|not|without|neither|nor|comparable|similar|same)\b/i;
/** Claims that assert an effect, which a null result in the source denies. */
export const EFFECT =
  /\b(improv\w*|increas\w*|decreas\w*|reduc\w*|associat\w*|effect\w*|outperform\w*|better|worse|significant\w*|caus\w*|lead(s|ing)? to|boost\w*|enhanc\w*|benefit\w*)\b/i;

/** A whole-sentence polarity difference counts without an aligned negated word only on evidence this close. */
export const GLOBAL_NEGATION_COVERAGE = 0.7;

/**
 * A direction word of the claim and an opposite one in the evidence next to the same thing (within three
 * words of one aligned content word): "increase droplets" / "reduced … droplets". Returns both words and the thing.
 */
export function oppositeDirection(claim: Analysed, evidence: Analysed): [string, string, string] | null {
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
export function directionalAntonym(claim: Analysed, evidence: Analysed, paper: AnalysedPaper): [string, string] | null {
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
export function addedUniversal(claim: Analysed, evidence: Analysed): string | null {
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
export function negatedAlignments(claim: Analysed, sentence: Analysed): string[] {
  // A negation among the three words before a word negates it; each claim stem is compared once, at its first use.
  const negatedAt = (a: Analysed, i: number) => a.words.slice(Math.max(0, i - 3), i).some((word) => NEGATION.has(word));
  const found: string[] = [];
  const seen = new Set<string>();
  claim.stems.forEach((stem, i) => {
    if (!claim.content.has(stem) || seen.has(stem)) return;
    const j = sentence.stems.indexOf(stem);
    if (j < 0) return;
    seen.add(stem);
    if (negatedAt(claim, i) !== negatedAt(sentence, j)) found.push(claim.words[i]!);
  });
  return found;
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
export function localNegationMismatches(claim: Analysed, sentence: Analysed): number {
  return Math.min(negatedAlignments(claim, sentence).length, 2);
}
