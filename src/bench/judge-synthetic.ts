import { analyse } from "../ground/judge/analysed.js";
import { antonymsOf } from "../ground/judge/lexicon.js";
import type { Label } from "../ground/judge/model.js";
import { stemWord } from "../text/tokenize.js";
import { mulberry32 } from "./synthetic-corpus.js";

/** A claim made from an abstract's own sentence, and what it is against that abstract. */
export interface SyntheticPair {
  claim: string;
  doc: { id: string; title: string | null; sentences: string[] };
  label: Label;
  kind: string;
}

const AUXILIARY = /\b(is|are|was|were|can|could|does|do|did|has|have|had|will|would|should|may|might)\b/i;
const LEAD_IN =
  /^(in this (paper|work|study),?\s*)?(we (show|find|found|demonstrate|observe|report|argue) that\s+|our results (show|suggest|indicate) that\s+|results (show|showed|suggest) that\s+)/i;

/** Paraphrase-ish support: the lead-in and parentheticals dropped, the rest kept. */
function trimmed(sentence: string): string {
  const text = sentence
    .replace(/\s*\([^)]*\)/g, "")
    .replace(LEAD_IN, "")
    .trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function negate(sentence: string): string | null {
  if (/\b(not|no|never)\b/i.test(sentence)) return sentence.replace(/\s*\b(not|never)\b/i, "").replace(/\bno\b/i, "some");
  const match = AUXILIARY.exec(sentence);
  if (!match) return null;
  const at = match.index + match[0].length;
  return `${sentence.slice(0, at)} not${sentence.slice(at)}`;
}

/** Swaps one word for an antonym the table knows ("increases" → a word whose stem is the antonym's). */
function antonymSwap(sentence: string, vocabulary: Map<string, string>): string | null {
  const words = sentence.split(/(\s+)/);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!.toLowerCase().replace(/[^\p{L}-]/gu, "");
    if (word.length < 3) continue;
    const stem = stemWord(word);
    for (const otherStem of antonymsOf(stem) ?? []) {
      const surface = vocabulary.get(otherStem);
      if (surface) {
        words[i] = words[i]!.replace(new RegExp(word, "i"), surface);
        return words.join("");
      }
    }
  }
  return null;
}

function numberChange(sentence: string, rand: () => number): string | null {
  const match = /(?<![\p{L}-])(\d+(?:\.\d+)?)(?![\d-])/u.exec(sentence);
  if (!match) return null;
  const value = Number(match[1]);
  const changed = match[1]!.includes(".") ? (value * (1.3 + rand())).toFixed(match[1]!.split(".")[1]!.length) : String(Math.round(value * 2 + 3));
  return `${sentence.slice(0, match.index)}${changed}${sentence.slice(match.index + match[1]!.length)}`;
}

function overstate(sentence: string): string | null {
  if (/\bsome\b/i.test(sentence)) return sentence.replace(/\bsome\b/i, "all");
  if (/\bmost\b/i.test(sentence)) return sentence.replace(/\bmost\b/i, "all");
  if (/\bmay\b/i.test(sentence)) return sentence.replace(/\bmay\b/i, "always");
  if (/\b(suggests?|indicates?)\b/i.test(sentence)) return sentence.replace(/\b(suggests?|indicates?)\b/i, "proves");
  return null;
}

/**
 * Pairs built from abstracts the way claim sets are written: a sentence of the abstract (trimmed) supports;
 * the same sentence negated, with an antonym, a changed number or an overstated quantifier contradicts;
 * another abstract's sentence, or this one against the abstract without it and its neighbours, is NEI.
 */
export function syntheticPairs(docs: { id: string; title: string | null; sentences: string[] }[], seed = 13): SyntheticPair[] {
  const rand = mulberry32(seed);
  const vocabulary = new Map<string, string>();
  for (const doc of docs)
    for (const sentence of doc.sentences) for (const word of sentence.toLowerCase().match(/\p{L}{3,}/gu) ?? []) vocabulary.set(stemWord(word), word);
  const pairs: SyntheticPair[] = [];
  for (const doc of docs) {
    const usable = doc.sentences.map((s, i) => [s, i] as const).filter(([s]) => s.split(/\s+/).length >= 8 && s.split(/\s+/).length <= 45);
    if (doc.sentences.length < 4 || usable.length === 0) continue;
    const [sentence, at] = usable[Math.floor(rand() * usable.length)]!;
    pairs.push({ claim: trimmed(sentence), doc, label: "supported", kind: "trimmed" });
    const contradictions = [negate(sentence), antonymSwap(sentence, vocabulary), numberChange(sentence, rand), overstate(sentence)]
      .map((claim, i) => [claim, ["negation", "antonym", "number", "overstated"][i]!] as const)
      .filter(([claim]) => claim !== null);
    if (contradictions.length) {
      const [claim, kind] = contradictions[Math.floor(rand() * contradictions.length)]!;
      pairs.push({ claim: trimmed(claim!), doc, label: "contradicted", kind });
    }
    const rest = doc.sentences.filter((_, i) => Math.abs(i - at) > 1);
    if (rest.length >= 2) pairs.push({ claim: trimmed(sentence), doc: { ...doc, title: null, sentences: rest }, label: "not-enough-info", kind: "removed" });
    const other = docs[Math.floor(rand() * docs.length)]!;
    if (other.id !== doc.id && other.sentences.length) {
      const foreign = other.sentences[Math.floor(rand() * other.sentences.length)]!;
      if (analyse(foreign).content.size >= 4) pairs.push({ claim: trimmed(foreign), doc, label: "not-enough-info", kind: "foreign" });
    }
  }
  return pairs;
}
