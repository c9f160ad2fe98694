import type { IndexSnapshot } from "../index/snapshot.js";
import type { PaperResult } from "./search.js";

/**
 * The retrieved chunk that contains the largest IDF-weighted share of the text's terms, and that share:
 * "does any of these papers actually talk about this?" (abstention, novelty checks).
 */
export function bestChunkCoverage(index: IndexSnapshot, text: string, results: PaperResult[]): { coverage: number; result: PaperResult | null } {
  let coverage = 0;
  let best: PaperResult | null = null;
  for (const result of results) {
    for (const match of result.chunks) {
      const position = index.chunkPosition.get(match.chunk.id);
      const share = position === undefined ? 0 : index.keyword.coverage(text, position);
      if (share > coverage) {
        coverage = share;
        best = result;
      }
    }
  }
  return { coverage, result: best };
}
