import { beforeAll, describe, expect, inject, it } from "vitest";
import { mulberry32 as random } from "../src/bench/synthetic-corpus.js";
import { Bm25Index, type TermCounts } from "../src/index/bm25.js";
import { loadIndex, type IndexSnapshot } from "../src/index/snapshot.js";
import { queryTerms } from "../src/retrieve/query-terms.js";

type Terms = Array<{ term: string; weight: number }>;

function expectSame(keyword: Bm25Index, terms: Terms, k: number, allowed?: (doc: number) => boolean): void {
  const pruned = keyword.searchTerms(terms, k, allowed);
  if (allowed) {
    // The same filter as a list of documents: few of them are scored directly instead of walking the postings.
    const allowedDocs = Int32Array.from({ length: keyword.size }, (_, doc) => doc).filter(allowed);
    expect(keyword.searchTerms(terms, k, allowed, allowedDocs), JSON.stringify({ terms, k })).toEqual(pruned);
  }
  const exhaustive = keyword.searchTermsExhaustive(terms, k, allowed);
  expect(pruned, JSON.stringify({ terms, k })).toEqual(exhaustive);
}

describe("BM25 MaxScore pruning", () => {
  let index: IndexSnapshot;
  beforeAll(async () => {
    index = await loadIndex(inject("corpusIndex"));
  });

  it("returns exactly the exhaustive top k on the bundled corpus", () => {
    const next = random(17);
    const vocabulary = [...index.keyword.terms()];
    let checked = 0;
    for (let q = 0; q < 300; q++) {
      // Words of a real chunk (common and rare together), plus now and then a random vocabulary term.
      const chunk = index.chunks[Math.floor(next() * index.chunks.length)]!;
      const words = chunk.text.split(/\s+/).filter((word) => word.length > 2);
      const start = Math.floor(next() * Math.max(1, words.length - 8));
      const query = words.slice(start, start + 1 + Math.floor(next() * 8)).join(" ");
      const terms = queryTerms(index.keyword, query);
      if (next() < 0.3) terms.push({ term: vocabulary[Math.floor(next() * vocabulary.length)]!, weight: 0.5 });
      for (const k of [1, 10, 100]) expectSame(index.keyword, terms, k);
      if (q % 5 === 0) expectSame(index.keyword, terms, 10, (doc) => doc % 3 !== 0);
      if (q % 5 === 1) expectSame(index.keyword, terms, 10, (doc) => doc % 97 === 0);
      checked++;
    }
    expect(checked).toBe(300);
  });

  it("returns exactly the exhaustive top k on a larger synthetic posting set, ties included", () => {
    const next = random(42);
    const vocabularySize = 5000;
    const documents: TermCounts[] = [];
    for (let d = 0; d < 30_000; d++) {
      const counts: TermCounts = new Map();
      const length = 20 + Math.floor(next() * 120);
      for (let i = 0; i < length; i++) {
        // Zipf-like: a few very common terms, a long tail of rare ones.
        const term = `t${Math.floor(vocabularySize ** next()) - 1}`;
        counts.set(term, (counts.get(term) ?? 0) + 1);
      }
      documents.push(counts);
    }
    // Identical documents give exactly tied scores.
    for (let d = 0; d < 50; d++) documents.push(new Map(documents[7]!));
    const keyword = Bm25Index.fromTermCounts(documents);
    for (let q = 0; q < 200; q++) {
      const size = 2 + Math.floor(next() * 10);
      const terms: Terms = [];
      for (let i = 0; i < size; i++) terms.push({ term: `t${Math.floor(vocabularySize ** next()) - 1}`, weight: next() < 0.2 ? 0.3 + next() : 1 });
      for (const k of [1, 10, 100]) expectSame(keyword, terms, k);
      if (q % 4 === 0) expectSame(keyword, terms, 100, (doc) => doc % 7 < 3);
    }
    const tied = [...documents[7]!.keys()]
      .sort((x, y) => keyword.documentFrequency(x) - keyword.documentFrequency(y))
      .slice(0, 4)
      .map((term) => ({ term, weight: 1 }));
    expectSame(keyword, tied, 10);
    expect(keyword.searchTerms(tied, 10).filter((hit) => hit.score === keyword.searchTerms(tied, 1)[0]!.score).length).toBeGreaterThan(1);
  });

  it("keeps the contract that fewer hits than asked means every matching document", () => {
    const keyword = Bm25Index.fromTexts(["alpha beta", "beta gamma", "gamma delta", "delta alpha"]);
    const terms = [
      { term: "alpha", weight: 1 },
      { term: "gamma", weight: 1 },
    ];
    expect(keyword.searchTerms(terms, 100).map((hit) => hit.docIndex)).toEqual(keyword.searchTermsExhaustive(terms, 100).map((hit) => hit.docIndex));
    expect(keyword.searchTerms(terms, 100)).toHaveLength(4);
    expect(keyword.searchTerms(terms, 2)).toHaveLength(2);
  });
});
