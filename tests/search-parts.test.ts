import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mulberry32 as random } from "../src/bench/synthetic-corpus.js";
import { Bm25Index, type TermCounts } from "../src/index/bm25.js";
import { mmrOrder } from "../src/retrieve/mmr.js";
import { nearestTerm } from "../src/retrieve/query-terms.js";
import { DATA, FILES } from "./helpers.js";

/**
 * The fast paths of a query (typo lookup by bucket, O(n²) MMR, scoring only a filter's few documents) against
 * the straightforward versions they replaced, on the bundled corpus and on random data: results must be equal.
 */

/** The correction rules as first written: one scan over the whole vocabulary per unknown term. */
function nearestTermByScan(index: Bm25Index, term: string): string | null {
  if (term.length < 4 || !/^\p{L}+$/u.test(term)) return null;
  const limit = term.length <= 7 ? 1 : 2;
  let best: { term: string; distance: number; df: number } | null = null;
  for (const candidate of index.terms()) {
    if (Math.abs(candidate.length - term.length) > limit || candidate[0] !== term[0] || candidate.length < 4) continue;
    const df = index.documentFrequency(candidate);
    if (df < 2) continue;
    const distance = plainEditDistance(term, candidate);
    if (distance > limit) continue;
    if (!best || distance < best.distance || (distance === best.distance && df > best.df)) best = { term: candidate, distance, df };
  }
  if (best) return best.term;
  for (const candidate of index.terms()) {
    if (candidate.length < 5 || candidate.length >= term.length || term.length - candidate.length > 5 || candidate[0] !== term[0]) continue;
    const df = index.documentFrequency(candidate);
    if (df < 2) continue;
    const distance = plainEditDistance(term.slice(0, candidate.length), candidate);
    if (distance > 1) continue;
    if (
      !best ||
      distance < best.distance ||
      (distance === best.distance && (candidate.length > best.term.length || (candidate.length === best.term.length && df > best.df)))
    )
      best = { term: candidate, distance, df };
  }
  return best?.term ?? null;
}

/** Optimal-string-alignment distance, the whole table, no early exit. */
function plainEditDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** MMR as first written: every round compares each remaining item with every picked one. */
function mmrByRounds<T>(items: T[], relevance: (item: T) => number, similarity: (a: T, b: T) => number, lambda: number, limit: number): T[] {
  const remaining = [...items];
  const picked: T[] = [];
  while (picked.length < limit && remaining.length > 0) {
    let bestIndex = 0;
    let bestScore = -Infinity;
    remaining.forEach((item, index) => {
      const redundancy = picked.length ? Math.max(...picked.map((other) => similarity(item, other))) : 0;
      const score = lambda * relevance(item) - (1 - lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        bestIndex = index;
      }
    });
    picked.push(remaining.splice(bestIndex, 1)[0]!);
  }
  return picked;
}

const lines = Object.values(FILES).flatMap((file) => readFileSync(path.join(DATA, path.basename(file)), "utf8").split("\n"));
const corpus = Bm25Index.fromTexts(lines.filter((line) => line.length > 200));

describe("typo corrections looked up by first letter and length", () => {
  it("pick the same term as a scan of the whole vocabulary, for 2,000 misspellings", () => {
    const next = random(7);
    const letters = "abcdefghijklmnopqrstuvwxyz";
    const vocabulary = [...corpus.terms()].filter((term) => term.length >= 4);
    const edit = (word: string): string => {
      const at = Math.floor(next() * word.length);
      const letter = letters[Math.floor(next() * letters.length)]!;
      const kind = Math.floor(next() * 4);
      if (kind === 0) return word.slice(0, at) + word.slice(at + 1);
      if (kind === 1) return word.slice(0, at) + letter + word.slice(at);
      if (kind === 2) return word.slice(0, at) + letter + word.slice(at + 1);
      return at + 1 < word.length ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word;
    };
    let corrected = 0;
    for (let q = 0; q < 2000; q++) {
      const word = vocabulary[Math.floor(next() * vocabulary.length)]!;
      // One or two edits, and now and then a made-up ending past the stem ("hallucinaton").
      let typo = edit(word);
      if (next() < 0.4) typo = edit(typo);
      if (next() < 0.2) typo += "aton".slice(0, 1 + Math.floor(next() * 4));
      const expected = nearestTermByScan(corpus, typo);
      expect(nearestTerm(corpus, typo), typo).toBe(expected);
      if (expected) corrected++;
    }
    // The comparison means something only if many typos do get a correction (not those of the first letter).
    expect(corrected).toBeGreaterThan(400);
  });
});

describe("MMR keeping each item's redundancy up to date", () => {
  it("orders exactly like recomputing every similarity each round, ties and near-duplicates included", () => {
    const next = random(11);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(next() * 40);
      const dimension = 1 + Math.floor(next() * 8);
      const items = Array.from({ length: n }, (_, id) => {
        // Some items share a vector (duplicate papers) and some share a score (ties).
        const vector = Array.from({ length: dimension }, () => Math.round(next() * 4) - 2);
        return { id, score: Math.round(next() * 5) / 5, vector };
      });
      const relevance = (item: (typeof items)[number]) => item.score;
      const similarity = (a: (typeof items)[number], b: (typeof items)[number]) => a.vector.reduce((sum, value, i) => sum + value * b.vector[i]!, 0);
      const lambda = [0, 0.5, 0.9, 1][round % 4]!;
      const limit = Math.floor(next() * (n + 2));
      const fast = mmrOrder(items, relevance, similarity, lambda, limit).map((item) => item.id);
      expect(fast).toEqual(mmrByRounds(items, relevance, similarity, lambda, limit).map((item) => item.id));
    }
  });
});

describe("BM25 restricted to a filter's few documents", () => {
  it("scores only the allowed documents and returns exactly the exhaustive top k", () => {
    const next = random(5);
    const documents: TermCounts[] = [];
    for (let d = 0; d < 20_000; d++) {
      const counts: TermCounts = new Map();
      for (let i = 0, length = 20 + Math.floor(next() * 80); i < length; i++) {
        const term = `t${Math.floor(3000 ** next()) - 1}`;
        counts.set(term, (counts.get(term) ?? 0) + 1);
      }
      documents.push(counts);
    }
    const keyword = Bm25Index.fromTermCounts(documents);
    let restricted = 0;
    for (let q = 0; q < 150; q++) {
      const terms = Array.from({ length: 2 + Math.floor(next() * 10) }, () => ({
        term: `t${Math.floor(3000 ** next()) - 1}`,
        weight: next() < 0.2 ? 0.5 : 1,
      }));
      const unique = [...new Map(terms.map((term) => [term.term, term])).values()];
      // From a handful of documents (the lookup path) to a third of them (MaxScore with the filter).
      const share = [0.0005, 0.002, 0.01, 0.3][q % 4]!;
      const allowedDocs = Int32Array.from(documents.keys()).filter(() => next() < share);
      const bits = new Set(allowedDocs);
      const allowed = (doc: number) => bits.has(doc);
      for (const k of [1, 10, 100]) {
        const hits = keyword.searchTerms(unique, k, allowed, allowedDocs);
        expect(hits).toEqual(keyword.searchTermsExhaustive(unique, k, allowed));
        expect(hits.every((hit) => bits.has(hit.docIndex))).toBe(true);
      }
      if (share < 0.01) restricted++;
    }
    expect(restricted).toBeGreaterThan(50);
  });
});
