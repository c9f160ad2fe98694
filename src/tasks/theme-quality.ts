import { stemWord } from "../text/tokenize.js";

/**
 * Words that are everywhere in ML abstracts: a theme named only by them ("Parameter & language",
 * "Shot & inference", "Computer vision & machine") tells a reader nothing about what sets it apart.
 */
const GENERIC = new Set(
  `model models method methods approach approaches network networks neural deep machine learning data dataset task tasks training
  inference parameter parameters language languages shot vision computer performance accuracy algorithm algorithms system systems
  architecture application applications time space weight weights iteration iterations evidence work works study analysis set sets
  number information feature features representation representations layer layers function functions problem problems large new
  novel different specific general existing simple efficient effective robust strong real world result results experiment experiments
  framework technique techniques method paper benchmark benchmarks baseline baselines state art level process quality cost size
  scale structure type form way use case point value values order property properties effect effects impact research field domain
  area tool tools setting settings part level user users input output sample samples error errors rate rates loss downstream pre-trained pretrained trained source sources natural growth overview brief survey review insight insights trainable`
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => stemWord(word)),
);

const PREFIXES = new Set(["pre", "post", "multi", "non", "self", "semi", "co", "re", "sub", "over", "under"]);

/** A name with a letter-digit mix or inner capitals is a term of art ("LoRA", "FP8", "xLSTM"), never generic. */
export const TERM_OF_ART = /[A-Z].*[A-Z]|\d|^[a-z]+[A-Z]/;

/**
 * True when a theme name says nothing distinctive: every word is a generic one, or it is a single
 * ordinary lower-case word ("iterations", "space"), or it joins phrases with "&" (a list, not a name).
 */
export function genericThemeName(name: string): boolean {
  if (name.includes("&")) return true;
  const words = name.split(/[\s-]+/).filter((word) => /\p{L}/u.test(word));
  if (words.length === 0) return true;
  if (words.some((word) => TERM_OF_ART.test(word))) return false;
  if (words.length === 1 && !name.includes("-")) return true;
  // "pre-trained models": a hyphenated word is generic when it is, or when its parts are prefixes and generic words.
  const generic = (word: string) => GENERIC.has(stemWord(word.toLowerCase())) || PREFIXES.has(word.toLowerCase());
  return name
    .split(/\s+/)
    .filter((word) => /\p{L}/u.test(word))
    .every((word) => generic(word) || word.split("-").every(generic));
}

export interface ThemeQuality {
  /**
   * How much more alike a theme's papers are than any two papers of the outline: size-weighted mean
   * similarity inside the themes minus the mean over all pairs (0 for a single theme or random themes).
   */
  coherence: number;
  /** Share of the papers in the largest theme. */
  largestShare: number;
  themes: number;
  genericNames: string[];
}

/** How good an outline is, on the same similarity the clustering used (indices into that matrix per theme). */
export function themeQuality(groups: number[][], names: string[], similarity: number[][]): ThemeQuality {
  const total = groups.reduce((sum, group) => sum + group.length, 0);
  const all = groups.flat();
  const overall = meanPairs(all, all, similarity, true);
  let weighted = 0;
  let counted = 0;
  for (const group of groups) {
    if (group.length < 2) continue;
    weighted += group.length * meanPairs(group, group, similarity, true);
    counted += group.length;
  }
  return {
    coherence: counted ? weighted / counted - overall : 0,
    largestShare: total ? Math.max(...groups.map((group) => group.length)) / total : 0,
    themes: groups.length,
    genericNames: names.filter(genericThemeName),
  };
}

function meanPairs(a: number[], b: number[], similarity: number[][], skipSelf: boolean): number {
  let sum = 0;
  let count = 0;
  for (const i of a)
    for (const j of b) {
      if (skipSelf && i === j) continue;
      sum += similarity[i]![j]!;
      count++;
    }
  return count ? sum / count : 0;
}
