import { OPENS_WITH_CONTRIBUTION } from "../text/contribution.js";
import { keywordTerms } from "../text/tokenize.js";
import type { TokenCounter } from "./tokens.js";

/** What one model request was allowed and used, in tokens: --json's budget.requests[i]. */
export interface RequestSpend {
  /** The prompt file (prompts/<prompt>.*.txt). */
  prompt: string;
  /** The whole rendered prompt, system and user messages. */
  promptTokens: number;
  sourceTokens: number;
  sourceTokensUsed: number;
  /** Sent as max_tokens. */
  replyTokens: number;
  /** Numbers of the sources whose abstracts were cut to fit. */
  truncatedSources: number[];
}

/** A task's model requests together (related-work and chat make several): --json's `budget`. */
export interface BudgetReport {
  tokenizer: string;
  sourceTokens: number;
  sourceTokensUsed: number;
  replyTokens: number;
  truncatedSources: number[];
  requests: RequestSpend[];
}

export function budgetReport(tokenizer: string, requests: RequestSpend[]): BudgetReport {
  const sum = (field: "sourceTokens" | "sourceTokensUsed" | "replyTokens") => requests.reduce((total, request) => total + request[field], 0);
  return {
    tokenizer,
    sourceTokens: sum("sourceTokens"),
    sourceTokensUsed: sum("sourceTokensUsed"),
    replyTokens: sum("replyTokens"),
    truncatedSources: [...new Set(requests.flatMap((request) => request.truncatedSources))].sort((a, b) => a - b),
    requests,
  };
}

/** Several requests of one task (related-work's outline and paragraphs, chat's rewrite and answer, a model judge's verdicts) as one report. */
export function mergeBudgets(reports: Array<BudgetReport | null | undefined>): BudgetReport | null {
  const present = reports.filter((report): report is BudgetReport => Boolean(report));
  return present.length
    ? budgetReport(
        present[0]!.tokenizer,
        present.flatMap((report) => report.requests),
      )
    : null;
}

/** An abstract as a prompt shows it: its kept sentences in their order, "…" where sentences were left out. */
export interface ShownText {
  text: string;
  /** Whole sentences kept (0 when only the start of one fits), of `total`. */
  kept: number;
  total: number;
  shortened: boolean;
}

/** A passage to fit: its sentences, and how the whole block reads with a given part of them. */
export interface Passage {
  sentences: string[];
  render: (shown: ShownText) => string;
}

export interface FittedPassage {
  block: string;
  tokens: number;
  truncated: boolean;
}

export const ELLIPSIS = "…";

/** Tokens kept free per block for the blank line that separates it from the next. */
const SEPARATOR_TOKENS = 2;

/**
 * Fits passages into `budget` tokens. Passages are served smallest first, each getting an equal share of what
 * is left, so short abstracts stay whole and the long ones share the rest. A passage over its share keeps its
 * sentences most relevant to `request` (rankSentences), shown in their original order; when not even one fits,
 * the best one is cut at a word. Only a block whose title and dates alone exceed its share goes over.
 */
export function fitPassages(passages: Passage[], budget: number, request: string, counter: TokenCounter): FittedPassage[] {
  const fitted: FittedPassage[] = new Array(passages.length);
  const whole = passages.map((passage) =>
    passage.render(
      shownText(
        passage.sentences,
        passage.sentences.map((_, i) => i),
      ),
    ),
  );
  const wholeTokens = whole.map((block) => counter.count(block) + SEPARATOR_TOKENS);
  const order = passages.map((_, i) => i).sort((a, b) => wholeTokens[a]! - wholeTokens[b]! || a - b);
  let left = budget;
  for (const [done, i] of order.entries()) {
    const share = Math.floor(left / (order.length - done));
    const passage = wholeTokens[i]! <= share ? { block: whole[i]!, tokens: wholeTokens[i]!, truncated: false } : shorten(passages[i]!, share, request, counter);
    fitted[i] = passage;
    left -= passage.tokens;
  }
  return fitted.map((passage) => ({ ...passage, tokens: passage.tokens - SEPARATOR_TOKENS }));
}

function shorten(passage: Passage, share: number, request: string, counter: TokenCounter): FittedPassage {
  const cost = (shown: ShownText) => {
    const block = passage.render(shown);
    return { block, tokens: counter.count(block) + SEPARATOR_TOKENS, truncated: true };
  };
  const ranked = rankSentences(passage.sentences, request);
  const kept: number[] = [];
  let best = cost(shownText(passage.sentences, []));
  for (const i of ranked) {
    const tried = cost(shownText(passage.sentences, [...kept, i]));
    if (tried.tokens > share) continue;
    kept.push(i);
    best = tried;
  }
  if (kept.length || ranked.length === 0) return best;
  // Not one whole sentence fits: the most relevant one, cut at the last word that fits.
  const words = passage.sentences[ranked[0]!]!.split(/\s+/);
  let [low, high] = [0, words.length - 1];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (cost(clipped(words, middle, passage.sentences.length)).tokens <= share) low = middle;
    else high = middle - 1;
  }
  return low > 0 ? cost(clipped(words, low, passage.sentences.length)) : best;
}

function clipped(words: string[], count: number, total: number): ShownText {
  return { text: `${words.slice(0, count).join(" ")} ${ELLIPSIS}`, kept: 0, total, shortened: true };
}

/** The kept sentences (by position) in their order, "…" for each run of left-out sentences. */
export function shownText(sentences: string[], kept: number[]): ShownText {
  const keep = new Set(kept);
  const parts: string[] = [];
  for (const [i, sentence] of sentences.entries()) {
    if (keep.has(i)) parts.push(sentence);
    else if (parts[parts.length - 1] !== ELLIPSIS) parts.push(ELLIPSIS);
  }
  return { text: parts.join(" "), kept: keep.size, total: sentences.length, shortened: keep.size < sentences.length };
}

/** Weight of a contribution sentence ("We propose …") beside its share of the request's terms (0..1). */
const CONTRIBUTION_BONUS = 0.3;

/**
 * Sentence positions, most relevant to the request first: the share of the request's distinct terms a
 * sentence contains, plus a bonus for the paper's own contribution statement; ties go to the earlier sentence.
 */
export function rankSentences(sentences: string[], request: string): number[] {
  const wanted = new Set(keywordTerms(request));
  const score = (sentence: string) => {
    const terms = new Set(keywordTerms(sentence));
    const shared = wanted.size ? [...wanted].filter((term) => terms.has(term)).length / wanted.size : 0;
    return shared + (OPENS_WITH_CONTRIBUTION.test(sentence.trim()) ? CONTRIBUTION_BONUS : 0);
  };
  const scores = sentences.map(score);
  return sentences.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}
