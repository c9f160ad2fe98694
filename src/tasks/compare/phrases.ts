/** Common ground and differences, from key phrases the abstracts share or do not share. */
import type { AnswerSource } from "../../generate/generator.js";
import { STATES_CONTRIBUTION } from "../../text/contribution.js";
import { nounWords } from "../../text/phrases.js";
import { keywordTerms } from "../../text/tokenize.js";
import { type OfflineCell, type TermWeight, verbatimSentences } from "./facets.js";
import { type Mentions, mentions, mentionsOf } from "./mentions.js";

interface Phrase {
  /** Stemmed content words: "Low-Rank Adaptation" and "low-rank adaptation" share a key. */
  key: string;
  /** As written in the abstract, so a quoted phrase is always the paper's own words. */
  text: string;
  terms: string[];
  score: number;
  /** A full run of content words, not a fragment such as "idea of low-rank". */
  whole: boolean;
  /** In the title or said at least twice: what the paper is about, not a passing word. */
  topical: boolean;
  /** Every word of it is in the title. */
  inTitle: boolean;
  /** Every use is in a list of examples ("such as RMSProp, Adam, Nadam"): named, not worked on. */
  example: boolean;
  /** The words without case, hyphens or plural endings: "Momental" and "moments" share a stem, not a lemma. */
  lemma: string;
  /** Its last word is a noun: "sharp transition", not "restrict" or "analysis suggests". */
  nounEnd: boolean;
}

/** Web addresses are not prose: "Adabelief-Optimizer" in a GitHub link is no topic. */
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;

/** From "such as", "e.g." or "including" to the end of the clause: the items of a list of examples. */
const EXAMPLES = /\b(such as|e\.g\.|for example|including|like)[,:]?\s[^.;()]*/gi;

function lemmaOf(text: string): string {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .map((word) =>
      word
        .replace(/ies$/, "y")
        .replace(/(?<=(s|x|ch|sh))es$/, "")
        .replace(/(?<=[^s])s$/, ""),
    )
    .join("");
}

