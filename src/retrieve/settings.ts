/** Retrieval knobs. Defaults were chosen by measurement: see evals/README.md and `npm run eval:retrieval`. */
export interface RetrievalSettings {
  bm25Weight: number;
  denseWeight: number;
  rrfK: number;
  /** Chunks fetched from each retriever before fusion. */
  candidates: number;
  /** Weight of a paper's second and later matching chunks relative to its best one. */
  extraChunkWeight: number;
  /** Chunks kept per paper in results. */
  chunksPerPaper: number;
  /** MMR trade-off: 1 = pure relevance, lower = more diversity. */
  mmrLambda: number;
}

/**
 * Measured with `citewise eval --retrieval --grid` (npm run eval:retrieval -- --grid) on evals/retrieval.jsonl and on the SciFact train split:
 * USE-Lite alone is far weaker than BM25 (nDCG@10 0.53 vs 0.96 on the fixtures, 0.23 vs 0.69 on SciFact),
 * so it gets a small vote, and a small RRF k so BM25's top ranks are not flattened. Extra chunks of the
 * same paper add nothing: with RRF's flat scores they let mediocre two-chunk papers outrank the best hit.
 */
export const DEFAULT_RETRIEVAL: RetrievalSettings = {
  bm25Weight: 1,
  denseWeight: 0.2,
  rrfK: 10,
  candidates: 100,
  extraChunkWeight: 0,
  chunksPerPaper: 2,
  mmrLambda: 0.9,
};
