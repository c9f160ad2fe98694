import type { IndexSnapshot } from "../../index/snapshot.js";
import { isEvaluative, type NounPhrase, nounPhrases, type Word } from "../../text/noun-phrases.js";
import { headOf, type Phrase, specificity, tidy, weight } from "./parts.js";

/** Sentences that may state a problem: a limitation, a cost, something that fails or remains open. */
export const STATES_PROBLEM =
  /\b(however|limitations?|limited|remains? (unclear|challenging|open|difficult)|challeng(e|es|ing)|bottlenecks?|hinders?|fail(s|ed)? to|cannot|can not|struggles?|suffers?|costly|expensive|prohibitive(ly)?|lacks?|overhead|difficult|disadvantages?|drawbacks?|problem (with|of)|sub-?optimal|problematic|pitfalls?|impractical|inefficient|unstable|limiting)\b/i;

/** Heads that name a problem ("memory challenge", "computational overhead"). */
const PROBLEM_HEADS =
  /^(challenges?|bottlenecks?|limitations?|disadvantages?|drawbacks?|pitfalls?|costs?|overheads?|issues?|problems?|difficult(y|ies)|gaps?|lack|burden|degradation|drops?|errors?|instability|latency|footprint|complexity|inefficienc(y|ies)|redundancy|dependencies|shift|noise|requirements?|consumption|demands?)$/i;

/** Verbs whose subject is the problem: "the entangled step-wise dependencies … can hinder …". */
const CAUSES = /^(hinders?|hindered|limits?|degrades?|prevents?|impedes?|restricts?|constrains?|complicates?|hampers?|undermines?)$/i;
/** Words after which the problem is named: "suffer from X", "struggle with X", "lack X", "due to X". */
const NAMES_NEXT =
  /^(suffers?|suffered|struggles?|lacks?|lack|challenging|challenged|limited|bottlenecked|hindered|constrained|plagued|due|because|fails?|failed|cannot|costly|prohibitive)$/i;
/** Verbs naming what something costs ("costs significant manual effort", "requires more parameters"): only as verbs. */
const COSTS = /^(costs?|requires?|necessitates?)$/i;
/** "to address these challenges", "addressing a critical scalability challenge": the sentence solves the problem, it does not leave it open. */
const SOLVES =
  /^(address(es|ed|ing)?|solv(e|es|ed|ing)|tackl(e|es|ed|ing)|overcom(e|es|ing)|mitigat(e|es|ed|ing)|alleviat(e|es|ed|ing)|handl(e|es|ed|ing)|resolv(e|es|ed|ing)|reduc(e|es|ed|ing)|avoid(s|ed|ing)?|eliminat(e|es|ed|ing)|minimi[sz](e|es|ed|ing))$/i;
/** "no inference overhead", "low computational overhead": a benefit, not a problem. */
const BENEFIT = /^(low|lower|no|without|little|minimal|negligible|less|fewer|small|smaller|zero|reduced)$/i;

/** The longest phrase that starts at `start`. */
const longestAt = (phrases: NounPhrase[], start: number) => phrases.filter((phrase) => phrase.start === start).sort((a, b) => b.end - a.end)[0];

/** "lack of X", "failure to optimize X", "inability to model X": the cue is part of what the problem is. */
function framed(words: Word[], cue: number, object: NounPhrase): string {
  const cueWord = words[cue]!.text.toLowerCase();
  const between = words.slice(cue + 1, object.start);
  const verb = between.findIndex((word) => word.pos === "VERB");
  // "fail to serve with limited memory resources": the verb keeps its preposition.
  const first = between.findIndex((word) => word.pos === "VERB" || word.pos === "AUX");
  const verbPhrase =
    verb < 0
      ? null
      : between
          .slice(first)
          .filter((word) => ["VERB", "AUX", "ADP", "PART"].includes(word.pos) && word.text !== "to")
          .map((word) => word.text)
          .join(" ");
  const text = tidy(object.text);
  if (/^lacks?$/.test(cueWord)) return `lack of ${text}`;
  if (/^(requires?|necessitates?)$/.test(cueWord)) return `need for ${text}`;
  if (/^struggle/.test(cueWord)) return `difficulty with ${text}`;
  if (/^fail/.test(cueWord) && verbPhrase) return `failure to ${verbPhrase} ${text}`;
  if ((cueWord === "cannot" || cueWord === "not") && verbPhrase) return `inability to ${verbPhrase} ${text}`;
  return text;
}

