import { missingNumbers as numbersNotIn, numbersIn } from "../../text/numbers.js";
import { STOP_WORDS, stemWord } from "../../text/tokenize.js";
import type { EvidencePaper } from "../verdict.js";
import { NEGATION } from "./lexicon.js";

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
