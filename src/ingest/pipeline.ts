import path from "node:path";
import type { Chunk, Paper, RawRecord, SkippedRecord, SourceFormat } from "../corpus/paper.js";
import type { Embedder } from "../index/embedder.js";
import { writeFileAtomic, writeJsonLines } from "../index/files.js";
import { createGenerationDir, currentGeneration, publishGeneration } from "../index/layout.js";
import { assertSameEmbedder, INDEX_FORMAT_VERSION, type IndexManifest } from "../index/manifest.js";
import { readJson, readJsonLines, readManifest, readRecords } from "../index/snapshot.js";
import type { StoredVector } from "../index/store.js";
import { vectraStores } from "../index/vectra-store.js";
import { chunkPaper, DEFAULT_CHUNK_OPTIONS } from "./chunk.js";
import { type FileReport, parseInputs, type ParsedInputs } from "./parse-files.js";
import { recordsToPapers } from "./papers.js";

export interface IngestOptions {
  inputs: string[];
  /** Records parsed elsewhere (e.g. a BEIR corpus); when given, `inputs` is not read. */
  parsed?: ParsedInputs;
  indexDir: string;
  embedder: Embedder;
  format?: SourceFormat;
  /** Start from an empty index (needed to switch embedders). */
  rebuild?: boolean;
  /** Paths in reports are shown relative to this folder. */
  baseDir?: string;
  batchSize?: number;
  onProgress?: (event: { phase: "embed"; done: number; total: number }) => void;
}

export interface IngestReport {
  indexDir: string;
  files: FileReport[];
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Papers that vanished because a re-ingested file no longer contains them. */
  removed: string[];
  skipped: SkippedRecord[];
  duplicatesMerged: number;
  papers: number;
  chunks: number;
  chunksEmbedded: number;
  vectorsReused: number;
  embedder: string;
  seconds: number;
}