/**
 * The problem a sentence states, as a noun phrase: what it says something suffers from, struggles with,
 * lacks or is hindered by; else a phrase whose head names a problem ("memory challenge for edge
 * deployment"). Null when the sentence names nothing specific, or solves rather than states the problem.
 */
export function problemPhrase(index: IndexSnapshot, sentence: string): Phrase | null {
  const { words, phrases } = nounPhrases(sentence);
  const open = (phrase: NounPhrase | undefined): phrase is NounPhrase => {
    if (!phrase || weight(index, phrase.text) === 0 || headOf(phrase) === null) return false;
    // One word names a problem only if it is one ("degradation"), not a mis-tagged modifier ("temporal").
    if (phrase.end - phrase.start === 1 && !PROBLEM_HEADS.test(phrase.head)) return false;
    if (BENEFIT.test(words[phrase.start - 1]?.text ?? "") || BENEFIT.test(words[phrase.start]!.text)) return false;
    return !words.slice(Math.max(0, phrase.start - 3), phrase.end).some((word) => SOLVES.test(word.text));
  };
  const found: Array<{ phrase: NounPhrase; text: string }> = [];
  words.forEach((word, i) => {
    // "The main disadvantage of X is their heavier computation": what the problem is, after "is".
    const named = phrases.find((phrase) => phrase.end === i && PROBLEM_HEADS.test(phrase.head) && /^(is|are)$/.test(word.text));
    if (named) {
      const complement = phrases.find((phrase) => phrase.start > i && phrase.start <= i + 4);
      if (open(complement) && words.slice(i + 1, complement.start).every((w) => ["DET", "PRON", "ADP", "ADJ"].includes(w.pos))) {
        const whole = longestAt(phrases, complement.start) ?? complement;
        found.push({ phrase: whole, text: tidy(whole.text) });
      }
    }
    if (CAUSES.test(word.text)) {
      // The subject: the longest phrase ending right before the verb (or its "can"/"may").
      const end = words[i - 1]?.pos === "AUX" ? i - 1 : i;
      const subject = phrases.filter((phrase) => phrase.end === end).sort((a, b) => a.start - b.start)[0];
      if (open(subject)) found.push({ phrase: subject, text: tidy(subject.text) });
    }
    const cannot = word.text === "not" && words[i - 1]?.text.toLowerCase() === "can";
    if (NAMES_NEXT.test(word.text) || cannot || (COSTS.test(word.text) && word.pos === "VERB")) {
      // The object: the first phrase within a few words, with only function words between ("suffer from exponential resource consumption").
      const next = phrases.find((phrase) => phrase.start > i && phrase.start <= i + 5);
      const between = next ? words.slice(i + 1, next.start) : [];
      const plain = between.every((w) => ["DET", "ADV", "PART", "ADP", "VERB", "AUX"].includes(w.pos) || isEvaluative(w.text));
      const object = next && longestAt(phrases, next.start);
      if (plain && open(object)) found.push({ phrase: object, text: framed(words, i, object) });
    }
  });
  const named = phrases.filter((phrase) => PROBLEM_HEADS.test(phrase.head) && open(phrase)).map((phrase) => ({ phrase, text: tidy(phrase.text) }));
  const best = (found.length > 0 ? found : named).sort((a, b) => specificity(index, b.phrase) - specificity(index, a.phrase))[0];
  return best ? { text: best.text, head: headOf(best.phrase) } : null;
}
