import { dot, type Embedder } from "../../index/embedder.js";
import type { IndexSnapshot } from "../../index/snapshot.js";
import type { PaperResult } from "../../retrieve/search.js";
import { ABSTAIN_BELOW } from "./retrieve.js";

/**
 * Retrieval fills k with whatever shares a word with the input ("large language models" brings sentence
 * encoders and solar-cell LLMs to "efficient inference for large language models"). A task that builds on
 * every paper it gets (ideas) keeps only those that are on topic by themselves: each paper scored like
 * relevanceOf scores the whole retrieval, alone.
 */
export const ON_TOPIC = {
  /** A paper must clear the abstention threshold on its own, score at least this share of the best paper's relevance ... */
  ofBest: 0.6,
  /** ... and of its fused retrieval score (as related-work's draft search leaves out papers far below the best). */
  ofBestScore: 0.35,
  /** The best few papers are always kept: a narrow corpus still gets material. */
  alwaysKeep: 3,
};

/** Each paper's relevance to the input: mean of its best chunk's term coverage and (with vectors) cosine. */
export async function paperRelevance(index: IndexSnapshot, embedder: Embedder | null, input: string, results: PaperResult[]): Promise<number[]> {
  const query = embedder ? await embedder.embedQuery(input) : null;
  const chunkIds = results.map((result) => (index.chunksByPaper.get(result.paper.id) ?? []).map((chunk) => chunk.id));
  const vectors = query ? await index.vectors.vectorsFor(chunkIds.flat()) : new Map<string, ArrayLike<number>>();
  return chunkIds.map((ids) => {
    const coverage = Math.max(0, ...ids.map((id) => index.keyword.coverage(input, index.chunkPosition.get(id) ?? -1)));
    const cosines = ids.map((id) => vectors.get(id)).filter((vector) => vector !== undefined);
    if (!query || cosines.length === 0) return coverage;
    return (coverage + Math.max(...cosines.map((vector) => dot(vector, query)))) / 2;
  });
}

/** The retrieved papers that are about the input, in retrieval order. */
export async function onTopic(index: IndexSnapshot, embedder: Embedder | null, input: string, results: PaperResult[]): Promise<PaperResult[]> {
  if (results.length <= ON_TOPIC.alwaysKeep) return results;
  const relevance = await paperRelevance(index, embedder, input, results);
  const best = Math.max(...relevance);
  const bestScore = results[0]!.score || 1;
  const threshold = embedder ? ABSTAIN_BELOW.combined : ABSTAIN_BELOW.lexicalOnly;
  return results.filter(
    (result, i) =>
      i < ON_TOPIC.alwaysKeep || (relevance[i]! >= threshold && relevance[i]! >= ON_TOPIC.ofBest * best && result.score >= ON_TOPIC.ofBestScore * bestScore),
  );
}
