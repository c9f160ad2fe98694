import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { searchPapers, type RetrievalMode } from "../retrieve/search.js";
import type { BeirDataset } from "./beir.js";
import { mean, ndcgAt, recallAt, reciprocalRank } from "./metrics.js";

export interface BeirScores {
  mode: RetrievalMode;
  queries: number;
  ndcg10: number;
  recall100: number;
  mrr: number;
}

/** nDCG@10 etc. on a BEIR split; documents are found again through the BEIR id kept in citationKey. */
export async function evaluateBeir(
  index: IndexSnapshot,
  embedder: Embedder | null,
  dataset: BeirDataset,
  modes: RetrievalMode[],
  maxQueries?: number,
): Promise<BeirScores[]> {
  const queryIds = [...dataset.qrels.keys()].filter((id) => dataset.queries.has(id)).slice(0, maxQueries);
  const scores: BeirScores[] = [];
  for (const mode of modes) {
    const perQuery = [];
    for (const id of queryIds) {
      const results = await searchPapers(index, embedder, dataset.queries.get(id)!, { k: 100, mode, mmrLambda: 1 });
      const ranked = results.map((result) => result.paper.citationKey ?? result.paper.id);
      const gains = dataset.qrels.get(id)!;
      perQuery.push({ ndcg: ndcgAt(ranked, gains, 10), recall: recallAt(ranked, gains, 100), rr: reciprocalRank(ranked, gains) });
    }
    scores.push({
      mode,
      queries: queryIds.length,
      ndcg10: mean(perQuery.map((q) => q.ndcg)),
      recall100: mean(perQuery.map((q) => q.recall)),
      mrr: mean(perQuery.map((q) => q.rr)),
    });
  }
  return scores;
}
