/**
 * The five facets of a comparison and how the offline composer fills them: each abstract sentence is
 * read for what it says (a measured result, the data or setting, a limitation, the method, the problem)
 * and each facet gets the sentence that says it best.
 */
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
  /**
   * Before the sentence saying what the paper proposes, an abstract sets the scene: "This approach
   * emphasizes …" there is the approach of others, "Recent … approaches … improve …" their results.
   * Such a sentence's score is multiplied by this (a contribution sentence itself is exempt).
   */
  beforeOwn?: number;
}

/** A strong cue counts 1 and a weak one this much; the sum is capped so a cue-stuffed sentence does not win every facet. */
const EVIDENCE = { weakCue: 0.5, cap: 2.5 };
const PRIOR_WORK = /\b(existing|prior|previous|current|conventional|traditional|standard|popular|widely used|recently proposed)\b/i;

/**
 * A measured outcome: a figure with a unit ("0.85%", "9.5× fewer", "1.86times", "up to 3 points"). Such a
 * sentence reports a result, whatever benchmark it also names: it belongs to Results, never to Data.
 */
export const MEASURED = /\d(?:[\d.,]*\d)?\s?(%|×|x\b|times\b|-?fold\b|points?\b|pp\b|BLEU\b|dB\b)|\\times|\bup to \d/i;

/** Datasets and benchmarks by name; Data cells quote them, and a Results sentence gives up its "on GLUE" clause. */
const DATASET_NAMES =
  /\b(ImageNet|GLUE|SuperGLUE|CIFAR-?\d*|Cifar-?\d*|COCO|MMLU|SQuAD|WikiText|ADE20K|Kinetics|LibriSpeech|HumanEval|GSM8K|WMT|Penn Treebank|MNIST|Cityscapes|KITTI|ShapeNet|ModelNet\d*|BEIR|MS ?MARCO|C4|The Pile|LongBench|BIG-bench)\b/;
