import { existsSync, readFileSync } from "node:fs";
import type { Chunk, Paper, RawRecord } from "../corpus/paper.js";
import { Bm25Index } from "./bm25.js";
import { currentGeneration } from "./layout.js";
import { INDEX_FORMAT_VERSION, type IndexManifest } from "./manifest.js";
import type { VectorStore } from "./store.js";
import { vectraStores } from "./vectra-store.js";
import path from "node:path";

export class IndexNotFoundError extends Error {}
export class IndexCorruptError extends Error {}

/** Everything one generation of the index holds, loaded for querying. */
export interface IndexSnapshot {
  dir: string;
  manifest: IndexManifest;
  papers: Map<string, Paper>;
  chunks: Chunk[];
  chunkById: Map<string, Chunk>;
  /** Position of each chunk in `chunks`, which is also its BM25 document number. */
  chunkPosition: Map<string, number>;
  keyword: Bm25Index;
  vectors: VectorStore;
}

export function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new IndexCorruptError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const rows: T[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        rows.push(JSON.parse(line) as T);
      } catch (error) {
        throw new IndexCorruptError(`${file}:${i + 1}: ${(error as Error).message}`);
      }
    });
  return rows;
}

export function hasIndex(indexDir: string): boolean {
  return currentGeneration(indexDir) !== null;
}

export function readManifest(indexDir: string): IndexManifest | null {
  const generation = currentGeneration(indexDir);
  return generation ? readJson<IndexManifest>(path.join(generation, "manifest.json")) : null;
}

/** The raw records behind the current generation; ingest merges new files into them. */
export function readRecords(indexDir: string): RawRecord[] {
  const generation = currentGeneration(indexDir);
  return generation ? readJsonLines<RawRecord>(path.join(generation, "records.jsonl")) : [];
}

export function readPapers(indexDir: string): Paper[] {
  const generation = currentGeneration(indexDir);
  if (!generation) throw new IndexNotFoundError(`no index in ${indexDir}`);
  return readJson<Paper[]>(path.join(generation, "papers.json"));
}

export async function loadIndex(indexDir: string): Promise<IndexSnapshot> {
  const dir = currentGeneration(indexDir);
  if (!dir) throw new IndexNotFoundError(`no index in ${indexDir}; run "citewise ingest <files>" first`);
  const manifest = readJson<IndexManifest>(path.join(dir, "manifest.json"));
  if (manifest.formatVersion !== INDEX_FORMAT_VERSION) {
    throw new IndexCorruptError(`index format ${manifest.formatVersion} in ${indexDir} is not supported (expected ${INDEX_FORMAT_VERSION}); re-run ingest with --rebuild`);
  }
  const papers = new Map(readJson<Paper[]>(path.join(dir, "papers.json")).map((paper) => [paper.id, paper]));
  const chunks = readJsonLines<Chunk>(path.join(dir, "chunks.jsonl"));
  const vectors = await vectraStores.open(dir);
  return {
    dir,
    manifest,
    papers,
    chunks,
    chunkById: new Map(chunks.map((chunk) => [chunk.id, chunk])),
    chunkPosition: new Map(chunks.map((chunk, i) => [chunk.id, i])),
    keyword: new Bm25Index(chunks.map((chunk) => chunk.text)),
    vectors,
  };
}
