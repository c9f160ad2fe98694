import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sha1 } from "../corpus/ids.js";
import { normalizeVector, type Embedder } from "../index/embedder.js";

/**
 * Vectors of short texts (sentences, titles, queries) embedded once with the real embedder and kept under
 * .cache/ keyed by content hash: `<name>.json` (embedder, dimension, hashes in row order) + `<name>.f32` (rows).
 */
export class SentenceVectorCache {
  private readonly rows = new Map<string, Float32Array>();

  private constructor(
    private readonly file: string,
    readonly embedderName: string,
    readonly dimension: number,
  ) {}

  static open(file: string, embedderName: string, dimension: number): SentenceVectorCache {
    const cache = new SentenceVectorCache(file, embedderName, dimension);
    if (existsSync(`${file}.json`) && existsSync(`${file}.f32`)) {
      const meta = JSON.parse(readFileSync(`${file}.json`, "utf8")) as { embedder: string; dimension: number; hashes: string[] };
      if (meta.embedder === embedderName && meta.dimension === dimension) {
        const buffer = readFileSync(`${file}.f32`);
        const all = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
        for (const [i, hash] of meta.hashes.entries()) cache.rows.set(hash, all.slice(i * dimension, (i + 1) * dimension));
      }
    }
    return cache;
  }

  get size(): number {
    return this.rows.size;
  }

  get(text: string): Float32Array | undefined {
    return this.rows.get(hashOf(text));
  }

  /** Embeds the texts not cached yet (in batches, with progress) and saves; returns how many were embedded. */
  async ensure(texts: string[], embedder: Embedder, onProgress?: (done: number, total: number) => void): Promise<number> {
    if (embedder.name !== this.embedderName || embedder.dimension !== this.dimension)
      throw new Error(`sentence cache is for ${this.embedderName}, not ${embedder.name}`);
    const missing = [...new Set(texts)].filter((text) => !this.rows.has(hashOf(text)));
    const batchSize = 64;
    for (let i = 0; i < missing.length; i += batchSize) {
      const batch = missing.slice(i, i + batchSize);
      const vectors = await embedder.embedDocuments(batch);
      for (const [j, text] of batch.entries()) this.rows.set(hashOf(text), Float32Array.from(vectors[j]!));
      onProgress?.(Math.min(i + batchSize, missing.length), missing.length);
      // Save every ~1k texts so an interrupted first run keeps most of its work.
      if ((i / batchSize) % 16 === 15) this.save();
    }
    if (missing.length > 0) this.save();
    return missing.length;
  }

  private save(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const hashes = [...this.rows.keys()];
    const all = new Float32Array(hashes.length * this.dimension);
    for (const [i, hash] of hashes.entries()) all.set(this.rows.get(hash)!, i * this.dimension);
    writeFileSync(`${this.file}.f32`, new Uint8Array(all.buffer));
    writeFileSync(`${this.file}.json`, JSON.stringify({ embedder: this.embedderName, dimension: this.dimension, hashes }));
  }
}

function hashOf(text: string): string {
  return sha1(text, 20);
}

/**
 * Stand-in for the real embedder on synthetic corpora: a chunk ("title\nsentence sentence ...") gets the
 * normalised mean of its title's and sentences' cached vectors. Sentences are recognised by greedy longest-prefix
 * matching against the known sentences; any text it cannot take apart (e.g. a query) goes to the real embedder.
 */
export class CachedSentenceEmbedder implements Embedder {
  readonly name: string;
  readonly dimension: number;
  /** Texts that had to be embedded live because they were not made of cached sentences. */
  liveTexts = 0;
  private readonly byFirstWords = new Map<string, string[]>();

  constructor(
    private readonly cache: SentenceVectorCache,
    knownSentences: string[],
    private readonly fallback: () => Embedder,
  ) {
    this.name = `${cache.embedderName}-sentence-mean`;
    this.dimension = cache.dimension;
    for (const sentence of new Set(knownSentences)) {
      const key = firstWords(sentence, 0);
      const list = this.byFirstWords.get(key) ?? [];
      list.push(sentence);
      this.byFirstWords.set(key, list);
    }
    for (const list of this.byFirstWords.values()) list.sort((a, b) => b.length - a.length);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const parts = texts.map((text) => this.decompose(text));
    const unknown = [...new Set(parts.flatMap((p) => p.unknown))];
    const live = new Map<string, number[]>();
    if (unknown.length > 0) {
      this.liveTexts += unknown.length;
      const vectors = await this.fallback().embedDocuments(unknown);
      for (const [i, text] of unknown.entries()) live.set(text, vectors[i]!);
    }
    return parts.map(({ known, unknown: rest }) => {
      const sum = new Float64Array(this.dimension);
      const add = (vector: ArrayLike<number>) => {
        for (let d = 0; d < sum.length; d++) sum[d]! += vector[d]!;
      };
      known.forEach(add);
      for (const text of rest) add(live.get(text)!);
      return normalizeVector(sum);
    });
  }

  async embedQuery(text: string): Promise<number[]> {
    const vector = this.cache.get(text);
    return vector ? Array.from(vector) : this.fallback().embedQuery(text);
  }

  /** Title line (if any) plus the longest known sentences that tile the body; an unmatched rest is returned as text. */
  private decompose(text: string): { known: Float32Array[]; unknown: string[] } {
    const known: Float32Array[] = [];
    const unknown: string[] = [];
    const newline = text.indexOf("\n");
    const title = newline >= 0 ? text.slice(0, newline) : null;
    const body = newline >= 0 ? text.slice(newline + 1) : text;
    if (title) {
      const vector = this.cache.get(title);
      if (vector) known.push(vector);
      else unknown.push(title);
    }
    let position = 0;
    while (position < body.length) {
      const match = this.matchAt(body, position);
      const vector = match && this.cache.get(match);
      if (!match || !vector) {
        unknown.push(body.slice(position));
        break;
      }
      known.push(vector);
      position += match.length + 1;
    }
    return { known, unknown };
  }

  private matchAt(body: string, position: number): string | undefined {
    const candidates = this.byFirstWords.get(firstWords(body, position)) ?? [];
    return candidates.find(
      (sentence) => body.startsWith(sentence, position) && (position + sentence.length === body.length || body[position + sentence.length] === " "),
    );
  }
}

/** Lookup key: the first two words of the text from `start` (one word if that is all there is). */
function firstWords(text: string, start: number): string {
  const first = text.indexOf(" ", start);
  if (first < 0) return text.slice(start);
  const second = text.indexOf(" ", first + 1);
  return text.slice(start, second < 0 ? text.length : second);
}
