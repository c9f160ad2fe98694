import { thirdPerson } from "../../generate/extractive.js";
import type { AnswerSource } from "../../generate/generator.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import type { Theme } from "../themes.js";
import type { Draft } from "./draft.js";
import { methodPhrase } from "./method.js";
import { contentWords, mentions, type Phrase, phraseKey, phraseTerms, salientPhrases, shortName, termShare } from "./parts.js";
import { problemPhrase, STATES_PROBLEM } from "./problem.js";

/** How offline ideas are picked; chosen by reading the ideas for the sample corpus's topics (README). */
const OFFLINE_IDEAS = {
  /** Sentences shorter than this say too little to build on. */
  minWords: 8,
  /**
   * A method paper's sentence says why the method might help when it contains this IDF-weighted share of the
   * problem's words, among them the problem's head ("memory" of "memory challenge for edge deployment") or
   * two of its words, one of them not a word of the background: one shared word ("resources") is a pun.
   */
  minLink: 0.4,
  /** Longer reasons are a paragraph, not a reason. */
  maxWhyWords: 45,
  /** The gain must be reported within this many words of the problem's word. */
  gainWindow: 4,
  /** A reason that only mentions the problem's words, without reporting a gain, counts this much. */
  mentionOnly: 0.5,
  /** Problem and method from different themes: the transfer the task is for. */
  sameThemeFactor: 0.85,
};

/** Problems of too much of something: met only by a sentence that reports less of it. */
const TOO_MUCH =
  /\b(more|larger|higher|growth|increas\w*|cost|costs|overheads?|footprints?|consumption|latency|complexity|memory|parameters|requirements?|demands?|burden|effort|computation|redundancy)\b/i;
const REPORTS_REDUCTION =
  /^(reduc|lower|less|fewer|cut|sav|slash|shrink|compress|smaller|decreas|faster|accelerat|speed|sublinear|linear|efficient|no$|without)\w*/i;
/** A sentence that reports a gain: "reduces memory usage by four times", "86.7% lower memory consumption". */
const REPORTS_GAIN =
  /^(reduc|lower|cut|sav|accelerat|speed|faster|fewer|less|improv|outperform|boost|enabl|allow|achiev|surpass|exceed|slash|shrink|compress|mitigat|alleviat|eliminat|stabiliz|stabl|converg|fast|better)\w*/i;

interface Candidate {
  source: AnswerSource;
  sentence: string;
  phrase: Phrase;
  key: string;
}

interface Pair {
  problem: Candidate;
  method: Candidate;
  why: string;
  score: number;
}

/** The problems and methods the sources state, one phrase per sentence. */
function candidates(index: IndexSnapshot, sources: AnswerSource[]): { problems: Candidate[]; methods: Candidate[] } {
  const problems: Candidate[] = [];
  const methods: Candidate[] = [];
  for (const source of sources) {
    for (const sentence of source.sentences) {
      if (sentence.split(/\s+/).length < OFFLINE_IDEAS.minWords) continue;
      const method = methodPhrase(index, sentence);
      if (method) {
        // The first contribution is the paper's method; later ones ("Furthermore, we introduce …") are its parts.
        if (!methods.some((other) => other.source === source)) methods.push({ source, sentence, phrase: method, key: phraseKey(method.text) });
        continue;
      }
      const problem = STATES_PROBLEM.test(sentence) ? problemPhrase(index, sentence) : null;
      if (problem) problems.push({ source, sentence, phrase: problem, key: phraseKey(problem.text) });
    }
  }
  return { problems, methods };
}

/** Does the sentence report the gain next to the problem's word ("86.7% lower memory consumption"), not elsewhere ("fewer resources … parameter increase")? */
function gainNear(sentence: string, gain: RegExp, isProblemWord: (word: string) => boolean): boolean {
  const words = sentence.split(/\s+/);
  const near = (i: number) => words.slice(Math.max(0, i - OFFLINE_IDEAS.gainWindow), i + OFFLINE_IDEAS.gainWindow + 1);
  return words.some((word, i) => isProblemWord(word) && near(i).some((other) => gain.test(other)));
}