const WORD = /[\p{L}\p{N}]+(?:[-.'’][\p{L}\p{N}]+)*/gu;
/** Common abstract verbs end a phrase like a stop word does: "achieve ultra-high-dimensional quantization" is not a topic. */
const VERB =
  /^(achieve[sd]?|allows?|enables?|provides?|improves?|requires?|yields?|leverages?|introduces?|develops?|demonstrates?|outperforms?|obtains?|reduces?|performs?|makes?|learns|generates?|applies|applied|leads?|exhibits?|takes?|taking|gives?|suggests?|shows?|indicates?|restricts?)$/i;
/** Names of symbols ("adapter matrices alpha B A / r") and list numerals ("(iv) achieves …"): notation, not a topic. */
const SYMBOL = /^(\p{L}|alpha|beta|gamma|delta|epsilon|eta|theta|kappa|lambda|mu|pi|rho|sigma|tau|phi|omega|star|ii|iii|iv|vi|vii|viii|ix)$/iu;
/** Adverbs and participles ("heavily", "investigated") do not name a topic on their own or at a phrase's end. */
const NOT_A_TOPIC_END = /(ly|ed)$/;
/** Phrases made only of common words ("language models") say nothing about what sets papers apart. */
const MIN_MEAN_WEIGHT = 1.5;
/**
 * Words every kind of paper writes about its work ("the idea", "the product", "our analysis"): alone they
 * name no topic, though rare enough in a corpus to pass MIN_MEAN_WEIGHT. In a phrase they may stay
 * ("tensor product", "spectral analysis").
 */
const VAGUE_ALONE = new Set(
  `idea product analysis utilization usage use metric result work paper study problem issue challenge
  challenging aspect impact application development field area context number amount part advantage
  benefit importance solution way manner case example detail end kind type form`.split(/\s+/),
);

/** Runs of adjacent content words (no stop word, verb or punctuation between them) and their 1–3 word parts. */
function keyPhrases(source: AnswerSource, weight: TermWeight): Map<string, Phrase> {
  const phrases = new Map<string, Phrase>();
  const counts = new Map<string, number>();
  const titleTerms = new Set(keywordTerms((source.paper.title ?? "").replace(/[-.'’]/g, " ")));
  for (const sentence of verbatimSentences(source.paper.abstract, source.sentences)) {
    const examples = [...sentence.matchAll(EXAMPLES)].map((match) => [match.index, match.index + match[0].length] as const);
    const links = [...sentence.matchAll(URL)].map((match) => [match.index, match.index + match[0].length] as const);
    const nouns = nounWords(sentence);
    const words = [...sentence.matchAll(WORD)].map((match) => ({ match, terms: keywordTerms(match[0].replace(/[-.'’]/g, " ")) }));
    let run: typeof words = [];
    const flush = () => {
      for (let i = 0; i < run.length; i++) {
        for (let n = 1; n <= 3 && i + n <= run.length; n++) {
          const span = run.slice(i, i + n);
          const first = span[0]!.match;
          const last = span[n - 1]!.match;
          // Figures are results, not topics.
          if (span.some((word) => /\d/.test(word.match[0])) || (NOT_A_TOPIC_END.test(last[0]) && !/^[A-Z]+$/.test(last[0]))) continue;
          const terms = span.flatMap((word) => word.terms);
          const key = terms.join(" ");
          const score = terms.reduce((sum, term) => sum + weight(term), 0);
          if (score / terms.length < MIN_MEAN_WEIGHT) continue;
          if (n === 1 && (VAGUE_ALONE.has(first[0].toLowerCase()) || VAGUE_ALONE.has(lemmaOf(first[0])))) continue;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          const example = examples.some(([from, to]) => first.index! >= from && first.index! < to);
          const known = phrases.get(key);
          if (known) {
            known.whole ||= n === run.length;
            known.example &&= example;
          } else {
            const text = sentence.slice(first.index!, last.index! + last[0].length);
            const topical = terms.every((term) => titleTerms.has(term));
            const nounEnd = nouns.has(
              last[0]
                .split(/[-.'’]/)
                .at(-1)!
                .toLowerCase(),
            );
            phrases.set(key, { key, text, terms, score, whole: n === run.length, topical, inTitle: topical, example, lemma: lemmaOf(text), nounEnd });
          }
        }
      }
      run = [];
    };
    for (const word of words) {
      const previous = run.at(-1)?.match;
      const adjacent = previous && /^\s+$/.test(sentence.slice(previous.index! + previous[0].length, word.match.index));
      if (!adjacent) flush();
      const inLink = links.some(([from, to]) => word.match.index! >= from && word.match.index! < to);
      if (word.terms.length && !VERB.test(word.match[0]) && !SYMBOL.test(word.match[0]) && !inLink) run.push(word);
      else flush();
    }
    flush();
  }
  for (const phrase of phrases.values()) phrase.topical ||= (counts.get(phrase.key) ?? 0) >= 2;
  return phrases;
}

/** Best phrases first, skipping any that repeats a word of one already chosen (or is its plural: "GCNN", "GCNNs"). */
function distinctTop(phrases: Phrase[], count: number, taken = new Set<string>()): Phrase[] {
  const picked: Phrase[] = [];
  for (const phrase of [...phrases].sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))) {
    if (picked.length >= count) break;
    if (phrase.terms.some((term) => taken.has(term)) || picked.some((known) => known.lemma === phrase.lemma)) continue;
    picked.push(phrase);
    for (const term of phrase.terms) taken.add(term);
  }
  return picked;
}

/** The short name before a title's colon ("LoTR"), when the abstract uses it too (so it is grounded). */
export function shortName(paper: AnswerSource["paper"]): string | null {
  const name = /^([^:]{2,24}):\s/.exec(paper.title ?? "")?.[1]?.trim();
  return name && name.split(/\s+/).length <= 2 && paper.abstract.includes(name) ? name : null;
}

/**
 * What a paper calls its own method: the short title before a colon ("AdaBelief Optimizer") and the
 * name in brackets where it says what it proposes ("We propose the … Bound (AdaMod) method").
 */
function ownNames(paper: AnswerSource["paper"]): string[] {
  const names: string[] = [];
  const lead = /^([^:]{2,40}):\s/.exec(paper.title ?? "")?.[1]?.trim();
  if (lead && lead.split(/\s+/).length <= 3) names.push(lead);
  for (const sentence of paper.abstract.split(/(?<=[.!?])\s+/)) {
    if (!STATES_CONTRIBUTION.test(sentence) && !/\b(dubbed|called|termed|named)\b/i.test(sentence)) continue;
    for (const match of sentence.matchAll(/\(([\p{L}\p{N}-]{2,20})\)/gu)) names.push(match[1]!);
  }
  // Compared as lemmas: "Adabelief-Optimizer" is "AdaBelief Optimizer".
  return names.map(lemmaOf);
}

/** "LoTR [1]", or "[1]" for a paper without a short name (or when `named` is false). */
export function paperLabel(source: AnswerSource, named = true): string {
  const name = named ? shortName(source.paper) : null;
  return name ? `${name} [${source.n}]` : `[${source.n}]`;
}

const quoted = (phrases: Phrase[]) => phrases.map((phrase) => `“${phrase.text}”`).join(" and ");
const cites = (sources: AnswerSource[]) => sources.map((source) => `[${source.n}]`).join("");
const listOf = (labels: string[]) => (labels.length <= 2 ? labels.join(" and ") : `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`);

/**
 * Sentences on what the papers share: topics of every paper, then phrases all abstracts use and most
 * are about, then (3+ papers) a topic of some of them. The frames ("All of them work on …") are made of
 * words the tokenizer ignores, so the grounding check judges exactly the quoted phrases.
 */
export function commonGroundSentences(sources: AnswerSource[], weight: TermWeight): { options: string[][]; sharedByAll: boolean } {
  const phrases = sources.map((source) => keyPhrases(source, weight));
  // Shared means the same words, not just the same stems ("Momental" is not "moments").
  const holders = (phrase: Phrase) => phrases.filter((map) => map.get(phrase.key)?.lemma === phrase.lemma);
  const topicalIn = (phrase: Phrase) => phrases.filter((map) => map.get(phrase.key)?.topical).length;
  const everyKey = [...new Map(phrases.flatMap((map) => [...map.values()]).map((phrase) => [phrase.key, phrase])).values()];
  const inAll = [...phrases[0]!.values()].filter((phrase) => holders(phrase).length === sources.length);

  const taken = new Set<string>();
  const topics = distinctTop(
    inAll.filter((phrase) => topicalIn(phrase) === sources.length),
    2,
    taken,
  );
  const mostly = distinctTop(
    inAll.filter((phrase) => topicalIn(phrase) >= Math.ceil(sources.length / 2)),
    2,
    taken,
  );
  const two = sources.length === 2;
  const options: string[][] = [];
  if (topics.length) options.push(variants(topics, (p) => `${two ? "Both" : "All of them"} work on ${quoted(p)} ${cites(sources)}.`));
  if (mostly.length) {
    const frame = topics.length ? (two ? "Both are also about" : "They are all also about") : two ? "Both are about" : "All of them are about";
    options.push(variants(mostly, (p) => `${frame} ${quoted(p)} ${cites(sources)}.`));
  }
  if (sources.length > 2) {
    // A noun, or a term of several words ("fine-tuning", which the tagger may read as a verb); a phrase
    // more of the papers share says more of them.
    const partial = everyKey
      .filter(
        (phrase) =>
          (phrase.nounEnd || phrase.terms.length > 1) &&
          holders(phrase).length >= 2 &&
          holders(phrase).length < sources.length &&
          topicalIn(phrase) === holders(phrase).length,
      )
      .map((phrase) => ({ ...phrase, score: phrase.score * holders(phrase).length }));
    const [best] = distinctTop(partial, 1, taken);
    if (best) {
      const some = sources.filter((_, i) => phrases[i]!.get(best.key)?.lemma === best.lemma);
      const text = phrases[sources.indexOf(some[0]!)]!.get(best.key)!.text;
      const labels = listOf(some.map((source) => paperLabel(source)));
      const frame = options.length ? `Of these, ${labels} are also about` : `${labels} are ${some.length === 2 ? "both" : "all"} about`;
      options.push([`${frame} “${text}”.`]);
    }
  }
  return { options, sharedByAll: topics.length + mostly.length > 0 };
}

/**
 * Sentences on what only one paper covers: its topics that no other compared paper mentions, in its title
 * or abstract, in any form (stem, acronym or expansion: see mentions.ts).
 */
export function differenceSentences(sources: AnswerSource[], cells: Map<number, OfflineCell[]>, weight: TermWeight): string[][] {
  const phrases = sources.map((source) => keyPhrases(source, weight));
  const said: Mentions[] = sources.map((source) => mentionsOf(source.paper.title ?? "", source.paper.abstract));
  const perPaper = sources.map((source, i) => {
    const names = ownNames(source.paper);
    // What a paper does and works on sets it apart more than stray words elsewhere in its abstract.
    const focus = (cells.get(source.n) ?? [])
      .filter((cell) => cell.facet === "approach" || cell.facet === "data")
      .map((cell) => cell.quote ?? "")
      .join(" ");
    const own = [...phrases[i]!.values()]
      .filter((phrase) => phrase.whole && !phrase.example && (phrase.topical || focus.includes(phrase.text)))
      .filter((phrase) => said.every((other, j) => j === i || !mentions(other, phrase.text)))
      // The paper's own name ("AdaMod") sets it apart from the others only trivially.
      .filter((phrase) => !names.some((name) => name.includes(phrase.lemma) || phrase.lemma.includes(name)))
      // A verb ("restrict", "solve", "analysis suggests") is an action, not a topic, however often it is
      // said, unless the title names it.
      // A run of words said twice ("gradient update") is a term even when the tagger reads a verb at its end.
      .filter((phrase) => phrase.inTitle || phrase.nounEnd || (phrase.topical && phrase.terms.length > 1))
      .map((phrase) => ({ ...phrase, score: phrase.score * (phrase.topical ? 2 : 1) * (focus.includes(phrase.text) ? 2 : 1) }));
    // Beyond the phrases shown, a few more: when the judge rejects a claim, the next phrase is tried.
    return { source, top: distinctTop(own, sources.length <= 4 ? 2 : 1), spare: distinctTop(own, 4).slice(sources.length <= 4 ? 2 : 1) };
  });
  // One sentence per paper: a second "only" in a sentence ("…, and only [2] is about …") reads to the
  // judge as an exclusive claim no single abstract makes.
  return perPaper
    .filter((paper) => paper.top.length)
    .map(({ source, top, spare }) => {
      const sentence = (p: Phrase[]) => `Only ${paperLabel(source)} is about ${quoted(p)}.`;
      return [...variants(top, sentence), ...spare.map((phrase) => sentence([phrase]))];
    });
}

/** The claim with all its phrases, then with the first only (the caller keeps the first that is supported). */
function variants(phrases: Phrase[], sentence: (phrases: Phrase[]) => string): string[] {
  return phrases.length > 1 ? [sentence(phrases), sentence(phrases.slice(0, 1))] : [sentence(phrases)];
}
