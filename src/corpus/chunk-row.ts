import type { Chunk, Paper } from "./paper.js";

/**
 * A chunk as chunks.jsonl stores it since index format 3: its sentences as [start, end) spans of the paper's
 * abstract (the text is the title line plus those sentences), so an abstract is not copied into every chunk.
 * A chunk whose sentences are not found verbatim keeps them (`sentences`), and one whose text is not the usual
 * rendering keeps it (`text`): nothing is ever reconstructed differently from what was embedded.
 */
export interface ChunkRow {
  id: string;
  paperId: string;
  index: number;
  contentHash: string;
  /** start, end, start, end … (UTF-16 offsets into the abstract). */
  spans?: number[];
  sentences?: string[];
  text?: string;
}

type PaperText = Pick<Paper, "title" | "titleIsDerived" | "abstract">;

/** The text chunkPaper gives a chunk of these sentences. */
export function chunkTextOf(paper: PaperText, sentences: string[]): string {
  if (sentences.length === 0) return paper.title ?? "";
  return `${paper.titleIsDerived ? "" : `${paper.title}\n`}${sentences.join(" ")}`;
}

export function toChunkRow(chunk: Chunk, paper: PaperText): ChunkRow {
  const row: ChunkRow = { id: chunk.id, paperId: chunk.paperId, index: chunk.index, contentHash: chunk.contentHash };
  const spans: number[] = [];
  let from = 0;
  for (const sentence of chunk.sentences) {
    const start = paper.abstract.indexOf(sentence, from);
    if (start < 0) break;
    spans.push(start, start + sentence.length);
    from = start + sentence.length;
  }
  if (spans.length === chunk.sentences.length * 2) row.spans = spans;
  else row.sentences = chunk.sentences;
  if (chunkTextOf(paper, chunk.sentences) !== chunk.text) row.text = chunk.text;
  return row;
}

/** A chunk row of either layout (format 2 rows carry text and sentences) as a chunk. */
export function fromChunkRow(row: ChunkRow, paper: PaperText | undefined): Chunk {
  const spans = row.spans ?? [];
  const sentences = row.sentences ?? (paper ? Array.from({ length: spans.length / 2 }, (_, i) => paper.abstract.slice(spans[2 * i], spans[2 * i + 1])) : []);
  const text = row.text ?? (paper ? chunkTextOf(paper, sentences) : "");
  return { id: row.id, paperId: row.paperId, index: row.index, text, sentences, contentHash: row.contentHash };
}

/** The fields every chunk row has; text comes from the row (format 2) or from its paper. */
export function isChunkRowOfEitherLayout(value: unknown): value is ChunkRow {
  const row = value as ChunkRow | null;
  return (
    typeof row === "object" &&
    row !== null &&
    typeof row.id === "string" &&
    typeof row.paperId === "string" &&
    typeof row.contentHash === "string" &&
    (typeof row.text === "string" || Array.isArray(row.spans) || Array.isArray(row.sentences))
  );
}
