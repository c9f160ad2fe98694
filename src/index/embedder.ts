import { CitewiseError } from "../errors.js";
/** Turns texts into unit-length vectors. Documents and queries may be embedded differently. */
export interface Embedder {
  /** Recorded in the index; an index built with one embedder refuses vectors from another. */
  readonly name: string;
  readonly dimension: number;
  /** Texts per embedDocuments call that keep the embedder busy (a remote one sends several requests at once); default 32. */
  readonly batchTexts?: number;
  /** `onProgress`, when the embedder reports it, gets how many of the texts are embedded so far. */
  embedDocuments(texts: string[], onProgress?: (done: number) => void): Promise<number[][]>;
  embedQuery(text: string): Promise<number[]>;
  /** Releases threads or connections, if the embedder holds any. */
  close?(): Promise<void>;
}

export function normalizeVector(vector: ArrayLike<number>): number[] {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!;
  norm = Math.sqrt(norm) || 1;
  return Array.from(vector, (value) => value / norm);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export class InvalidEmbeddingError extends CitewiseError {}

/** A provider that returns too few vectors, the wrong size or NaNs would silently poison the index: refuse it. */
export function assertValidEmbeddings(vectors: ArrayLike<number>[], expected: number, embedder: { name: string; dimension: number }): void {
  if (vectors.length !== expected)
    throw new InvalidEmbeddingError(`embedder ${embedder.name} returned ${vectors.length} vectors for ${expected} texts; nothing was stored`);
  for (const vector of vectors) {
    if (vector.length !== embedder.dimension)
      throw new InvalidEmbeddingError(`embedder ${embedder.name} returned a ${vector.length}-d vector, expected ${embedder.dimension}-d; nothing was stored`);
    for (let i = 0; i < vector.length; i++) {
      if (!Number.isFinite(vector[i]))
        throw new InvalidEmbeddingError(`embedder ${embedder.name} returned a vector with non-numeric values; nothing was stored`);
    }
  }
}
