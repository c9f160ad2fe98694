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

/** One retriever's candidates with their raw scores (BM25 score, cosine), and the weight of its vote. */
export interface ScoredList {
  scores: Map<string, number>;
  weight: number;
  /** Score of a candidate the list did not return; default its lowest score (0 for BM25 when it returned every match). */
  floor?: number;
}

/**
 * CombSUM of z-scores: score(d) = Σ w · (s(d) − mean) / sd over the union of the lists' candidates. Unlike RRF
 * it keeps how far ahead a retriever's top hit is, so a weak dense list can lift a paraphrase match without
 * reordering BM25's confident hits (measured in evals/README.md: better than RRF at every weight). A candidate
 * one list did not return gets the list's floor: 0 when the list holds every match, else the lowest score it returned.
 */
export function zScoreFusion(lists: ScoredList[]): Map<string, number> {
  const ids = new Set<string>();
  for (const list of lists) if (list.weight !== 0) for (const id of list.scores.keys()) ids.add(id);
  const fused = new Map<string, number>([...ids].map((id) => [id, 0]));
  for (const { scores, weight, floor: given } of lists) {
    if (weight === 0 || scores.size === 0) continue;
    const floor = given ?? Math.min(...scores.values());
    const all = [...ids].map((id) => scores.get(id) ?? floor);
    const mean = all.reduce((sum, value) => sum + value, 0) / all.length;
    // One distinct score carries no ranking: sd 0 would divide by zero.
    const sd = Math.sqrt(all.reduce((sum, value) => sum + (value - mean) ** 2, 0) / all.length) || 1;
    for (const id of ids) fused.set(id, fused.get(id)! + (weight * ((scores.get(id) ?? floor) - mean)) / sd);
  }
  return fused;
}
