import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { splitSentences } from "../text/sentences.js";
import type { PaperFilters } from "./filters.js";
import { type PaperResult, searchPapers } from "./search.js";

/**
 * Finding the papers a literature task (summary, related work, ideas) should draw on. One long query lets
 * a few frequent terms decide; the papers an abstract's related work cites are spread over its aspects
 * (the problem, the method, the setting). So a draft's sentences are each a query of its own, the whole
 * text one more, and the best papers found are then asked for their neighbours (pseudo-relevance
 * feedback: what one paper's references share), the rankings fused by reciprocal rank. A short topic is
 * one query. Either way papers well below the best are left out: k is a maximum, not a quota.
 *
 * Drafts, chosen on DeepScholar-Bench's dev split (22 papers, evals/README.md): reference recall
 * 0.475 → 0.597 and citation precision 0.500 → 0.603 (with k 12 → 16); the 15 test papers, looked at once
 * after choosing: 0.628 / 0.626. Topics, chosen by reading the kept papers for 7 topics over data/: the
 * cut drops e.g. the stock-volatility and wave-simulator papers from "time series forecasting".
 */
export const LITERATURE_SEARCH = {
  /** Below this many sentences of at least `minWords` words the text is a topic (one query). */
  minSentences: 3,
  minWords: 4,
  /** Papers each query returns. */
  perQuery: 50,
  /** RRF's k: how fast a rank's vote fades. */
  rrfK: 5,
  /** A draft's whole text counts as a third of its sentence queries together. */
  wholeShare: 1 / 3,
  /** Top papers whose own text becomes a query, and what their votes weigh together, relative to the input's queries. */
  feedbackPapers: 5,
  feedbackShare: 1,
  /**
   * Papers scoring below this share of the best one are not what the input is about: of the fused votes
   * for a draft, of the hybrid search score for a topic (a single ranking's RRF votes would only cut by rank).
   */
  keepAbove: { draft: 0.35, topic: 0.45 },
  /** Never fewer papers than this (when the search finds them). */
  minPapers: 3,
};

/** The sentences of a draft long enough to be queries; fewer than LITERATURE_SEARCH.minSentences means "a topic". */
export function draftQueries(text: string): string[] {
  const sentences = splitSentences(text).filter((sentence) => sentence.split(/\s+/).length >= LITERATURE_SEARCH.minWords);
  return sentences.length >= LITERATURE_SEARCH.minSentences ? sentences : [];
}

export async function searchLiterature(
  index: IndexSnapshot,
  embedder: Embedder | null,
  text: string,
  options: { k: number; filters?: PaperFilters },
): Promise<PaperResult[]> {
  const sentences = draftQueries(text);
  if (sentences.length === 0) return searchTopic(index, embedder, text, options);
  const search = (query: string, k: number) => searchPapers(index, embedder, query, { k, filters: options.filters, mmrLambda: 1 });
  const votes = new Map<string, number>();
  const found = new Map<string, PaperResult>();
  const vote = (results: PaperResult[], weight: number) =>
    results.forEach((result, i) => {
      votes.set(result.paper.id, (votes.get(result.paper.id) ?? 0) + weight / (LITERATURE_SEARCH.rrfK + i + 1));
      if (!found.has(result.paper.id)) found.set(result.paper.id, result);
    });
  // The whole text first: its matching chunks are the ones kept for a paper it finds.
  vote(await search(text, LITERATURE_SEARCH.perQuery * 2), LITERATURE_SEARCH.wholeShare * sentences.length);
  for (const sentence of sentences) vote(await search(sentence, LITERATURE_SEARCH.perQuery), 1);
  const leaders = ranked(votes).slice(0, LITERATURE_SEARCH.feedbackPapers);
  for (const id of leaders) {
    const paper = index.papers.get(id)!;
    const neighbours = (await search(`${paper.title ?? ""}. ${paper.abstract}`, LITERATURE_SEARCH.perQuery)).filter((result) => result.paper.id !== id);
    vote(neighbours, (LITERATURE_SEARCH.feedbackShare * sentences.length) / leaders.length);
  }
  const order = ranked(votes);
  const best = votes.get(order[0]!) ?? 1;
  return order
    .filter((id, i) => i < LITERATURE_SEARCH.minPapers || votes.get(id)! >= LITERATURE_SEARCH.keepAbove.draft * best)
    .slice(0, options.k)
    .map((id) => ({ ...found.get(id)!, score: votes.get(id)! / best }));
}

/** A topic is one query; papers far below the best match are left out. */
async function searchTopic(
  index: IndexSnapshot,
  embedder: Embedder | null,
  text: string,
  options: { k: number; filters?: PaperFilters },
): Promise<PaperResult[]> {
  const results = await searchPapers(index, embedder, text, options);
  const best = results[0]?.score ?? 0;
  return results.filter((result, i) => i < LITERATURE_SEARCH.minPapers || result.score >= LITERATURE_SEARCH.keepAbove.topic * best);
}

function ranked(votes: Map<string, number>): string[] {
  return [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
}