export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  const { indexDir, embedder } = options;
  const previousManifest = options.rebuild ? null : readManifest(indexDir);
  if (previousManifest) assertSameEmbedder(previousManifest, embedder, indexDir);

  const parsed = options.parsed ?? parseInputs(options.inputs, { format: options.format, baseDir: options.baseDir });
  // Records from the files read this time replace what those files contributed before; the rest stays.
  const refreshedFiles = new Set(parsed.files.filter((file) => file.format !== null).map((file) => file.file));
  const previousRecords = options.rebuild ? [] : readRecords(indexDir);
  const records: RawRecord[] = [...previousRecords.filter((record) => !refreshedFiles.has(record.source.file)), ...parsed.records];
  const merged = recordsToPapers(records);

  const previous = loadPreviousGeneration(indexDir, options.rebuild ?? false);
  const diff = diffPapers(previous.papers, merged.papers);
  const chunks = merged.papers.flatMap((paper) => {
    const old = previous.papers.get(paper.id);
    const reusable = old && old.contentHash === paper.contentHash ? previous.chunksByPaper.get(paper.id) : undefined;
    return reusable ?? chunkPaper(paper, DEFAULT_CHUNK_OPTIONS);
  });

  const cache = previous.generationDir ? await (await vectraStores.open(previous.generationDir)).vectorsByContentHash() : new Map<string, number[]>();
  const { vectors, embedded } = await embedMissing(chunks, cache, embedder, options);

  const generationDir = createGenerationDir(indexDir);
  const now = new Date().toISOString();
  const manifest: IndexManifest = {
    formatVersion: INDEX_FORMAT_VERSION,
    embedder: { name: embedder.name, dimension: embedder.dimension },
    chunking: DEFAULT_CHUNK_OPTIONS,
    createdAt: previousManifest?.createdAt ?? now,
    updatedAt: now,
    counts: { papers: merged.papers.length, chunks: chunks.length, records: records.length },
  };
  writeJsonLines(path.join(generationDir, "records.jsonl"), records);
  writeJsonLines(path.join(generationDir, "chunks.jsonl"), chunks);
  writeFileAtomic(path.join(generationDir, "papers.json"), JSON.stringify(merged.papers));
  await vectraStores.write(generationDir, vectors);
  // The manifest is written last: a generation without one is incomplete and never published.
  writeFileAtomic(path.join(generationDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  publishGeneration(indexDir, generationDir);

  return {
    indexDir,
    files: parsed.files,
    ...diff,
    skipped: parsed.skipped,
    duplicatesMerged: merged.duplicatesMerged,
    papers: merged.papers.length,
    chunks: chunks.length,
    chunksEmbedded: embedded,
    vectorsReused: chunks.length - embedded,
    embedder: embedder.name,
    seconds: (performance.now() - started) / 1000,
  };
}

function loadPreviousGeneration(indexDir: string, rebuild: boolean) {
  const generationDir = rebuild ? null : currentGeneration(indexDir);
  const papers = new Map<string, Paper>();
  const chunksByPaper = new Map<string, Chunk[]>();
  if (generationDir) {
    for (const paper of readJson<Paper[]>(path.join(generationDir, "papers.json"))) papers.set(paper.id, paper);
    for (const chunk of readJsonLines<Chunk>(path.join(generationDir, "chunks.jsonl"))) {
      const list = chunksByPaper.get(chunk.paperId) ?? [];
      list.push(chunk);
      chunksByPaper.set(chunk.paperId, list);
    }
  }
  return { generationDir, papers, chunksByPaper };
}

function diffPapers(before: Map<string, Paper>, after: Paper[]) {
  const added: string[] = [];
  const updated: string[] = [];
  const unchanged: string[] = [];
  const afterIds = new Set(after.map((paper) => paper.id));
  // An untitled paper's id is a hash of its abstract, so an edit changes the id: a paper that vanished
  // from the same file:line as a new one appeared is the same paper, updated.
  const vanishedBySource = new Map<string, string>();
  for (const [id, paper] of before) if (!afterIds.has(id)) vanishedBySource.set(sourceKey(paper), id);
  for (const paper of after) {
    const old = before.get(paper.id);
    if (old) {
      if (JSON.stringify(old) !== JSON.stringify(paper)) updated.push(paper.id);
      else unchanged.push(paper.id);
    } else if (vanishedBySource.delete(sourceKey(paper))) {
      updated.push(paper.id);
    } else {
      added.push(paper.id);
    }
  }
  return { added, updated, unchanged, removed: [...vanishedBySource.values()] };
}

function sourceKey(paper: Paper): string {
  const first = paper.sources[0]!;
  return `${first.file}:${first.line}`;
}

/** Embeds only chunks whose text is not in the cache, in batches, reporting progress. */
async function embedMissing(chunks: Chunk[], cache: Map<string, number[]>, embedder: Embedder, options: IngestOptions) {
  const missing = chunks.filter((chunk) => !cache.has(chunk.contentHash));
  // Large batches let a multi-threaded embedder keep every core busy; progress is reported per batch.
  const batchSize = options.batchSize ?? 32;
  const fresh = new Map<string, number[]>();
  for (let i = 0; i < missing.length; i += batchSize) {
    const batch = missing.slice(i, i + batchSize);
    const embeddings = await embedder.embedDocuments(batch.map((chunk) => chunk.text));
    batch.forEach((chunk, j) => fresh.set(chunk.contentHash, embeddings[j]!));
    options.onProgress?.({ phase: "embed", done: Math.min(i + batchSize, missing.length), total: missing.length });
  }
  const vectors: StoredVector[] = chunks.map((chunk) => ({
    id: chunk.id,
    paperId: chunk.paperId,
    contentHash: chunk.contentHash,
    vector: fresh.get(chunk.contentHash) ?? cache.get(chunk.contentHash)!,
  }));
  return { vectors, embedded: missing.length };
}
