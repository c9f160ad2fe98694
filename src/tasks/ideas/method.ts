import type { IndexSnapshot } from "../../index/snapshot.js";
import { STATES_CONTRIBUTION } from "../../text/contribution.js";
import { isEvaluative, type NounPhrase, nounPhrases, type Word } from "../../text/noun-phrases.js";
import { GENERIC, headOf, type Phrase, tidy, weight } from "./parts.js";

const CONTRIBUTION_VERB =
  /^(propose[sd]?|introduce[sd]?|present(s|ed)?|develop(s|ed)?|design(s|ed)?|devise[sd]?|formulate[sd]?|describe[sd]?|build|offer(s|ed)?)$/i;
/** A name as papers write them: a capital after the first letter or a digit ("TimesNet", "FP8", "m-ST5"), or tagged a proper noun. */
const looksLikeName = (word: Word) => /^.+[A-Z0-9]/.test(word.text) || word.pos === "PROPN";
/** "a novel automated solution called TSGym". */
const NAMING = /^(called|named|dubbed|termed|coined)$/i;
/** A description longer than this before a name is cut to its last words ("…forecasting model OLinear"). */
const MAX_DESCRIPTION_WORDS = 5;
/** "we present detailed analysis of …", "a comprehensive survey": a contribution, but no method to transfer. */
const NOT_A_METHOD = /^(analys[ie]s|survey|overview|review|comparison|discussion|summary|investigation|insights?|study|studies|question)$/i;

/**
 * The method a contribution sentence introduces: the noun phrase right after its verb. A name keeps the
 * description beside it ("the distance-aware framework DIST2Loss", "automated solution TSGym"); a generic
 * head keeps what it is for ("methodology to select scalings for FP8 linear layers").
 */
export function methodPhrase(index: IndexSnapshot, sentence: string): Phrase | null {
  if (!STATES_CONTRIBUTION.test(sentence)) return null;
  const { words, phrases } = nounPhrases(sentence);
  const verb = words.findIndex((word) => CONTRIBUTION_VERB.test(word.text));
  if (verb < 0) return null;
  const after = phrases.filter((phrase) => phrase.start > verb);
  // "we propose building a parameter-efficient MoE architecture": a gerund before the object.
  const first = /^\p{L}+ing$/u.test(after[0]?.text ?? "") ? after[1] : after[0];
  if (!first || words.slice(verb + 1, first.start).some((word) => !["DET", "ADV", "VERB", "ADJ"].includes(word.pos)) || first.start > verb + 4) return null;
  const longest = longestAt(after, first.start);
  if (NOT_A_METHOD.test(first.head)) return null;
  const phrase = (text: string, from: NounPhrase): Phrase => ({ text, head: headOf(from) });
  if (looksLikeName(words[first.start]!)) {
    // "X, a distance-aware framework …": the appositive says what the name is.
    const next = after.find((candidate) => candidate.start > longest.end);
    const appositive =
      next && words[longest.end]?.text === "," && words.slice(longest.end + 1, next.start).every((word) => word.pos === "DET" || isEvaluative(word.text));
    return appositive && weight(index, next.text) > 0
      ? phrase(`${described(longestAt(after, next.start))} ${longest.text}`, next)
      : phrase(longest.text, longest);
  }
  const naming = words[longest.end];
  const name = naming && NAMING.test(naming.text) ? after.find((candidate) => candidate.start === longest.end + 1) : undefined;
  if (name && looksLikeName(words[name.start]!)) return phrase(weight(index, longest.text) > 0 ? `${described(longest)} ${name.text}` : name.text, longest);
  if (weight(index, longest.text) > 0 && !GENERIC.test(longest.head)) return phrase(tidy(longest.text), longest);
  const purposeful = purpose(words, longest, after);
  if (purposeful) return phrase(purposeful, longest);
  return weight(index, longest.text) > 0 ? phrase(tidy(longest.text), longest) : null;
}

const longestAt = (phrases: NounPhrase[], start: number) => phrases.filter((phrase) => phrase.start === start).sort((a, b) => b.end - a.end)[0]!;

/** The description before a name, at most a few words: "linear-based multivariate time series forecasting model" → "time series forecasting model". */
function described(phrase: NounPhrase): string {
  const base = tidy(phrase.text)
    .split(/ (?:of|for|in|on|and) /)[0]!
    .split(" ");
  return base.slice(-MAX_DESCRIPTION_WORDS).join(" ");
}

/** "a methodology to select the scalings for FP8" → "methodology to select scalings for FP8 linear layers": a generic head and what it does. */
function purpose(words: Word[], head: NounPhrase, after: NounPhrase[]): string | null {
  const link = words[head.end]?.text.toLowerCase();
  const verb = words[head.end + 1];
  if (!(link === "to" || link === "that" || link === "which") || !verb || verb.pos !== "VERB") return null;
  const object = after.filter((phrase) => phrase.start > head.end + 1 && phrase.start <= head.end + 3).sort((a, b) => b.end - a.end)[0];
  return object ? `${tidy(head.text)} ${link} ${verb.text} ${object.text}` : null;
}
