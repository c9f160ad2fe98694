import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RawRecord } from "../corpus/paper.js";
import type { Embedder } from "../index/embedder.js";
import { chunkPaper, DEFAULT_CHUNK_OPTIONS } from "../ingest/chunk.js";
import type { ParsedInputs } from "../ingest/parse-files.js";
import { recordsToPapers } from "../ingest/papers.js";
import { generateSyntheticRecords, type SourceText } from "./synthetic-corpus.js";
import { readJsonLineValues } from "../corpus/json-lines.js";
import { writeJsonLines } from "../index/files.js";

/**
 * One synthetic corpus as every system sees it, written to a folder the worker processes read:
 * records.jsonl (what citewise ingests), chunks.jsonl + vectors.f32 (the same chunks and vectors citewise
 * makes from those records, which the peers insert), meta.json.
 */
export interface DatasetMeta {
  label: string;
  targetChunks: number;
  seed: number;
  records: number;
  papers: number;
  chunks: number;
  dimension: number;
  /** Texts the sentence-mean embedder could not take apart and embedded live (0 in a normal run). */
  liveTexts: number;
}

export interface BenchChunk {
  id: string;
  paperId: string;
  text: string;
}

export interface QueryVector {
  query: string;
  vector: number[];
}

export async function prepareDataset(
  dir: string,
  source: SourceText,
  options: { label: string; targetChunks: number; seed: number },
  embedder: Embedder & { liveTexts?: number },
): Promise<DatasetMeta> {
  const records = generateSyntheticRecords(source, { targetChunks: options.targetChunks, seed: options.seed, file: `synthetic-${options.label}.jsonl` });
  const { papers } = recordsToPapers(records);
  const chunks = papers.flatMap((paper) => chunkPaper(paper, DEFAULT_CHUNK_OPTIONS));
  const vectors = new Float32Array(chunks.length * embedder.dimension);
  const liveBefore = embedder.liveTexts ?? 0;
  for (let i = 0; i < chunks.length; i += 1000) {
    const batch = chunks.slice(i, i + 1000);
    (await embedder.embedDocuments(batch.map((chunk) => chunk.text))).forEach((vector, j) => {
      vectors.set(vector, (i + j) * embedder.dimension);
    });
  }
  const meta: DatasetMeta = {
    ...options,
    records: records.length,
    papers: papers.length,
    chunks: chunks.length,
    dimension: embedder.dimension,
    liveTexts: (embedder.liveTexts ?? 0) - liveBefore,
  };
  mkdirSync(dir, { recursive: true });
  // Streamed: at 1M chunks one joined string would pass V8's ~512 MB string limit.
  writeJsonLines(path.join(dir, "records.jsonl"), records);
  writeJsonLines(
    path.join(dir, "chunks.jsonl"),
    chunks.map(({ id, paperId, text }) => ({ id, paperId, text })),
  );
  writeFileSync(path.join(dir, "vectors.f32"), new Uint8Array(vectors.buffer));
  writeFileSync(path.join(dir, "meta.json"), JSON.stringify(meta, null, 2));
  return meta;
}

function readLines<T>(file: string): T[] {
  return readJsonLineValues<T>(readFileSync(file), file);
}

export function loadRecords(dir: string): RawRecord[] {
  return readLines<RawRecord>(path.join(dir, "records.jsonl"));
}

/** Chunks and their vectors (what the peers insert). */
export function loadChunks(dir: string): { chunks: BenchChunk[]; vectors: Float32Array } {
  const buffer = readFileSync(path.join(dir, "vectors.f32"));
  return { chunks: readLines<BenchChunk>(path.join(dir, "chunks.jsonl")), vectors: new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4) };
}

export function asParsedInputs(records: RawRecord[]): ParsedInputs {
  const file = records[0]?.source.file ?? "synthetic.jsonl";
  // The path is the key ingest matches records by (merge-sources.ts sourceKey: an absolute path); a relative
  // one matched none, and the bench indexed 0 chunks.
  return { records, skipped: [], files: [{ file, path: path.resolve(file), format: "jsonl", records: records.length, skipped: 0 }], folders: [] };
}

export function writeQueryVectors(file: string, queries: QueryVector[]): void {
  writeFileSync(file, JSON.stringify(queries));
}

export function readQueryVectors(file: string): QueryVector[] {
  return JSON.parse(readFileSync(file, "utf8")) as QueryVector[];
}
