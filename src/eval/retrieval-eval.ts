import type { Embedder } from "../index/embedder.js";
import type { IndexSnapshot } from "../index/snapshot.js";
import { searchPapers, type RetrievalMode, type SearchOptions } from "../retrieve/search.js";
import { mean, ndcgAt, recallAt, reciprocalRank } from "./metrics.js";
import type { ResolvedFixture } from "./retrieval-fixtures.js";

export interface RetrievalScores {
  label: string;
  ndcg10: number;
  recall10: number;
  mrr: number;
  perQuery: Array<{ id: string; ndcg10: number; recall10: number; rr: number; top: string[] }>;
}

export async function evaluateRetrieval(
  index: IndexSnapshot,
  embedder: Embedder | null,
  fixtures: ResolvedFixture[],
  label: string,
  options: SearchOptions & { mode: RetrievalMode },
): Promise<RetrievalScores> {
  const perQuery = [];
  for (const fixture of fixtures) {
    const results = await searchPapers(index, embedder, fixture.query, { k: 10, ...options });
    const ranked = results.map((result) => result.paper.id);
    const relevant = fixture.grades;
    perQuery.push({
      id: fixture.id,
      ndcg10: ndcgAt(ranked, relevant, 10),
      recall10: recallAt(ranked, relevant, 10),
      rr: reciprocalRank(ranked, relevant),
      top: ranked.slice(0, 3),
    });
  }
  return {
    label,
    ndcg10: mean(perQuery.map((q) => q.ndcg10)),
    recall10: mean(perQuery.map((q) => q.recall10)),
    mrr: mean(perQuery.map((q) => q.rr)),
    perQuery,
  };
}

export type RetrievalRun = [label: string, options: SearchOptions & { mode: RetrievalMode }];

/** BM25-only, dense-only and hybrid; with `grid`, the sweep of fusion weight and RRF k the defaults were chosen from. */
export function retrievalRuns(grid: boolean): RetrievalRun[] {
  const runs: RetrievalRun[] = [
    ["bm25", { mode: "bm25" }],
    ["dense", { mode: "dense" }],
    ["hybrid", { mode: "hybrid" }],
  ];
  if (!grid) return runs;
  for (const denseWeight of [0.1, 0.2, 0.3, 0.5, 1]) {
    for (const rrfK of [5, 10, 20, 60]) runs.push([`hybrid w=${denseWeight} k=${rrfK}`, { mode: "hybrid", denseWeight, rrfK }]);
  }
  runs.push(["bm25 no-acronyms", { mode: "bm25", acronyms: false }], ["hybrid no-acronyms", { mode: "hybrid", acronyms: false }]);
  runs.push(["hybrid no-mmr", { mode: "hybrid", mmrLambda: 1 }], ["hybrid extra-chunk 0.3", { mode: "hybrid", extraChunkWeight: 0.3 }]);
  return runs;
}
