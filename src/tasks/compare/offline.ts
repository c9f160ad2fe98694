import { STATES_CONTRIBUTION } from "../../text/contribution.js";
import type { AnswerSource } from "../../generate/generator.js";
import { keywordTerms } from "../../text/tokenize.js";
import { hasMarker } from "../../ground/markers.js";

export const FACETS = ["problem", "approach", "data", "results", "limitations"] as const;
export type Facet = (typeof FACETS)[number];
export const FACET_LABELS: Record<Facet, string> = {
  problem: "Problem",
  approach: "Approach",
  data: "Data / setting",
  results: "Results",
  limitations: "Limitations",
};
export const NOT_STATED = "not stated in the abstract";
export const MAX_QUOTE_WORDS = 40;

/** Weight of a stemmed term (IDF in the index): rare words say more about a paper than common ones. */
export type TermWeight = (term: string) => number;

interface FacetCues {
  strong: RegExp[];
  weak: RegExp[];
  /** A sentence needs this much cue evidence to fill the cell; below it the cell is "not stated". */
  threshold: number;
  /** Bonus by relative position in the abstract (0 = first sentence, 1 = last). */
  position: (at: number) => number;
  /** Weak cues alone ("only", "requires") are not enough: they also fit plain descriptions. */
  needsStrong?: boolean;
  /** Sentences matching this are about someone else's work: their score is multiplied by `factor`. */
  aboutOthers?: { pattern: RegExp; factor: number };
}

/** A strong cue counts 1 and a weak one this much; the sum is capped so a cue-stuffed sentence does not win every facet. */
const EVIDENCE = { weakCue: 0.5, cap: 2.5 };
const PRIOR_WORK = /\b(existing|prior|previous|current|conventional|traditional|standard|popular|widely used)\b/i;

const CUES: Record<Facet, FacetCues> = {
  problem: {
    strong: [
      /\b(limitations?|shortcomings?|weakness(es)?) of\b/i,
      /\bchalleng(e|es|ing)\b/i,
      /\bproblems?\b/i,
      /\bdifficult(y|ies)?\b/i,
      /\bbottlenecks?\b/i,
      /\blimited\b/i,
      /\b(suffers?|struggles?)\b/i,
      /\b(costly|expensive|prohibitive|impractical)\b/i,
      /\b(lacks?|lacking)\b/i,
      /\b(remains?|is|are) (an? )?(open|unclear|unknown|unsolved)\b/i,
      /\bhinders?\b/i,
    ],
    weak: [/\bhowever\b/i, PRIOR_WORK, /\b(issues?|needs?|demands?|growing|increasing|limitations?)\b/i],
    threshold: 1,
    position: (at) => 0.4 * (1 - at),
  },
  approach: {
    strong: [STATES_CONTRIBUTION, /\bour (method|approach|framework|model|algorithm|technique|system)\b/i, /\b(dubbed|called|termed)\b/i, /\bframework\b/i],
    weak: [/\bbased on\b/i, /\b(leverag|exploit|employ|utiliz|combin)\w*/i, /\b(method|approach|architecture|algorithm|technique|mechanism|module)\b/i],
    threshold: 0.5,
    position: (at) => 0.2 * (1 - at),
  },
  data: {
    strong: [
      /\b(datasets?|benchmarks?|corpus|corpora)\b/i,
      /\b(experiments?|evaluat\w*|tested|trained) (on|with|across|over)\b/i,
      /\b(ImageNet|GLUE|SuperGLUE|CIFAR-?\d*|COCO|MMLU|SQuAD|WikiText|ADE20K|Kinetics|LibriSpeech|HumanEval|GSM8K)\b/,
    ],
    weak: [
      /\btasks?\b/i,
      /\bexperiments?\b/i,
      /\bdomains?\b/i,
      /\b(reasoning|classification|detection|segmentation|generation|translation|retrieval|recognition|question answering)\b/i,
      /\b(LLMs?|large language models?|transformers?|CNNs?|GNNs?)\b/i,
      /\b(real-world|synthetic|simulat\w*)\b/i,
      /\b(settings?|scenarios?)\b/i,
      /\b(LLaMA|Llama|GPT-?\d*|BERT|RoBERTa|T5|ViT|CLIP|OPT)\b/,
    ],
    threshold: 1,
    position: () => 0,
  },
  results: {
    strong: [
      /\d+(\.\d+)?\s?(%|x\b|×|times\b)/i,
      /\\times/,
      /\boutperform\w*/i,
      /\bstate-of-the-art\b|\bSOTA\b/i,
      /\bspeed-?ups?\b/i,
      /\bsurpass\w*/i,
      /\b(experiments|results|evaluations?) (show|demonstrate|indicate|reveal|confirm)\b/i,
      /\b(better|faster|higher|lower|cheaper|more \w+)\b.{0,60}\b(than|then)\b/i,
    ],
    weak: [/\b(achiev|improv|enhanc|superior|better|faster|gains?|competitive|significant|demonstrat|effective|reduc)\w*/i],
    threshold: 1,
    position: (at) => 0.4 * at,
  },
  limitations: {
    strong: [/\blimitations?\b/i, /\bfail(s|ed|ure)?\b/i, /\bcan ?not\b/i, /\bdrawbacks?\b/i, /\bfuture work\b/i, /\bat the (cost|expense) of\b/i],
    weak: [/\bonly\b/i, /\bhowever\b/i, /\btrade-?offs?\b/i, /\bremains?\b/i, /\brestrict\w*/i, /\b(requires?|sensitive)\b/i],
    threshold: 1,
    position: (at) => 0.3 * at,
    needsStrong: true,
    aboutOthers: {
      pattern: new RegExp(
        `${PRIOR_WORK.source}|\\b(limitations?|shortcomings?|drawbacks?) of (?!our\\b|the proposed\\b|this\\b)|\\bto (overcome|address|tackle|alleviate|mitigate)\\b`,
        "i",
      ),
      factor: 0.3,
    },
  },
};

