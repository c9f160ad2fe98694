import { createRequire } from "node:module";
import { CJK, STOP_WORDS, stemWord } from "./tokenize.js";

const require = createRequire(import.meta.url);
/** A wink-nlp token: its text, universal POS tag, and whether a space comes before it. */
export type Token = { value: string; pos: string; spaced: boolean };
let tagger: ((text: string) => Token[]) | null = null;

// Part-of-speech tagging from wink-nlp, loaded on first use.
export function tag(text: string): Token[] {
  if (!tagger) {
    const winkNLP = require("wink-nlp");
    const model = require("wink-eng-lite-web-model");
    const nlp = winkNLP(model, ["sbd", "pos"]);
    const its = nlp.its;
    tagger = (input: string) => {
      const tokens = nlp.readDoc(input).tokens();
      const values: string[] = tokens.out(its.value);
      const tags: string[] = tokens.out(its.pos);
      const spaces: string[] = tokens.out(its.precedingSpaces);
      return values.map((value, i) => ({ value, pos: tags[i]!, spaced: spaces[i]!.length > 0 }));
    };
  }
  return tagger(text);
}

const NOUNISH = new Set(["NOUN", "PROPN"]);

/**
 * Noun phrases that can name a topic: single nouns and adjective/noun + noun pairs ("language models",
 * "post-training quantization"), keyed by stems so inflections count together, kept in surface form.
 */
export function keyPhrases(text: string): Array<{ key: string; surface: string }> {
  const tokens = tag(text);
  const usable = (token: Token | undefined) => {
    if (!token) return false;
    const lower = token.value.toLowerCase();
    return lower.length >= 3 && !STOP_WORDS.has(lower) && !CJK.test(lower) && /^\p{L}/u.test(lower);
  };
  const surfaceOf = (value: string) => (/^[A-Z][a-z]/.test(value) ? value.toLowerCase() : value);
  const keyOf = (value: string) => stemWord(value.toLowerCase());
  const phrases: Array<{ key: string; surface: string }> = [];
  tokens.forEach((token, i) => {
    if (!usable(token)) return;
    if (NOUNISH.has(token.pos)) phrases.push({ key: keyOf(token.value), surface: surfaceOf(token.value) });
    const next = tokens[i + 1];
    // "post-training" is often tagged VERB; hyphenated modifiers count as adjectives.
    const modifier = token.pos === "ADJ" || NOUNISH.has(token.pos) || token.value.includes("-");
    if (modifier && next && usable(next) && NOUNISH.has(next.pos)) {
      phrases.push({ key: `${keyOf(token.value)} ${keyOf(next.value)}`, surface: `${surfaceOf(token.value)} ${surfaceOf(next.value)}` });
    }
  });
  return phrases;
}

/** The words of a text tagged as nouns, lower-cased ("sums" in "the sums", not "restrict" or "suggests"). */
export function nounWords(text: string): Set<string> {
  return new Set(
    tag(text)
      .filter((token) => NOUNISH.has(token.pos))
      .map((token) => token.value.toLowerCase()),
  );
}
