import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE } from "../../settings.js";

/** GloVe 100-d (PDDL) for the words the judge may meet, unit length, 8-bit: see train-judge. */
export const WORD_VECTOR_FILES = { words: "word-vectors.words.txt", vectors: "word-vectors.i8" };
export const WORD_VECTOR_DIMENSION = 100;

export interface WordVectors {
  /** Cosine similarity of two lower-cased words; 0 when either is unknown. */
  similarity(a: string, b: string): number;
}

const NONE: WordVectors = { similarity: () => 0 };
let loaded: WordVectors | null = null;

/** Loaded on first use (~4 MB); without the files (a trimmed install) soft matching is simply off. */
export function wordVectors(): WordVectors {
  if (loaded) return loaded;
  const wordsFile = path.join(PACKAGE.modelsDir, WORD_VECTOR_FILES.words);
  const vectorsFile = path.join(PACKAGE.modelsDir, WORD_VECTOR_FILES.vectors);
  if (!existsSync(wordsFile) || !existsSync(vectorsFile)) {
    loaded = NONE;
    return loaded;
  }
  const words = readFileSync(wordsFile, "utf8").split("\n");
  const bytes = readFileSync(vectorsFile);
  const values = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const row = new Map<string, number>();
  words.forEach((word, i) => {
    if (word && (i + 1) * WORD_VECTOR_DIMENSION <= values.length) row.set(word, i);
  });
  const cache = new Map<string, number>();
  loaded = {
    similarity(a, b) {
      if (a === b) return 1;
      const i = row.get(a);
      const j = row.get(b);
      if (i === undefined || j === undefined) return 0;
      const key = i < j ? `${i} ${j}` : `${j} ${i}`;
      let value = cache.get(key);
      if (value === undefined) {
        let dot = 0;
        for (let d = 0; d < WORD_VECTOR_DIMENSION; d++) dot += values[i * WORD_VECTOR_DIMENSION + d]! * values[j * WORD_VECTOR_DIMENSION + d]!;
        value = dot / (127 * 127);
        if (cache.size > 200_000) cache.clear();
        cache.set(key, value);
      }
      return value;
    },
  };
  return loaded;
}