export interface OfflineCell {
  facet: Facet;
  /** Verbatim text from the abstract ("…" marks a cut at a sentence edge); null when not stated. */
  quote: string | null;
}

/** Fills each facet with the single best abstract sentence; one sentence serves at most one facet. */
export function pickFacetQuotes(source: AnswerSource, query: string | undefined, weight: TermWeight): OfflineCell[] {
  const sentences = verbatimSentences(source.paper.abstract, source.sentences);
  const queryTerms = query ? [...new Set(keywordTerms(query))] : [];
  const queryTotal = queryTerms.reduce((sum, term) => sum + weight(term), 0);

  // A paper's own limitations come after it says what it does; "However, X fails …" before that is the problem.
  const contribution = sentences.findIndex((sentence) => STATES_CONTRIBUTION.test(sentence));
  const ownStart = contribution >= 0 ? contribution + 1 : Math.ceil(sentences.length / 2);
  const candidates: Candidate[] = [];
  sentences.forEach((sentence, i) => {
    // "[12]" inside a quote would read as a citation marker.
    if (hasMarker(sentence)) return;
    const at = sentences.length > 1 ? i / (sentences.length - 1) : 0;
    const terms = new Set(keywordTerms(sentence));
    const overlap = queryTotal ? queryTerms.filter((term) => terms.has(term)).reduce((sum, term) => sum + weight(term), 0) / queryTotal : 0;
    for (const facet of FACETS) {
      if (facet === "limitations" && i < ownStart) continue;
      const cues = CUES[facet];
      const strong = count(cues.strong, sentence);
      const evidence = Math.min(EVIDENCE.cap, strong + EVIDENCE.weakCue * count(cues.weak, sentence));
      if (evidence < cues.threshold || (cues.needsStrong && !strong)) continue;
      const aboutOthers = cues.aboutOthers?.pattern.test(sentence) ? cues.aboutOthers.factor : 1;
      // The query only ranks sentences that already look like this facet; it never creates a cell.
      candidates.push({ facet, sentence: i, score: (evidence + cues.position(at) + overlap) * aboutOthers });
    }
  });

  const chosen = bestAssignment(candidates.filter((candidate) => candidate.score >= CUES[candidate.facet].threshold));
  return FACETS.map((facet) => {
    const i = chosen.get(facet);
    return { facet, quote: i === undefined ? null : shortenQuote(sentences[i]!, CUES[facet]) };
  });
}

type Candidate = { facet: Facet; sentence: number; score: number };

/** The best few sentences per facet enter the exhaustive assignment (5 facets × 4: at most 4^5 tries). */
const CANDIDATES_PER_FACET = 4;

/**
 * Sentence per facet maximising the total score, each sentence used once. Greedy would give a
 * sentence naming both a benchmark and a gain to Results and leave Data empty when another
 * sentence could have served Results. Five facets, a few candidates each: exhaustive search is cheap.
 */