/** "dataset-independent bases" or "benchmark-specific tricks" describe something else, not the data. */
const DATASET_WORDS = /\b(datasets?|benchmarks?|corpus|corpora|test beds?|testbeds?)\b(?!-)/i;
/** Models and networks a paper runs on: part of its setting, not its data. */
const MODEL_NAMES = /\b(LLaMA|Llama|GPT-?\d*|BERT|RoBERTa|T5|ViT|CLIP|OPT|ResNets?|DenseNets?|VGG|MobileNets?|U-Net|LSTMs?|Transformers?)\b/;

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
      // The task the paper takes on: "We study the computational limits of …".
      /\bwe (study|investigate|examine|analy[sz]e|address|tackle|revisit)\b/i,
      /\b(fail|fails|failed) to\b/i,
    ],
    // "VQ requires a codebook …", "This limits current … works to …": a constraint, when something else says so too.
    weak: [/\bhowever\b/i, PRIOR_WORK, /\b(issues?|needs?|demands?|growing|increasing|limitations?)\b/i, /\b(limits|requires?)\b/i],
    threshold: 1,
    position: (at) => 0.4 * (1 - at),
  },
  approach: {
    strong: [
      STATES_CONTRIBUTION,
      /\bthis (article|report|paper|work|study) (introduces|presents|proposes|describes)\b/i,
      /\bour (method|approach|framework|model|algorithm|technique|system)\b/i,
      /\b(dubbed|called|termed)\b/i,
      /\bframework\b/i,
    ],
    weak: [
      /\bbased on\b/i,
      /\b(leverag|exploit|employ|utiliz|combin)\w*/i,
      /\b(method|approach|architecture|algorithm|technique|mechanism|module)\b/i,
      /\bpropos(e|es|ing)\b/i,
    ],
    threshold: 0.5,
    position: (at) => 0.2 * (1 - at),
    // "Several recently proposed methods … are based on …" describes others' methods.
    aboutOthers: { pattern: new RegExp(`${PRIOR_WORK.source}|\\b(several|many|most)\\b`, "i"), factor: 0.4 },
    beforeOwn: 0.5,
  },
  data: {
    strong: [
      DATASET_WORDS,
      DATASET_NAMES,
      /\b(experiments?|evaluat\w*|tested|trained|validated?) (on|with|across|over|for|in)\b/i,
      /\b(practical|experimental|real-world) (scenarios?|settings?|applications?)\b/i,
    ],
    weak: [
      /\btasks?\b/i,
      /\bexperiments?\b/i,
      /\bdomains?\b/i,
      /\b(reasoning|classification|detection|segmentation|generation|translation|retrieval|recognition|question answering|language modell?ing)\b/i,
      /\b(LLMs?|large language models?|CNNs?|GNNs?|GANs?)\b/i,
      MODEL_NAMES,
      /\b(real-world|synthetic|simulat\w*)\b/i,
      /\b(settings?|scenarios?)\b/i,
    ],
    threshold: 1,
    position: () => 0,
    // "LSTMs … constituted the first Large Language Models": models named in passing are no setting.
    needsStrong: true,
  },
  results: {
    strong: [
      MEASURED,
      /\boutperform\w*/i,
      /\bstate-of-the-art\b|\bSOTA\b/i,
      /\bspeed-?ups?\b/i,
      /\bsurpass\w*/i,
      /\b(experiments|results|evaluations?|analysis) (show|demonstrate|indicate|reveal|confirm|verify|suggest)\b/i,
      /\b(better|faster|higher|lower|cheaper|more \w+)\b.{0,60}\b(than|then)\b/i,
      /\b(comparable|similar|competitive|superior|improved|excellent|strong|promising|remarkable|impressive|outstanding|notable|consistent)( \w+)? (results?|performance|accuracy|quality)\b/i,
      /\b(improv\w*|better|higher|lower|faster|stabl\w*)\b.{0,80}\bcompared (to|with)\b/i,
      // Findings of a theory or analysis paper: "we prove the existence of …", "show that … only below this threshold".
      /\b(we|and) (show|prove|find|derive|establish|verify|validate)\b/i,
    ],
    // Apart, so that "demonstrates high stability and improves the quality" counts twice.
    weak: [
      /\b(achiev|obtain)\w*/i,
      /\b(improv|enhanc)\w*/i,
      /\b(superior|better|faster|higher|competitive)\b/i,
      /\b(gains?|significant\w*)\b/i,
      /\bdemonstrat\w*/i,
      /\b(reduc|eliminat)\w*/i,
    ],
    threshold: 1,
    position: (at) => 0.4 * at,
    // "Recent state-of-the-art PTQ approaches use …, which improves …" reports what others achieved.
    aboutOthers: { pattern: new RegExp(`${PRIOR_WORK.source}|\\brecent\\b`, "i"), factor: 0.4 },
    beforeOwn: 0.5,
  },
  limitations: {
    strong: [
      /\blimitations?\b/i,
      /\bfail(s|ed|ure)?\b/i,
      /\bcan ?not\b/i,
      /\bdrawbacks?\b/i,
      /\bfuture work\b/i,
      /\bat the (cost|expense) of\b/i,
      /\b(may|might) not\b/i,
      /\b(is|are) (limited|restricted) to\b/i,
      /\bassuming\b|\bassumptions?\b/i,
    ],
    weak: [/\bonly\b/i, /\bhowever\b/i, /\btrade-?offs?\b/i, /\bremains?\b/i, /\brestrict\w*/i, /\b(requires?|sensitive)\b/i],
    threshold: 1,
    position: (at) => 0.3 * at,
    needsStrong: true,
    aboutOthers: {
      pattern: new RegExp(
        `${PRIOR_WORK.source}|\\b(limitations?|shortcomings?|drawbacks?) of (?!our\\b|the proposed\\b|this\\b)|\\bto (overcome|address|tackle|alleviate|mitigate)\\b|\\bsurpassing\\b`,
        "i",
      ),
      factor: 0.3,
    },
  },
};

/** "The code and datasets are available at https://…" says where to get them, nothing about the paper. */
const AVAILABILITY = /\b(is|are|will be|has been|have been)( made)? (publicly |freely |openly )?(available|released)\b|\bhttps?:\/\/|\bgithub\.com\b/i;