/** The method paper's sentence that best says why it might help with the problem: it speaks of the problem's words, ideally reporting a gain. */
function whySentence(
  index: IndexSnapshot,
  problem: Candidate,
  method: Candidate,
  taken: Set<string>,
  background: Set<string>,
): { sentence: string; share: number } | null {
  const terms = phraseTerms(problem.phrase.text);
  let best: { sentence: string; share: number } | null = null;
  for (const sentence of method.source.sentences) {
    if (sentence === method.sentence || taken.has(sentence) || STATES_PROBLEM.test(sentence)) continue;
    if (sentence.split(/\s+/).length > OFFLINE_IDEAS.maxWhyWords) continue;
    const present = new Set(phraseTerms(sentence));
    const shared = terms.filter((term) => present.has(term));
    // Words, not stems: "domain-specific" is one word however many stems it indexes as.
    const sharedWords = contentWords(problem.phrase.text).filter(
      (word) => phraseTerms(word).length > 0 && phraseTerms(word).every((term) => present.has(term)),
    );
    const head = problem.phrase.head;
    const byHead = head !== null && mentions(sentence, head) && !phraseTerms(head).every((term) => background.has(term));
    const byWords = sharedWords.length >= 2 && sharedWords.some((word) => phraseTerms(word).some((term) => !background.has(term)));
    if (!(byHead || byWords)) continue;
    const share = termShare(index, terms, sentence);
    if (share < OFFLINE_IDEAS.minLink) continue;
    // A problem of too much (memory, parameters, latency) is met by less of it, not by "scaling to 5.7 billion parameters".
    const tooMuch = TOO_MUCH.test(problem.phrase.text);
    const gain = gainNear(
      sentence,
      tooMuch ? REPORTS_REDUCTION : REPORTS_GAIN,
      (word) => (head !== null && mentions(word, head)) || phraseTerms(word).some((term) => shared.includes(term)),
    );
    if (tooMuch && !gain) continue;
    const score = share * (gain ? 1 : OFFLINE_IDEAS.mentionOnly);
    if (!best || score > best.share) best = { sentence, share: score };
  }
  return best;
}

/** "… 6x compression [2]." */
function cite(sentence: string, n: number): string {
  const match = /^(.*?)([.!?]*)$/s.exec(thirdPerson(sentence).trim())!;
  return `${match[1]} [${n}]${match[2] || "."}`;
}

/** "the memory challenge", but "FP8 scales" and "Tensor Product Attention (TPA)" as they are. */
function withArticle(phrase: string): string {
  return /^[A-Z0-9]/.test(phrase) || /[^s]s$/.test(phrase.split(" ")[0]!) ? phrase : `the ${phrase}`;
}

/**
 * Offline ideas: a method one paper introduces, brought to a problem another paper states, with the method
 * paper's sentence that speaks to that problem as the reason it might work. No sentence serves two ideas and
 * no problem–method pair comes twice; the first pass also uses each paper and phrase once. Problems no method
 * speaks to are left as open problems when transfers run out.
 */
