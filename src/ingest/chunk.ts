import { sha1 } from "../corpus/ids.js";
import type { Chunk, Paper } from "../corpus/paper.js";
import { splitSentences } from "../text/sentences.js";

export interface ChunkOptions {
  /** Soft limit: sentences are added while the chunk stays under it (a long sentence stands alone). */
  maxWords: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxWords: 180 };

/**
 * Bumped whenever sentence splitting, text rendering (corpus/normalize.ts) or tokenising change, so an index
 * built before is re-chunked on its next ingest (vectors are still reused wherever a chunk's text is the same).
 * 3: agent nouns kept beside their stem ("optimizer"). 2: sentences as written ("OPT-1.3B"), LaTeX rendered, structured-abstract labels removed, "HAWQ-V2" also "hawqv2".
 */
export const TEXT_VERSION = 4;

function wordCount(text: string): number {
  // CJK text has no spaces: count characters as words, roughly.
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  return text.split(/\s+/).filter(Boolean).length + cjk / 2;
}

/** Sentence-aware chunks, each prefixed with the paper's title so every chunk can stand alone. */
export function chunkPaper(paper: Paper, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const sentences = splitSentences(paper.abstract, paper.language);
  const groups: string[][] = [];
  let current: string[] = [];
  let words = 0;
  for (const sentence of sentences) {
    const length = wordCount(sentence);
    if (current.length > 0 && words + length > options.maxWords) {
      groups.push(current);
      current = [];
      words = 0;
    }
    current.push(sentence);
    words += length;
  }
  if (current.length > 0) groups.push(current);
  // A paper known only by its title is one chunk of its title: found by search, with no sentence to quote.
  if (groups.length === 0) groups.push([]);
  // A short tail chunk carries little context on its own; fold it into the previous one.
  if (groups.length > 1 && wordCount(groups[groups.length - 1]!.join(" ")) < options.maxWords / 4) {
    const tail = groups.pop()!;
    groups[groups.length - 1]!.push(...tail);
  }

  const prefix = paper.titleIsDerived ? "" : `${paper.title}\n`;
  return groups.map((group, index) => {
    const text = group.length ? `${prefix}${group.join(" ")}` : (paper.title ?? "");
    const contentHash = sha1(text, 16);
    return { id: `${paper.id}#${index}`, paperId: paper.id, index, text, sentences: group, contentHash };
  });
}