/** A measured result counts this much extra for Results, so it wins that cell over a sentence that only says "improves". */
const MEASURED_BONUS = 1;

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
    if (hasMarker(sentence) || AVAILABILITY.test(sentence)) return;
    const at = sentences.length > 1 ? i / (sentences.length - 1) : 0;
    const terms = new Set(keywordTerms(sentence));
    const overlap = queryTotal ? queryTerms.filter((term) => terms.has(term)).reduce((sum, term) => sum + weight(term), 0) / queryTotal : 0;
    const measured = MEASURED.test(sentence);
    const evidence = Object.fromEntries(FACETS.map((facet) => [facet, evidenceFor(CUES[facet], sentence)])) as Record<Facet, { strong: number; total: number }>;
    for (const facet of FACETS) {
      if (facet === "limitations" && i < ownStart) continue;
      // A result is a result, whatever it was measured on: the benchmark is quoted for Data as a clause (dataClauses).
      if (facet === "data" && (measured || evidence.results.strong > 0 || evidence.results.total >= evidence.data.total)) continue;
      // "For both problems we achieved competitive … results" reports results, not a problem.
      if (facet === "problem" && evidence.results.strong > 0 && evidence.results.total >= evidence.problem.total) continue;
      const cues = CUES[facet];
      const { strong, total } = evidence[facet];
      if (total < cues.threshold || (cues.needsStrong && !strong)) continue;
      const aboutOthers =
        cues.aboutOthers?.pattern.test(sentence) && !(facet === "approach" && STATES_CONTRIBUTION.test(sentence)) ? cues.aboutOthers.factor : 1;
      const scene = cues.beforeOwn !== undefined && contribution >= 0 && i < contribution && !STATES_CONTRIBUTION.test(sentence) ? cues.beforeOwn : 1;
      const bonus = facet === "results" && measured ? MEASURED_BONUS : 0;
      // The query only ranks sentences that already look like this facet; it never creates a cell.
      candidates.push({ facet, sentence: i, score: (total + bonus + cues.position(at) + overlap) * aboutOthers * scene });
    }
  });

  const chosen = bestAssignment(candidates.filter((candidate) => candidate.score >= CUES[candidate.facet].threshold));
  // "We introduce the PEFT-U Benchmark: a new dataset for …" is what the paper proposes: Approach, when
  // nothing else is; Data then quotes the part that names the data.
  const data = chosen.get("data");
  if (data !== undefined && !chosen.has("approach") && STATES_CONTRIBUTION.test(sentences[data]!)) {
    chosen.set("approach", data);
    chosen.delete("data");
  }
  return FACETS.map((facet) => {
    const i = chosen.get(facet);
    if (i !== undefined) return { facet, quote: shortenQuote(sentences[i]!, [...CUES[facet].strong, ...CUES[facet].weak]) };
    return { facet, quote: facet === "data" ? dataClauses(sentences) : null };
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

function evidenceFor(cues: FacetCues, sentence: string): { strong: number; total: number } {
  const strong = count(cues.strong, sentence);
  return { strong, total: Math.min(EVIDENCE.cap, strong + EVIDENCE.weakCue * count(cues.weak, sentence)) };
}

function count(patterns: RegExp[], text: string): number {
  return patterns.filter((pattern) => pattern.test(text)).length;
}

/**
 * Where a clause ends: punctuation, a conjunction that starts another statement ("… on GLUE benchmark while
 * yielding …"), or the verb of what was found there ("experiments on 24 benchmarks … demonstrate that …").
 */
const CLAUSE_END =
  /[,;:]\s|[.!?](\s|$)|\s(?=(while|whereas|which|and (?:achieves?|yields?|brings?|shows?)|demonstrates?|shows?|indicates?|reveals?|confirms?|verif(?:y|ies)|suggests?|achieves?|yields?|outperforms?|surpass(?:es)?)\b)/g;
/** The preposition that opens a setting: "on GLUE benchmark", "in training the Transformer model on WMT …". */
const SETTING_START = /\b(on|across|over|in|with|using|for)\s/gi;

/** A task, or a list of them: "commonsense reasoning, arithmetic reasoning". */
const TASK_NAME = String.raw`(?:(?:long-term )?time[- ]series forecasting|computer vision|(?:(?!(?:for|of|on|in|to|and|the|a|an|with|by|is|are)\b)[\w-]+ )?(?:reasoning|classification|detection|segmentation|translation|summarization|question answering|language modell?ing|image generation|text generation|retrieval|recognition|forecasting))`;
const TASK_LIST = new RegExp(String.raw`\b${TASK_NAME}(?:,? (?:and )?${TASK_NAME})*`, "i");

/** Data mentions quoted from other sentences: at most this many, and this many words in all. */
const DATA_CLAUSES = { count: 3, words: 24 };

/**
 * When every sentence naming the data also reports a result (so serves Results), Data quotes just the
 * parts that name it: "…on ImageNet … on Cifar10…" (from the preposition before each name to the end of
 * its clause), or the tasks it was tried on ("…commonsense reasoning, arithmetic reasoning…").
 */
function dataClauses(sentences: string[]): string | null {
  // Models only when nothing else is named: "…on complex networks such as DenseNet…".
  for (const kinds of [[DATASET_NAMES, DATASET_WORDS, TASK_LIST], [MODEL_NAMES]]) {
    const pieces: Array<{ text: string; cutBefore: boolean; cutAfter: boolean }> = [];
    let words = 0;
    for (const sentence of sentences) {
      if (hasMarker(sentence) || AVAILABILITY.test(sentence)) continue;
      const piece = dataMention(sentence, kinds);
      // "…time series forecasting … superior forecasting…" says the same twice.
      const last = (text: string) => text.split(/\s+/).at(-1)!.toLowerCase();
      if (!piece || pieces.some((known) => known.text.includes(piece.text) || last(known.text) === last(piece.text))) continue;
      const length = piece.text.split(/\s+/).length;
      if (pieces.length && words + length > DATA_CLAUSES.words) continue;
      pieces.push(piece);
      words += length;
      if (pieces.length >= DATA_CLAUSES.count) break;
    }
    if (!pieces.length) continue;
    // "…" wherever words of the abstract were left out: at either end and between pieces.
    const body = pieces.map((piece, i) => `${i > 0 || !piece.cutBefore ? "" : "…"}${piece.text}`).join(" … ");
    return `${body}${pieces.at(-1)!.cutAfter ? "…" : ""}`;
  }
  return null;
}

/** Words that only lead up to what was cut off: "…benchmarks with" before "81.9% mIoU" ends at "benchmarks". */
const DANGLING = /(?:[\s,;:(]+(?:with|of|by|at|to|and|or|achieving|reaching|obtaining|yielding|scoring|the|a|an|up|respectively))+[\s,;:(]*$|[\s,;:(]+$/i;

/**
 * The first data mention of a sentence, by kind: from the preposition before a name to its clause's end, or
 * a task list. A figure ends the mention ("…on nuScenes … benchmarks" without "with 81.9% mIoU"): Data
 * says what a paper was tried on, Results what it measured there.
 */
function dataMention(sentence: string, kinds: RegExp[]): { text: string; cutBefore: boolean; cutAfter: boolean } | null {
  for (const kind of kinds) {
    // Every mention in turn: "the PEFT-U Benchmark: a new dataset for …" is one word, then a phrase.
    for (const match of sentence.matchAll(new RegExp(kind.source, kind.flags.includes("g") ? kind.flags : `${kind.flags}g`))) {
      let start = match.index;
      let end = match.index + match[0].length;
      if (kind !== TASK_LIST) {
        const before = [...sentence.slice(0, start).matchAll(SETTING_START)].at(-1);
        // The preposition must be close, or the "clause" would be half the sentence.
        const close = before && sentence.slice(before.index, start).split(/\s+/).filter(Boolean).length <= 7;
        if (close) start = before.index;
        // A model name without one ("LSTM) has been extended …") is mentioned, not used.
        else if (kind === MODEL_NAMES) continue;
        CLAUSE_END.lastIndex = match.index;
        end = CLAUSE_END.exec(sentence)?.index ?? sentence.length;
      }
      const figure = MEASURED.exec(sentence.slice(start, end));
      if (figure) end = start + sentence.slice(start, start + figure.index).replace(/[\d.,\s]*$/, "").length;
      const text = sentence
        .slice(start, end)
        .replace(/[.,;:]+$/, "")
        .replace(DANGLING, "")
        .trim();
      if (text.split(/\s+/).length < 2 || MEASURED.test(text)) continue;
      return { text, cutBefore: start > 0, cutAfter: start + text.length < sentence.replace(/[.!?]+$/, "").length };
    }
  }
  return null;
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

/** Long sentences are cut to a window of words around the first cue; "…" only where the sentence was cut. */
export function shortenQuote(sentence: string, cues: RegExp[], maxWords = MAX_QUOTE_WORDS): string {
  const words = [...sentence.matchAll(/\S+/g)];
  if (words.length <= maxWords) return sentence;
  const cueAt = Math.min(...cues.map((pattern) => sentence.search(pattern)).filter((at) => at >= 0), sentence.length);
  const cueWord = Math.max(
    0,
    words.findIndex((word) => word.index! + word[0].length > cueAt),
  );
  const start = cueWord < maxWords - 5 ? 0 : Math.min(cueWord - 5, words.length - maxWords);
  const end = start + maxWords;
  const first = words[start]!;
  const last = words[end - 1]!;
  let text = sentence.slice(first.index!, last.index! + last[0].length);
  if (end < words.length) text = `${text.replace(/[,;:]+$/, "")}…`;
  return start > 0 ? `…${text}` : text;
}
