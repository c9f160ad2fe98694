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
  /** Per-term bound of tf·(k1+1)/norm for MaxScore, filled on first use (cheap: one pass over the posting). */
  private readonly maxParts = new Map<string, number>();
  private norms: Float64Array | null = null;

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

  /**
   * Top-k documents for weighted terms (a query rewritten against the vocabulary: spelling, typos, compounds).
   * Exact MaxScore dynamic pruning: returns the same hits, scores and order as scoring every posting
   * (searchTermsExhaustive), and fewer than k hits only when fewer than k (allowed) documents match.
   */
  searchTerms(terms: Array<{ term: string; weight: number }>, k: number, allowed?: (docIndex: number) => boolean, allowedDocs?: Int32Array): KeywordHit[] {
    const lists: TermList[] = [];
    let postings = 0;
    for (const [position, { term, weight }] of terms.entries()) {
      const posting = this.postings.get(term);
      if (!posting || posting.docs.length === 0) continue;
      // Pruning needs non-negative contributions; a zero or negative weight keeps the plain scorer.
      if (!(weight > 0)) return this.searchTermsExhaustive(terms, k, allowed);
      const idf = weight * this.rawIdf(posting.docs.length);
      lists.push({ position, docs: posting.docs, tfs: posting.tfs, idf, bound: idf * this.maxTermPart(term, posting), at: 0 });
      postings += posting.docs.length;
    }
    if (k <= 0 || lists.length === 0) return [];
    // A filter that keeps few documents: looking each of them up costs less than walking the postings (and
    // MaxScore cannot prune while fewer than k allowed documents have been seen).
    if (allowed && allowedDocs && allowedDocs.length * lists.length * PROBE_COST < postings) return this.scoreAmong(lists, k, allowedDocs);
    if (lists.length === 1) return this.searchTermsExhaustive(terms, k, allowed);
    return this.maxScore(lists, k, allowed);
  }

  /** Scores just the given documents (sorted), each looked up in every term's postings; summed in query order like the exhaustive scorer. */
  private scoreAmong(lists: TermList[], k: number, docs: Int32Array): KeywordHit[] {
    const { k1 } = BM25;
    const lengthNorm = this.lengthNorms();
    const inQueryOrder = [...lists].sort((x, y) => x.position - y.position);
    const hits: KeywordHit[] = [];
    for (let d = 0; d < docs.length; d++) {
      const doc = docs[d]!;
      let score = 0;
      let matched = false;
      for (const list of inQueryOrder) {
        list.at = seek(list.docs, list.at, doc);
        if (list.at >= list.docs.length || list.docs[list.at] !== doc) continue;
        const tf = list.tfs[list.at]!;
        score += (list.idf * tf * (k1 + 1)) / (tf + lengthNorm[doc]!);
        matched = true;
      }
      if (matched) hits.push({ docIndex: doc, score });
    }
    return hits.sort((x, y) => y.score - x.score || x.docIndex - y.docIndex).slice(0, k);
  }

  /** Scores every posting of every term: the reference the pruned search must equal. */
  searchTermsExhaustive(terms: Array<{ term: string; weight: number }>, k: number, allowed?: (docIndex: number) => boolean): KeywordHit[] {
    const { k1, b } = BM25;
    const n = this.docLengths.length;
    // A dense score array instead of a Map: ~5x faster when common terms touch most of 100k chunks.
    const scores = new Float64Array(n);
    const touched: number[] = [];
    for (const { term, weight } of terms) {
      const posting = this.postings.get(term);
      if (!posting) continue;
      const idf = weight * this.rawIdf(posting.docs.length);
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

  /**
   * k1·(1 − b + b·length/average) of every document, the part of BM25's denominator that does not depend on
   * the term: computed once, in the same operations as the exhaustive scorer, so tf + it is the same float.
   */
  private lengthNorms(): Float64Array {
    if (!this.norms) {
      const { k1, b } = BM25;
      this.norms = Float64Array.from(this.docLengths, (length) => k1 * (1 - b + (b * length) / this.averageLength));
    }
    return this.norms;
  }

  private rawIdf(df: number): number {
    const n = this.docLengths.length;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Largest tf·(k1+1)/norm over a term's postings (its score bound before IDF), computed once per term. */
  private maxTermPart(term: string, posting: { docs: Int32Array; tfs: Float32Array }): number {
    const known = this.maxParts.get(term);
    if (known !== undefined) return known;
    const { k1 } = BM25;
    const lengthNorm = this.lengthNorms();
    let best = 0;
    for (let i = 0; i < posting.docs.length; i++) {
      const tf = posting.tfs[i]!;
      const part = (tf * (k1 + 1)) / (tf + lengthNorm[posting.docs[i]!]!);
      if (part > best) best = part;
    }
    this.maxParts.set(term, best);
    return best;
  }

  /**
   * Document-at-a-time MaxScore (Turtle & Flood 1995): terms sorted by score bound; once the k-th best score
   * exceeds what the weakest terms can add together, a document must contain a stronger ("essential") term
   * to be considered, and the weak lists are only probed by skipping. Bounds are compared with a small
   * margin, and a surviving document's score is summed in query order, so results equal the exhaustive sum.
   */
  private maxScore(lists: TermList[], k: number, allowed?: (docIndex: number) => boolean): KeywordHit[] {
    const { k1 } = BM25;
    lists.sort((x, y) => x.bound - y.bound);
    const m = lists.length;
    // upTo[i]: the most lists[0..i] can add together.
    const upTo = new Float64Array(m);
    let sum = 0;
    for (let i = 0; i < m; i++) upTo[i] = sum += lists[i]!.bound;
    // Indexes into lists, in query order.
    const queryOrder = lists.map((_, i) => i).sort((x, y) => lists[x]!.position - lists[y]!.position);
    const contribution = new Float64Array(m);
    const heap = new HitHeap(k);
    let threshold = -Infinity;
    let firstEssential = 0;
    const lengthNorm = this.lengthNorms();
    // Each list's current document (END when done): the merge reads one typed array, not m objects.
    const END = 0x7fffffff;
    const current = Int32Array.from(lists, (list) => list.docs[0]!);
    const advance = (i: number): void => {
      const list = lists[i]!;
      list.at++;
      current[i] = list.at < list.docs.length ? list.docs[list.at]! : END;
    };
    for (;;) {
      let doc = END;
      for (let i = firstEssential; i < m; i++) if (current[i]! < doc) doc = current[i]!;
      if (doc === END) break;
      const norm = lengthNorm[doc]!;
      let partial = 0;
      for (let i = firstEssential; i < m; i++) {
        if (current[i] === doc) {
          const list = lists[i]!;
          const tf = list.tfs[list.at]!;
          contribution[i] = (list.idf * tf * (k1 + 1)) / (tf + norm);
          partial += contribution[i]!;
          advance(i);
        } else contribution[i] = 0;
      }
      let pruned = false;
      for (let i = firstEssential - 1; i >= 0; i--) {
        if (!admits(partial + upTo[i]!, threshold)) {
          pruned = true;
          break;
        }
        const list = lists[i]!;
        list.at = seek(list.docs, list.at, doc);
        if (list.at < list.docs.length && list.docs[list.at] === doc) {
          const tf = list.tfs[list.at]!;
          contribution[i] = (list.idf * tf * (k1 + 1)) / (tf + norm);
          partial += contribution[i]!;
        } else contribution[i] = 0;
      }
      // Filters are asked last: only about documents that could still enter the top k.
      if (pruned || !admits(partial, threshold) || (allowed && !allowed(doc))) continue;
      // The exhaustive scorer adds terms in query order; adding in the same order gives the same float.
      let exact = 0;
      for (const i of queryOrder) exact += contribution[i]!;
      if (!heap.push(doc, exact)) continue;
      if (heap.full) {
        threshold = heap.minScore;
        while (firstEssential < m && !admits(upTo[firstEssential]!, threshold)) firstEssential++;
      }
    }
    return heap.sorted();
  }
}

interface TermList {
  /** Index of the term in the query (the order scores are summed in). */
  position: number;
  docs: Int32Array;
  tfs: Float32Array;
  idf: number;
  /** Highest score the term gives any document. */
  bound: number;
  /** Cursor into docs. */
  at: number;
}

/** Roughly what one document lookup (a galloping seek) costs against reading one posting in order. */
const PROBE_COST = 8;

/** Could a document whose score is at most `bound` still enter the top k? Rounding margin keeps it exact. */
function admits(bound: number, threshold: number): boolean {
  return bound >= threshold - 1e-9 * Math.abs(threshold);
}

/** First index ≥ from whose doc is ≥ target (galloping, then binary search). */
function seek(docs: Int32Array, from: number, target: number): number {
  let low = from;
  if (low >= docs.length || docs[low]! >= target) return low;
  let step = 1;
  let high = low + 1;
  while (high < docs.length && docs[high]! < target) {
    low = high;
    step *= 2;
    high = low + step;
  }
  if (high > docs.length) high = docs.length;
  // docs[low] < target; docs[high] >= target or high === length.
  while (low + 1 < high) {
    const middle = (low + high) >> 1;
    if (docs[middle]! < target) low = middle;
    else high = middle;
  }
  return high;
}

/** The k best hits, documents arriving in increasing order: ties keep the earlier document, like the exhaustive sort. */
class HitHeap {
  private readonly docs: number[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  get full(): boolean {
    return this.docs.length >= this.k;
  }

  get minScore(): number {
    return this.scores[0]!;
  }

  /** False when the hit does not make the top k. */
  push(doc: number, score: number): boolean {
    const { docs, scores } = this;
    if (docs.length < this.k) {
      docs.push(doc);
      scores.push(score);
      let i = docs.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return true;
    }
    // A later document with an equal score ranks below every hit already kept.
    if (!(score > scores[0]!)) return false;
    docs[0] = doc;
    scores[0] = score;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      if (left < docs.length && this.worse(left, worst)) worst = left;
      if (right < docs.length && this.worse(right, worst)) worst = right;
      if (worst === i) return true;
      this.swap(i, worst);
      i = worst;
    }
  }

  sorted(): KeywordHit[] {
    return this.docs.map((docIndex, i) => ({ docIndex, score: this.scores[i]! })).sort((x, y) => y.score - x.score || x.docIndex - y.docIndex);
  }

  /** Lower score, or equal score and later document. */
  private worse(i: number, j: number): boolean {
    const { docs, scores } = this;
    return scores[i]! < scores[j]! || (scores[i] === scores[j] && docs[i]! > docs[j]!);
  }

  private swap(i: number, j: number): void {
    const { docs, scores } = this;
    [docs[i], docs[j]] = [docs[j]!, docs[i]!];
    [scores[i], scores[j]] = [scores[j]!, scores[i]!];
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
