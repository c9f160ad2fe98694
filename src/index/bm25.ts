import { sha1 } from "../corpus/ids.js";
import { keywordTerms } from "../text/tokenize.js";
import { TopK } from "./top-k.js";

/** Chosen on the SciFact train split: 1.2/0.75 scored 0.695 nDCG@10 vs 0.694 for 0.9/0.4 (see evals/README.md). */
const BM25 = { k1: 1.2, b: 0.75 } as const;

export interface KeywordHit {
  docIndex: number;
  score: number;
}

/** Term frequencies of one document: what the keyword index stores per chunk. */
export type TermCounts = Map<string, number>;

/**
 * Term counts of a chunk. A chunk of a titled paper starts with its title line, which counts twice: a title
 * says what the paper is about, where an abstract mentions much in passing (BM25F in its simplest form).
 */
export function termCountsOf(text: string, fields = ""): TermCounts {
  const counts: TermCounts = new Map();
  const cut = text.indexOf("\n");
  const title = cut >= 0 ? text.slice(0, cut) : "";
  // Author and venue names (corpus/paper.ts searchableFields) count once, like a word of the abstract.
  for (const term of [...keywordTerms(title), ...keywordTerms(text), ...keywordTerms(fields)]) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** Key of a chunk's saved term counts: its text, and the paper's searchable fields when it has any. */
export function termKey(contentHash: string, fields: string): string {
  return fields ? `${contentHash}:${sha1(fields, 12)}` : contentHash;
}

const MAGIC = 0x31425743; // "CWB1" little-endian

/**
 * In-memory BM25 over an inverted index, kept separate from vectra because vectra rebuilds its keyword
 * index on every query. It is saved with each index version (toBinary) so opening a large index does not
 * re-tokenise every chunk, and ingest reuses the term counts of unchanged chunks (documentTerms).
 */
export class Bm25Index {
  private readonly averageLength: number;

  private constructor(
    private readonly postings: Map<string, { docs: Int32Array; tfs: Float32Array }>,
    private readonly docLengths: Float32Array,
  ) {
    const total = docLengths.reduce((sum, length) => sum + length, 0);
    this.averageLength = docLengths.length ? total / docLengths.length : 1;
  }

  static fromTexts(texts: string[]): Bm25Index {
    return Bm25Index.fromTermCounts(texts.map((text) => termCountsOf(text)));
  }

  static fromTermCounts(documents: TermCounts[]): Bm25Index {
    const docLengths = new Float32Array(documents.length);
    const building = new Map<string, { docs: number[]; tfs: number[] }>();
    documents.forEach((counts, docIndex) => {
      let length = 0;
      for (const [term, count] of counts) {
        length += count;
        let posting = building.get(term);
        if (!posting) {
          posting = { docs: [], tfs: [] };
          building.set(term, posting);
        }
        posting.docs.push(docIndex);
        posting.tfs.push(count);
      }
      docLengths[docIndex] = length;
    });
    const postings = new Map<string, { docs: Int32Array; tfs: Float32Array }>();
    for (const [term, posting] of building) postings.set(term, { docs: Int32Array.from(posting.docs), tfs: Float32Array.from(posting.tfs) });
    return new Bm25Index(postings, docLengths);
  }

  /** Term counts per document, recovered from the postings (no re-tokenising). */
  documentTerms(): TermCounts[] {
    const documents = Array.from({ length: this.docLengths.length }, (): TermCounts => new Map());
    for (const [term, { docs, tfs }] of this.postings) {
      for (let i = 0; i < docs.length; i++) documents[docs[i]!]!.set(term, tfs[i]!);
    }
    return documents;
  }

  /** One self-describing byte blob (a file, or a bytea column): header, lengths, postings, then the terms as JSON. */
  toBinary(): Uint8Array {
    const terms = [...this.postings.keys()];
    const totalPostings = terms.reduce((sum, term) => sum + this.postings.get(term)!.docs.length, 0);
    const termBytes = new TextEncoder().encode(JSON.stringify(terms));
    const n = this.docLengths.length;
    const bytes = new Uint8Array(4 * (5 + n + terms.length + 1 + 2 * totalPostings) + termBytes.length);
    const words = new DataView(bytes.buffer);
    for (const [i, value] of [MAGIC, n, terms.length, totalPostings, termBytes.length].entries()) words.setUint32(4 * i, value, true);
    let offset = 20;
    new Float32Array(bytes.buffer, offset, n).set(this.docLengths);
    offset += 4 * n;
    const starts = new Uint32Array(bytes.buffer, offset, terms.length + 1);
    offset += 4 * (terms.length + 1);
    const docs = new Int32Array(bytes.buffer, offset, totalPostings);
    const tfs = new Float32Array(bytes.buffer, offset + 4 * totalPostings, totalPostings);
    let at = 0;
    terms.forEach((term, i) => {
      const posting = this.postings.get(term)!;
      starts[i] = at;
      docs.set(posting.docs, at);
      tfs.set(posting.tfs, at);
      at += posting.docs.length;
    });
    starts[terms.length] = at;
    bytes.set(termBytes, offset + 8 * totalPostings);
    return bytes;
  }

  static fromBinary(input: Uint8Array): Bm25Index {
    // Typed-array views need 4-byte alignment; a Buffer from the pool may not have it.
    const bytes = input.byteOffset % 4 === 0 ? input : new Uint8Array(input);
    const header = new DataView(bytes.buffer, bytes.byteOffset, Math.min(20, bytes.byteLength));
    if (bytes.byteLength < 20 || header.getUint32(0, true) !== MAGIC) throw new Error("not a citewise keyword index");
    const [n, termCount, totalPostings, termBytes] = [1, 2, 3, 4].map((i) => header.getUint32(4 * i, true)) as [number, number, number, number];
    let offset = bytes.byteOffset + 20;
    if (20 + 4 * (n + termCount + 1 + 2 * totalPostings) + termBytes !== bytes.byteLength) throw new Error("keyword index is truncated");
    const docLengths = new Float32Array(bytes.buffer, offset, n);
    offset += 4 * n;
    const starts = new Uint32Array(bytes.buffer, offset, termCount + 1);
    offset += 4 * (termCount + 1);
    const docs = new Int32Array(bytes.buffer, offset, totalPostings);
    const tfs = new Float32Array(bytes.buffer, offset + 4 * totalPostings, totalPostings);
    const termsStart = offset + 8 * totalPostings - bytes.byteOffset;
    const terms = JSON.parse(new TextDecoder().decode(bytes.subarray(termsStart, termsStart + termBytes))) as string[];
    const postings = new Map<string, { docs: Int32Array; tfs: Float32Array }>();
    for (const [i, term] of terms.entries())
      postings.set(term, { docs: docs.subarray(starts[i]!, starts[i + 1]!), tfs: tfs.subarray(starts[i]!, starts[i + 1]!) });
    return new Bm25Index(postings, docLengths);
  }

  /** Inverse document frequency; a term the corpus never uses gets the highest weight. */
  idf(term: string): number {
    const n = this.docLengths.length;
    const df = this.postings.get(term)?.docs.length ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /**
   * Weight of a question's term when judging whether a text speaks to it: its IDF, or 0 for a term the corpus
   * never uses (no source can address "shrink" if none says it, so it must not decide relevance).
   */
  knownIdf(term: string): number {
    return this.postings.has(term) ? this.idf(term) : 0;
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

  /** Documents that contain the term (0 for a term the corpus never uses). */
  documentFrequency(term: string): number {
    return this.postings.get(term)?.docs.length ?? 0;
  }

  /** Every term of the vocabulary (stemmed, as indexed). */
  terms(): IterableIterator<string> {
    return this.postings.keys();
  }

  /** Top-k documents for the query; `allowed` restricts the candidates (filters). */
  search(query: string, k: number, allowed?: (docIndex: number) => boolean): KeywordHit[] {
    return this.searchTerms(
      [...new Set(keywordTerms(query))].map((term) => ({ term, weight: 1 })),
      k,
      allowed,
    );
  }

  /** Top-k documents for weighted terms (a query rewritten against the vocabulary: spelling, typos, compounds). */
  searchTerms(terms: Array<{ term: string; weight: number }>, k: number, allowed?: (docIndex: number) => boolean): KeywordHit[] {
    const { k1, b } = BM25;
    const n = this.docLengths.length;
    // A dense score array instead of a Map: ~5x faster when common terms touch most of 100k chunks.
    const scores = new Float64Array(n);
    const touched: number[] = [];
    for (const { term, weight } of terms) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const df = posting.docs.length;
      const idf = weight * Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let i = 0; i < posting.docs.length; i++) {
        const doc = posting.docs[i]!;
        if (allowed && !allowed(doc)) continue;
        const tf = posting.tfs[i]!;
        const norm = tf + k1 * (1 - b + (b * this.docLengths[doc]!) / this.averageLength);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += (idf * tf * (k1 + 1)) / norm;
      }
    }
    return topK(scores, touched, k);
  }
}

/** Best k by score, ties by document order; only the candidates at or above the k-th score get sorted. */
function topK(scores: Float64Array, touched: number[], k: number): KeywordHit[] {
  let threshold = -Infinity;
  if (touched.length > k) {
    const best = new TopK<number>(k);
    for (const doc of touched) best.push(doc, scores[doc]!);
    threshold = best.sorted().at(-1)?.score ?? -Infinity;
  }
  const hits: KeywordHit[] = [];
  for (const doc of touched) if (scores[doc]! >= threshold) hits.push({ docIndex: doc, score: scores[doc]! });
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
