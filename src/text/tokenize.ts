import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const stem: (word: string) => string = require("wink-nlp-utils").string.stem;

/** Function words plus words that occur in nearly every ML abstract and so carry no signal. */
export const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both but by
  can could did do does doing down during each few for from further had has have having he her here hers him his how i if in
  into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she
  should so some such than that the their theirs them then there these they this those through to too under until up very
  was we were what when where which while who whom why will with would you your yours via thus however therefore hence
  whether paper propose proposed show shows shown present presents approach method methods result results using use used based
  new novel work study existing different author authors papers proposes proposing approaches studies works
  presented presenting introduce introduces introduced`.split(/\s+/),
);

/** "optimizers" → "optimizer", "transformer", "encoders": nouns for what does the work, singular. */
const AGENT_NOUN = /^(\p{L}{4,}(?:er|or))s?$/u;

// Kept whole: model names and numbers carry meaning ("gpt-4", "6x", "4-bit").
export const TOKEN = /[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*/gu;
export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Terms for keyword search: lower-cased, stop words dropped, English words Porter-stemmed. */
export function keywordTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().matchAll(TOKEN)) {
    const token = match[0];
    if (CJK.test(token)) {
      // No spaces to split on: index overlapping character bigrams, the usual fallback for CJK search.
      const chars = [...token];
      for (let i = 0; i < chars.length - 1; i++) terms.push(chars[i]! + chars[i + 1]!);
      if (chars.length === 1) terms.push(token);
      continue;
    }
    // "hawq-v2" is also "hawq", "v2" and "hawqv2", so HAWQ-V2 finds HAWQV2 and pre-training finds pretraining.
    const together = joinedForm(token);
    const parts = token.includes("-") || token.includes(".") ? [token, ...token.split(/[-.]/), ...(together ? [together] : [])] : [token];
    for (const part of parts) {
      if (part.length < 2 && !/\d/.test(part)) continue;
      if (STOP_WORDS.has(part)) continue;
      if (!/^\p{L}+$/u.test(part)) {
        terms.push(part);
        continue;
      }
      const stemmed = stem(part);
      terms.push(stemmed);
      // The stemmer folds "optimizer" into "optim" with "optimization": the agent noun is kept beside it, so
      // "optimizers" finds AdaBelief's title before every paper that optimizes something.
      const agent = AGENT_NOUN.exec(part)?.[1];
      if (agent && stem(agent) !== agent) terms.push(agent);
    }
  }
  return terms;
}

/** "pre-training" → "pretraining"; not for numbers ("1.5-3x"), versions ("OPT-1.3B") or long chains ("state-of-the-art"). */
export function joinedForm(token: string): string | null {
  const pieces = token.split("-");
  if (pieces.length < 2 || pieces.length > 3 || token.includes(".") || /^\d+$/.test(pieces[0]!)) return null;
  return pieces.join("");
}

export function stemWord(word: string): string {
  return /^\p{L}+$/u.test(word) ? stem(word) : word;
}

// After TOKEN and STOP_WORDS: it runs keywordTerms when the module loads.
/** Question words that say what kind of answer is wanted, not what it is about (kept out of relevance tests). */
export const ASKING_TERMS = new Set(
  keywordTerms("what which how why does do is are can could compare comparison explain describe summarize list give tell main key difference differ versus vs"),
);
