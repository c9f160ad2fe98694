/** A ranked list of ids from one retriever, best first, with the weight its votes carry. */
export interface RankedList {
  ids: string[];
  weight: number;
}

/**
 * Weighted reciprocal-rank fusion (Cormack et al. 2009): score(d) = Σ w / (k + rank).
 * Ranks, not raw scores, are fused because BM25 and cosine scores live on unrelated scales.
 */
export function reciprocalRankFusion(lists: RankedList[], k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists) {
    if (list.weight === 0) continue;
    list.ids.forEach((id, rank) => {
      scores.set(id, (scores.get(id) ?? 0) + list.weight / (k + rank + 1));
    });
  }
  return scores;
}
