import type { Paper } from "../../corpus/paper.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { isEvaluative, type NounPhrase, nounPhrases } from "../../text/noun-phrases.js";
import { keywordTerms } from "../../text/tokenize.js";

/** Heads that say nothing by themselves ("a framework", "performance"): a phrase made of them names no problem or method. */
export const GENERIC =
  /^(frameworks?|methods?|methodology|approach(es)?|techniques?|models?|algorithms?|strateg(y|ies)|schemes?|architectures?|mechanisms?|systems?|paradigms?|solutions?|performance|results?|tasks?|works?|paper|study|way|ways|variety|number|range|set|field|area|terms?|manner|end|goals?|applications?|scenarios?|settings?|data|effect|impact|use|usage|ability|fact|aspects?|challenges?|problems?|issues?|limitations?|components?|researchers?|lack)$/i;

/** A noun phrase picked for an idea: its words as written, and the stem of the word it is about. */
export interface Phrase {
  text: string;
  /** The concept the phrase names: its head noun, or the last specific word before a generic head ("memory" of "memory challenge"). */
  head: string | null;
}

/** The words of a phrase that name something: generic and judging words left out. */
export const contentWords = (phrase: string) => phrase.split(" ").filter((word) => !GENERIC.test(word) && !isEvaluative(word));

/** The stems a phrase is about: generic and judging words left out. */
export function phraseTerms(phrase: string): string[] {
  return [...new Set(keywordTerms(contentWords(phrase).join(" ")))];
}

/** Two phrases with the same stems are the same problem or method ("memory footprints" = "memory footprint"). */
export const phraseKey = (phrase: string) => phraseTerms(phrase).sort().join(" ");

/** IDF-weighted share of `terms` that `text` contains (0..1). */
export function termShare(index: IndexSnapshot, terms: string[], text: string): number {
  const present = new Set(keywordTerms(text));
  let total = 0;
  let found = 0;
  for (const term of terms) {
    const weight = index.keyword.idf(term);
    total += weight;
    if (present.has(term)) found += weight;
  }
  return total > 0 ? found / total : 0;
}

/** Rarer words weigh more; a phrase of generic or judging words weighs nothing. A hyphenated word counts once, by its rarest stem. */
export function weight(index: IndexSnapshot, phrase: string): number {
  return contentWords(phrase).reduce((sum, word) => sum + Math.max(0, ...keywordTerms(word).map((term) => index.keyword.idf(term))), 0);
}

/** Short and specific beats long: the weight of the words, with each word past four costing a little. */
export function specificity(index: IndexSnapshot, phrase: NounPhrase): number {
  return weight(index, phrase.text) / (1 + 0.15 * Math.max(0, phrase.end - phrase.start - 4));
}

/**
 * The word a phrase is about, lower-case and singular: its head, or before a generic head the last specific
 * word ("memory" of "memory challenge"). A word, not a stem: "complexity" must not match "complex".
 */
export function headOf(phrase: NounPhrase): string | null {
  const base = phrase.text.split(/ (?:of|for|in|on|across|over|between|under|within|and) /)[0]!.replace(/\s*\([^)]*\)/g, "");
  const word = contentWords(base).pop();
  return word ? singular(word) : null;
}

const singular = (word: string) => word.toLowerCase().replace(/(?<=\w{3})(ies|s)$/, (ending) => (ending === "ies" ? "y" : ""));

/** Does the text use this head word (in any number)? A negated head ("non-convergence") is met by its root ("fast convergence"). */
export function mentions(text: string, head: string): boolean {
  const root = head.replace(/^(non|un|in)-/, "");
  return text.split(/[^\p{L}\p{N}-]+/u).some((word) => singular(word) === head || singular(word) === root);
}

/** The `count` most specific noun phrases of a text, different stems each. */
export function salientPhrases(index: IndexSnapshot, text: string, count: number): string[] {
  const seen = new Set<string>();
  return nounPhrases(text)
    .phrases.filter((phrase) => weight(index, phrase.text) > 0)
    .sort((a, b) => specificity(index, b) - specificity(index, a))
    .map((phrase) => tidy(phrase.text))
    .filter((phrase) => !seen.has(phraseKey(phrase)) && seen.add(phraseKey(phrase)))
    .slice(0, count);
}

/** A sentence-initial capital lowered ("Existing frameworks" → "existing frameworks"); names ("TimesNet", "FP8") kept. */
export function tidy(phrase: string): string {
  // "Quantum-informed Tensor Adaptation (QuanTA)" is a name: capitals further on keep the first one.
  if (/\s[A-Z]/.test(phrase)) return phrase;
  return phrase.replace(/^([A-Z][a-z-]+)\b/, (word) => word.toLowerCase());
}

/** A paper's short name: its title before a colon when that is a name ("COAT", "Hermes"), else the title, shortened. */
export function shortName(paper: Paper): string {
  const title = paper.displayTitle;
  const name = /^([^:]{2,40}?)\s*:\s*\S/.exec(title)?.[1];
  if (name && name.split(/\s+/).length <= 4) return name;
  return `"${title.length > 60 ? `${title.slice(0, 60).replace(/\s+\S*$/, "")}…` : title}"`;
}
