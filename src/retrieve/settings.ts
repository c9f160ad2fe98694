/** Retrieval knobs. Defaults were chosen by measurement: see evals/README.md and `npm run eval:retrieval`. */
export interface RetrievalSettings {
  /** How the two rankings are combined: z-scores of their raw scores (CombSUM), or reciprocal ranks. */
  fusion: "zscore" | "rrf";
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
  /** Expand abbreviations typed in capitals to the long forms the corpus defines, and long forms to them. */
  acronyms: boolean;
}

/**
 * Measured with `citewise eval --retrieval --grid` (npm run eval:retrieval -- --grid) on evals/retrieval.jsonl and on the SciFact train split:
 * USE-Lite alone is far weaker than BM25 (nDCG@10 0.53 vs 0.96 on the fixtures, 0.23 vs 0.69 on SciFact),
 * so under RRF it got a small vote (0.2) and a small k (10). z-score fusion (2026-12-02) does better with the
 * same vectors at weight 0.5: RRF flattens how far ahead BM25's top hit is (see evals/README.md, issue 14).
 * Extra chunks of the same paper add nothing: a paper scores by its best chunk.
 */
export const DEFAULT_RETRIEVAL: RetrievalSettings = {
  fusion: "zscore",
  bm25Weight: 1,
  denseWeight: 0.5,
  rrfK: 10,
  candidates: 100,
  extraChunkWeight: 0,
  chunksPerPaper: 2,
  mmrLambda: 0.9,
  acronyms: true,
};