function bestAssignment(candidates: Candidate[]): Map<Facet, number> {
  const options = FACETS.map((facet) =>
    candidates
      .filter((c) => c.facet === facet)
      .sort((a, b) => b.score - a.score)
      .slice(0, CANDIDATES_PER_FACET),
  );
  let best: { total: number; picks: Candidate[] } = { total: 0, picks: [] };
  const search = (f: number, picks: Candidate[], total: number) => {
    if (f === FACETS.length) {
      if (total > best.total) best = { total, picks: [...picks] };
      return;
    }
    search(f + 1, picks, total);
    for (const option of options[f]!) {
      if (picks.some((pick) => pick.sentence === option.sentence)) continue;
      picks.push(option);
      search(f + 1, picks, total + option.score);
      picks.pop();
    }
  };
  search(0, [], 0);
  return new Map(best.picks.map((pick) => [pick.facet, pick.sentence]));
}

function count(patterns: RegExp[], text: string): number {
  return patterns.filter((pattern) => pattern.test(text)).length;
}

/**
 * The splitter re-joins fragments with single spaces ("OPT-1. 3B"), so a split sentence is not always
 * a substring of the abstract. Each is located again, whitespace-tolerant, and the abstract's own text kept.
 */
export function verbatimSentences(abstract: string, sentences: string[]): string[] {
  const found: string[] = [];
  let from = 0;
  for (const sentence of sentences) {
    const words = sentence
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    if (!words.length) continue;
    const pattern = new RegExp(words.join("\\s*"), "g");
    pattern.lastIndex = from;
    const match = pattern.exec(abstract);
    if (!match) continue;
    found.push(match[0]);
    from = match.index + match[0].length;
  }
  return found;
}

/** Long sentences are cut to a window of words around the facet's cue; "…" only where the sentence was cut. */
function shortenQuote(sentence: string, cues: FacetCues): string {
  const words = [...sentence.matchAll(/\S+/g)];
  if (words.length <= MAX_QUOTE_WORDS) return sentence;
  const cueAt = Math.min(...[...cues.strong, ...cues.weak].map((pattern) => sentence.search(pattern)).filter((at) => at >= 0), sentence.length);
  const cueWord = Math.max(
    0,
    words.findIndex((word) => word.index! + word[0].length > cueAt),
  );
  const start = cueWord < MAX_QUOTE_WORDS - 5 ? 0 : Math.min(cueWord - 5, words.length - MAX_QUOTE_WORDS);
  const end = start + MAX_QUOTE_WORDS;
  const first = words[start]!;
  const last = words[end - 1]!;
  let text = sentence.slice(first.index!, last.index! + last[0].length);
  if (end < words.length) text = `${text.replace(/[,;:]+$/, "")}…`;
  return start > 0 ? `…${text}` : text;
}

// ---- Common ground and differences, from key phrases the abstracts share or do not share ----

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
}