export function composeOffline(index: IndexSnapshot, background: string, themes: Theme[], sources: AnswerSource[], count: number): Draft[] {
  const themeOf = new Map(themes.flatMap((theme, i) => theme.papers.map((paper) => [paper.id, i] as const)));
  const backgroundTerms = phraseTerms(background);
  const backgroundSet = new Set(backgroundTerms);
  const topical = (candidate: Candidate) => candidate.source.strength * (0.5 + 0.5 * termShare(index, backgroundTerms, candidate.sentence));
  const { problems, methods } = candidates(index, sources);

  const taken = new Set<string>();
  const pairs: Pair[] = [];
  // Every problem against every method: a few hundred pairs for 20 papers.
  for (const problem of problems) {
    for (const method of methods) {
      if (method.source === problem.source) continue;
      const why = whySentence(index, problem, method, taken, backgroundSet);
      if (!why) continue;
      const sameTheme = themeOf.get(problem.source.paper.id) === themeOf.get(method.source.paper.id);
      const score = why.share * topical(problem) * method.source.strength * (sameTheme ? OFFLINE_IDEAS.sameThemeFactor : 1);
      pairs.push({ problem, method, why: why.sentence, score });
    }
  }
  pairs.sort((a, b) => b.score - a.score);

  const drafts: Draft[] = [];
  const usedPairs = new Set<string>();
  const usedOnce = new Set<string>();
  for (const strict of [true, false]) {
    for (const pair of pairs) {
      if (drafts.length >= count) break;
      const { problem, method } = pair;
      // An earlier idea may have taken this pair's best reason: the next best will do.
      const why = taken.has(pair.why) ? whySentence(index, problem, method, taken, backgroundSet)?.sentence : pair.why;
      if (!why) continue;
      const pairKey = `${problem.key}|${method.key}`;
      const sentences = [problem.sentence, method.sentence, why];
      if (usedPairs.has(pairKey) || sentences.some((sentence) => taken.has(sentence))) continue;
      const once = [`p:${problem.key}`, `m:${method.key}`, `pp:${problem.source.n}`, `mp:${method.source.n}`];
      if (strict && once.some((key) => usedOnce.has(key))) continue;
      usedPairs.add(pairKey);
      for (const sentence of sentences) taken.add(sentence);
      for (const key of once) usedOnce.add(key);
      drafts.push(transferDraft({ ...pair, why }));
    }
  }
  const open = problems.filter((problem) => !taken.has(problem.sentence)).sort((a, b) => topical(b) - topical(a));
  for (const problem of open) {
    if (drafts.length >= count) break;
    if (usedOnce.has(`p:${problem.key}`)) continue;
    usedOnce.add(`p:${problem.key}`);
    taken.add(problem.sentence);
    drafts.push(openProblemDraft(index, problem));
  }
  return drafts;
}

function transferDraft({ problem, method, why }: Pair): Draft {
  const [a, b] = [problem.source.n, method.source.n];
  const methodName = shortName(method.source.paper);
  // "Apply TimesNet to …", not "Apply TimesNet from TimesNet to …".
  const squash = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
  const from = squash(method.phrase.text).includes(squash(methodName)) ? "" : ` from ${methodName}`;
  return {
    title: `Apply ${withArticle(method.phrase.text)}${from} to the ${problem.phrase.text} raised by ${shortName(problem.source.paper)}`,
    kind: "transfer",
    body: [`- Problem: ${cite(problem.sentence, a)}`, `- Method: ${cite(method.sentence, b)}`, `- Why it might work: ${cite(why, b)}`].join("\n"),
    problem: { phrase: problem.phrase.text, sentence: problem.sentence, sources: [a] },
    method: { phrase: method.phrase.text, sentence: method.sentence, sources: [b] },
    why,
    sources: [a, b],
  };
}

/** A problem no retrieved method speaks to; its novelty is checked on the problem and the setting the sentence names. */
function openProblemDraft(index: IndexSnapshot, problem: Candidate): Draft {
  const n = problem.source.n;
  const problemTerms = new Set(phraseTerms(problem.phrase.text));
  const setting = salientPhrases(index, problem.sentence, 4).find((phrase) => !phraseTerms(phrase).some((term) => problemTerms.has(term)));
  return {
    title: `Open problem: the ${problem.phrase.text} raised by ${shortName(problem.source.paper)}`,
    kind: "limitation",
    body: [`- Problem: ${cite(problem.sentence, n)}`, "", "_No retrieved paper introduces a method whose abstract speaks to this problem._"].join("\n"),
    problem: { phrase: problem.phrase.text, sentence: problem.sentence, sources: [n] },
    method: null,
    why: null,
    sources: [n],
    probe: { problem: [problem.phrase.text], method: setting ? [setting] : [] },
  };
}
