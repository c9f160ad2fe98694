import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { evaluateRetrieval } from "../src/eval/retrieval-eval.js";
import { loadRetrievalFixtures, resolveFixtures, type ResolvedFixture } from "../src/eval/retrieval-fixtures.js";
import { UseLiteEmbedder } from "../src/index/embedders/use-lite.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { acronymsOf } from "../src/retrieve/acronyms.js";
import { paperMatches, type PaperFilters } from "../src/retrieve/filters.js";
import { queryTerms } from "../src/retrieve/query-terms.js";
import { searchPapers } from "../src/retrieve/search.js";
import { ROOT } from "./helpers.js";

let index: IndexSnapshot;
let fixtures: ResolvedFixture[];
const embedder = new UseLiteEmbedder(1);

beforeAll(async () => {
  index = await loadIndex(inject("corpusIndex"));
  fixtures = resolveFixtures(loadRetrievalFixtures(path.join(ROOT, "evals", "retrieval.jsonl")), index.papers.values());
});
afterAll(() => embedder.close());

describe("hybrid retrieval on the bundled corpus", () => {
  it("has at least 40 fixtures, all resolving to indexed papers", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    expect(fixtures.every((fixture) => fixture.relevantIds.every((id) => index.papers.has(id)))).toBe(true);
  });

  it("finds the right paper in the top 3 for every known-item query", async () => {
    const knownItems = fixtures.filter((fixture) => fixture.kind === "known-item");
    expect(knownItems.length).toBeGreaterThanOrEqual(10);
    for (const fixture of knownItems) {
      const results = await searchPapers(index, embedder, fixture.query, { k: 3 });
      expect(
        results.map((result) => result.paper.id),
        fixture.query,
      ).toContain(fixture.relevantIds[0]);
    }
  });

  it("finds DeltaZip (the untitled delta-compression abstract) for a question about serving many fine-tuned LLMs", async () => {
    const results = await searchPapers(index, embedder, "How can many fine-tuned LLM variants be served at once by compressing their deltas?", { k: 3 });
    expect(results[0]!.paper.abstract).toContain("DeltaZip");
    expect(results[0]!.paper.title).toBeNull();
  });

  it("scores hybrid at least as high as BM25-only on nDCG@10, and dense-only lower than both", async () => {
    const bm25 = await evaluateRetrieval(index, embedder, fixtures, "bm25", { mode: "bm25" });
    const dense = await evaluateRetrieval(index, embedder, fixtures, "dense", { mode: "dense" });
    const hybrid = await evaluateRetrieval(index, embedder, fixtures, "hybrid", { mode: "hybrid" });
    expect(hybrid.ndcg10).toBeGreaterThanOrEqual(bm25.ndcg10);
    expect(bm25.ndcg10).toBeGreaterThan(0.85);
    expect(dense.ndcg10).toBeLessThan(bm25.ndcg10);
  });

  it("aggregates chunks to papers with at most the per-paper chunk cap, and no paper twice", async () => {
    const results = await searchPapers(index, embedder, "tensor decomposition for compressing neural networks", { k: 10, chunksPerPaper: 1 });
    expect(results).toHaveLength(10);
    expect(new Set(results.map((result) => result.paper.id)).size).toBe(10);
    expect(results.every((result) => result.chunks.length === 1)).toBe(true);
    for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score * 0.5);
  });

  it("applies year and source filters", async () => {
    const only2023 = await searchPapers(index, embedder, "in-context learning of linear regression", { k: 10, filters: { yearFrom: 2023, yearTo: 2023 } });
    expect(only2023.length).toBeGreaterThan(0);
    expect(only2023.every((result) => result.paper.year === 2023)).toBe(true);
    const fromDaily = await searchPapers(index, embedder, "transformers", { k: 20, filters: { source: "004_" } });
    expect(fromDaily.length).toBeGreaterThan(0);
    expect(fromDaily.every((result) => result.paper.sources.some((source) => source.file.includes("004_")))).toBe(true);
  });

  it("filtered BM25 ranks are the exhaustive scorer's with each chunk's paper checked, broad and selective filters alike", async () => {
    const filterSets: PaperFilters[] = [
      { yearFrom: 2023, yearTo: 2023 },
      { yearTo: 2019 },
      { source: "004_" },
      { source: "000_" },
      { language: "zh" },
      { yearFrom: 3000 },
    ];
    let compared = 0;
    for (const filters of filterSets)
      for (const fixture of fixtures.slice(0, 12)) {
        const allowed = (doc: number) => paperMatches(index.papers.get(index.chunks[doc]!.paperId)!, filters);
        const reference = index.keyword.searchTermsExhaustive(queryTerms(index.keyword, fixture.query, acronymsOf(index)), 100, allowed);
        const search = () => searchPapers(index, null, fixture.query, { mode: "bm25", k: 10, filters, mmrLambda: 1, chunksPerPaper: 100 });
        const results = await search();
        // Asked again, the filter comes from the cache: the same answer.
        expect(await search()).toEqual(results);
        expect(results).toHaveLength(Math.min(10, new Set(reference.map((hit) => index.chunks[hit.docIndex]!.paperId)).size));
        for (const { paper, chunks } of results) {
          expect(paperMatches(paper, filters)).toBe(true);
          for (const match of chunks) {
            const hit = reference[match.bm25Rank! - 1]!;
            expect(index.chunks[hit.docIndex]!.id, JSON.stringify({ filters, query: fixture.query })).toBe(match.chunk.id);
            compared++;
          }
        }
      }
    expect(compared).toBeGreaterThan(200);
  });

  it("finds the Chinese abstract with a Chinese query and never crashes on it", async () => {
    const results = await searchPapers(index, embedder, "机器学习框架", { k: 3 });
    expect(results[0]!.paper.language).toBe("zh");
  });
});