const WORD = /[\p{L}\p{N}]+(?:[-.'’][\p{L}\p{N}]+)*/gu;
/** Common abstract verbs end a phrase like a stop word does: "achieve ultra-high-dimensional quantization" is not a topic. */
const VERB =
  /^(achieve[sd]?|allows?|enables?|provides?|improves?|requires?|yields?|leverages?|introduces?|develops?|demonstrates?|outperforms?|obtains?|reduces?|performs?|makes?|learns|generates?|applies|applied|leads?|exhibits?)$/i;
/** Adverbs and participles ("heavily", "investigated") do not name a topic on their own or at a phrase's end. */
const NOT_A_TOPIC_END = /(ly|ed)$/;
/** Phrases made only of common words ("language models") say nothing about what sets papers apart. */
const MIN_MEAN_WEIGHT = 1.5;

/** Runs of adjacent content words (no stop word, verb or punctuation between them) and their 1–3 word parts. */
function keyPhrases(source: AnswerSource, weight: TermWeight): Map<string, Phrase> {
  const phrases = new Map<string, Phrase>();
  const counts = new Map<string, number>();
  const titleTerms = new Set(keywordTerms((source.paper.title ?? "").replace(/[-.'’]/g, " ")));
  for (const sentence of verbatimSentences(source.paper.abstract, source.sentences)) {
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
          counts.set(key, (counts.get(key) ?? 0) + 1);
          const known = phrases.get(key);
          if (known) known.whole ||= n === run.length;
          else {
            const text = sentence.slice(first.index!, last.index! + last[0].length);
            phrases.set(key, { key, text, terms, score, whole: n === run.length, topical: terms.every((term) => titleTerms.has(term)) });
          }
        }
      }
      run = [];
    };
    for (const word of words) {
      const previous = run.at(-1)?.match;
      const adjacent = previous && /^\s+$/.test(sentence.slice(previous.index! + previous[0].length, word.match.index));
      if (!adjacent) flush();
      if (word.terms.length && !VERB.test(word.match[0])) run.push(word);
      else flush();
    }
    flush();
  }
  for (const phrase of phrases.values()) phrase.topical ||= (counts.get(phrase.key) ?? 0) >= 2;
  return phrases;
}

/** Best phrases first, skipping any that repeats a word of one already chosen. */
function distinctTop(phrases: Phrase[], count: number, taken = new Set<string>()): Phrase[] {
  const picked: Phrase[] = [];
  for (const phrase of [...phrases].sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))) {
    if (picked.length >= count) break;
    if (phrase.terms.some((term) => taken.has(term))) continue;
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
  const holders = (phrase: Phrase) => phrases.filter((map) => map.has(phrase.key));
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
    const partial = everyKey.filter(
      (phrase) => holders(phrase).length >= 2 && holders(phrase).length < sources.length && topicalIn(phrase) === holders(phrase).length,
    );
    const [best] = distinctTop(partial, 1, taken);
    if (best) {
      const some = sources.filter((_, i) => phrases[i]!.has(best.key));
      const text = phrases[sources.indexOf(some[0]!)]!.get(best.key)!.text;
      const labels = listOf(some.map((source) => paperLabel(source)));
      const frame = options.length ? `Of these, ${labels} are also about` : `${labels} are ${some.length === 2 ? "both" : "all"} about`;
      options.push([`${frame} “${text}”.`]);
    }
  }
  return { options, sharedByAll: topics.length + mostly.length > 0 };
}

/** Sentences on what only one paper covers: its topics that no other compared abstract mentions. */
export function differenceSentences(sources: AnswerSource[], cells: Map<number, OfflineCell[]>, weight: TermWeight): string[][] {
  const phrases = sources.map((source) => keyPhrases(source, weight));
  const perPaper = sources.map((source, i) => {
    const name = shortName(source.paper);
    // What a paper does and works on sets it apart more than stray words elsewhere in its abstract.
    const focus = (cells.get(source.n) ?? [])
      .filter((cell) => cell.facet === "approach" || cell.facet === "data")
      .map((cell) => cell.quote ?? "")
      .join(" ");
    const own = [...phrases[i]!.values()]
      .filter((phrase) => phrase.whole && (phrase.topical || focus.includes(phrase.text)))
      .filter((phrase) => phrases.every((map, j) => j === i || !map.has(phrase.key)))
      .filter((phrase) => !(name && (phrase.text.includes(name) || name.includes(phrase.text))))
      .map((phrase) => ({ ...phrase, score: phrase.score * (phrase.topical ? 2 : 1) * (focus.includes(phrase.text) ? 2 : 1) }));
    return { source, top: distinctTop(own, sources.length <= 4 ? 2 : 1) };
  });
  const withPhrases = perPaper.filter((paper) => paper.top.length);
  if (sources.length <= 4) {
    return withPhrases.map(({ source, top }) => variants(top, (p) => `Only ${paperLabel(source)} is about ${quoted(p)}.`));
  }
  // Five or six papers: two per sentence keeps the paragraph to at most four sentences.
  const sentences: string[][] = [];
  for (let i = 0; i < withPhrases.length; i += 2) {
    const pair = withPhrases.slice(i, i + 2);
    const sentence = (named: boolean) =>
      `${pair.map(({ source, top }, j) => `${j ? "only" : "Only"} ${paperLabel(source, named)} is about ${quoted(top)}`).join(", and ")}.`;
    // Two names add two words no single source sentence has; without them the claim is just the phrases.
    sentences.push([sentence(true), sentence(false)]);
  }
  return sentences;
}

/** The claim with all its phrases, then with the first only (the caller keeps the first that is supported). */
function variants(phrases: Phrase[], sentence: (phrases: Phrase[]) => string): string[] {
  return phrases.length > 1 ? [sentence(phrases), sentence(phrases.slice(0, 1))] : [sentence(phrases)];
}
