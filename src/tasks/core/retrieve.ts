import { EMPTY_GROUNDING } from "../../ground/grounding.js";
import { ABSTAIN_TEXT, type AnswerSource } from "../../generate/generator.js";
import type { Embedder } from "../../index/embedder.js";
import { hasAbstract } from "../../corpus/paper.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import { bestChunkCoverage } from "../../retrieve/coverage.js";
import type { PaperFilters } from "../../retrieve/filters.js";
import { type PaperResult, searchPapers } from "../../retrieve/search.js";
import { searchLiterature } from "../../retrieve/literature-search.js";
import { reference, type Reference, type Relevance, type TaskName, type TaskResult } from "./result.js";
import { numberSources } from "./sources.js";

/**
 * Relevance = mean of (a) the IDF-weighted share of the input's terms found in the best retrieved chunk
 * and (b) the best chunk's cosine similarity to the input (when there is a dense retriever). Below the
 * threshold the corpus is taken not to address the input. Set on evals/: the 54 retrieval questions all
 * score >= 0.511, the 24 unanswerable ones <= 0.319 (USE-Lite); without vectors the lexical share alone is
 * used (answerable >= 0.416, unanswerable <= 0.407: a thin margin).
 */
export const ABSTAIN_BELOW = { combined: 0.44, lexicalOnly: 0.41, cjk: 0.33 };

/**
 * USE-Lite is an English encoder: a Chinese, Japanese or Korean question about the corpus's Chinese abstract
 * scored 0.38–0.41, an off-topic Chinese one 0.26 (2026-12-02, evals/abstention.jsonl), so such questions get
 * their own threshold. Few examples: a calibration to widen when more non-English papers are indexed.
 */
const MOSTLY_CJK = (text: string) => (text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0) > text.length / 3;

export function relevanceOf(index: IndexSnapshot, text: string, results: PaperResult[]): Relevance {
  const { coverage } = bestChunkCoverage(index, text, results);
  const cosines = results.flatMap((result) => result.chunks.map((match) => match.denseScore).filter((score): score is number => score !== null));
  const cosine = cosines.length ? Math.max(...cosines) : null;
  if (cosine === null) return { score: coverage, threshold: ABSTAIN_BELOW.lexicalOnly };
  return { score: (coverage + cosine) / 2, threshold: MOSTLY_CJK(text) ? ABSTAIN_BELOW.cjk : ABSTAIN_BELOW.combined };
}

export interface Retrieval {
  results: PaperResult[];
  sources: AnswerSource[];
  relevance: Relevance;
  /** True when nothing relevant was found: the task abstains instead of writing. */
  abstain: boolean;
}

/** The one retrieve-then-decide step of every task: search, number the sources, and judge relevance. */
export async function retrieve(
  context: { index: IndexSnapshot; embedder: Embedder | null; filters?: PaperFilters },
  input: string,
  k: number,
  options: { literature?: boolean } = {},
): Promise<Retrieval> {
  // Literature tasks search with feedback and keep only papers near the best (searchLiterature); a question is one query.
  const found = options.literature
    ? await searchLiterature(context.index, context.embedder, input, { k, filters: context.filters })
    : await searchPapers(context.index, context.embedder, input, { k, filters: context.filters });
  // Papers known only by their title are found by search but are no evidence: they are never sources.
  const results = found.filter((result) => hasAbstract(result.paper));
  const relevance = relevanceOf(context.index, input, results);
  return { results, sources: numberSources(results), relevance, abstain: results.length === 0 || relevance.score < relevance.threshold };
}

/** A model that follows the prompt answers with exactly the abstention sentence (maybe with a short aside). */
export function isAbstention(text: string): boolean {
  return /the indexed papers do not address this/i.test(text) && text.trim().length < ABSTAIN_TEXT.length + 40;
}

/** The result of every task that abstains: the abstention sentence, no claims, the nearest papers. */
export function abstention(task: TaskName, input: string, generator: string, retrieval: Pick<Retrieval, "results" | "relevance">): TaskResult {
  const nearest: Reference[] = retrieval.results.slice(0, 3).map((result, i) => reference(i + 1, result.paper));
  return {
    task,
    input,
    answered: false,
    generator,
    text: ABSTAIN_TEXT,
    grounding: EMPTY_GROUNDING,
    references: [],
    removedCitations: [],
    warnings: [],
    sources: [],
    nearest,
    relevance: retrieval.relevance,
    budget: null,
  };
}
