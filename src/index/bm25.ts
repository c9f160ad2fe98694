import { keywordTerms } from "../text/tokenize.js";

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Chosen on the SciFact train split: 1.2/0.75 scored 0.695 nDCG@10 vs 0.694 for 0.9/0.4 (see evals/README.md). */
export const DEFAULT_BM25: Bm25Params = { k1: 1.2, b: 0.75 };

export interface KeywordHit {
  docIndex: number;
  score: number;
}

/**
 * In-memory BM25 over an inverted index. Built from chunk texts when the index is opened;
 * kept separate from vectra because vectra rebuilds its keyword index on every query.
 */
export class Bm25Index {
  private readonly postings = new Map<string, { docs: Int32Array; tfs: Float32Array }>();
  private readonly docLengths: Float32Array;
  private readonly averageLength: number;

  constructor(texts: string[], private readonly params: Bm25Params = DEFAULT_BM25) {
    this.docLengths = new Float32Array(texts.length);
    const building = new Map<string, { docs: number[]; tfs: number[] }>();
    texts.forEach((text, docIndex) => {
      const counts = new Map<string, number>();
      for (const term of keywordTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
      let length = 0;
      for (const [term, count] of counts) {
        length += count;
        let posting = building.get(term);
        if (!posting) building.set(term, (posting = { docs: [], tfs: [] }));
        posting.docs.push(docIndex);
        posting.tfs.push(count);
      }
      this.docLengths[docIndex] = length;
    });
    for (const [term, posting] of building) {
      this.postings.set(term, { docs: Int32Array.from(posting.docs), tfs: Float32Array.from(posting.tfs) });
    }
    const total = this.docLengths.reduce((sum, length) => sum + length, 0);
    this.averageLength = texts.length ? total / texts.length : 1;
  }

  /** Inverse document frequency; a term the corpus never uses gets the highest weight. */
  idf(term: string): number {
    const n = this.docLengths.length;
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** IDF-weighted share of the query's terms that the document contains (0..1): "does it talk about this at all?" */
  coverage(query: string, docIndex: number): number {
    const terms = [...new Set(keywordTerms(query))];
    let total = 0;
    let covered = 0;
    for (const term of terms) {
      const weight = this.idf(term);
      total += weight;
      const docs = this.postings.get(term)?.docs;
      if (docs && binarySearch(docs, docIndex)) covered += weight;
    }
    return total > 0 ? covered / total : 0;
  }

  get size(): number {
    return this.docLengths.length;
  }

  /** Top-k documents for the query; `allowed` restricts the candidates (filters). */
  search(query: string, k: number, allowed?: (docIndex: number) => boolean): KeywordHit[] {
    const { k1, b } = this.params;
    const scores = new Map<number, number>();
    const n = this.docLengths.length;
    for (const term of new Set(keywordTerms(query))) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const df = posting.docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < posting.docs.length; i++) {
        const doc = posting.docs[i]!;
        if (allowed && !allowed(doc)) continue;
        const tf = posting.tfs[i]!;
        const norm = tf + k1 * (1 - b + (b * this.docLengths[doc]!) / this.averageLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (k1 + 1)) / norm);
      }
    }
    return topK(scores, k);
  }
}

function topK(scores: Map<number, number>, k: number): KeywordHit[] {
  const hits: KeywordHit[] = [];
  for (const [docIndex, score] of scores) hits.push({ docIndex, score });
  hits.sort((a, b) => b.score - a.score || a.docIndex - b.docIndex);
  return hits.slice(0, k);
}

function binarySearch(sorted: Int32Array, value: number): boolean {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = sorted[middle]!;
    if (found === value) return true;
    if (found < value) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}
