import type { Chunk, Paper, RawRecord, SkippedRecord, SourceFormat } from "../corpus/paper.js";
import { Bm25Index, termCountsOf, type TermCounts } from "../index/bm25.js";
import { assertValidEmbeddings, type Embedder } from "../index/embedder.js";
import { assertSameEmbedder, INDEX_FORMAT_VERSION, type IndexManifest } from "../index/manifest.js";
import { openStorage } from "../index/open-storage.js";
import { assertReadableFormat, groupByPaper } from "../index/snapshot.js";
import type { IndexStorage } from "../index/storage.js";
import type { StoredVector, Vector } from "../index/store.js";
import { VectorJournal } from "../index/vector-journal.js";
import { chunkPaper, DEFAULT_CHUNK_OPTIONS } from "./chunk.js";
import { type FileReport, parseInputs, type ParsedInputs } from "./parse-files.js";
import { recordsToPapers } from "./papers.js";

export interface IngestOptions {
  inputs: string[];
  /** Records parsed elsewhere (e.g. a BEIR corpus); when given, `inputs` is not read. */
  parsed?: ParsedInputs;
  /** Index folder, or a postgres:// URL for the PostgreSQL backend. */
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
  /** Vectors recovered from an interrupted earlier ingest instead of being embedded again. */
  vectorsResumed: number;
  embedder: string;
  seconds: number;
}

export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  const { embedder } = options;
  const storage = await openStorage(options.indexDir);
  let releaseLock: (() => Promise<void>) | null = null;
  try {
    releaseLock = await storage.lockForWriting();
    const previousManifest = options.rebuild ? null : await storage.readManifest();
    if (previousManifest) {
      assertReadableFormat(previousManifest, storage.location);
      assertSameEmbedder(previousManifest, embedder, storage.location);
    }

    const parsed = options.parsed ?? parseInputs(options.inputs, { format: options.format, baseDir: options.baseDir });
    // Records from the files read this time replace what those files contributed before; the rest stays.
    const refreshedFiles = new Set(parsed.files.filter((file) => file.format !== null).map((file) => file.file));
    const previousRecords = previousManifest ? await storage.readRecords() : [];
    const records: RawRecord[] = [...previousRecords.filter((record) => !refreshedFiles.has(record.source.file)), ...parsed.records];
    const merged = recordsToPapers(records);

    const previous = await loadPreviousVersion(storage, previousManifest !== null);
    const diff = diffPapers(previous.papers, merged.papers);
    const chunks = merged.papers.flatMap((paper) => {
      const old = previous.papers.get(paper.id);
      const reusable = old && old.contentHash === paper.contentHash ? previous.chunksByPaper.get(paper.id) : undefined;
      return reusable ?? chunkPaper(paper, DEFAULT_CHUNK_OPTIONS);
    });
    // Vectors embedded by an earlier run that was killed before publishing (see VectorJournal).
    const journal = new VectorJournal(storage.journalFile, embedder);
    const journaled = options.rebuild ? new Map<string, Vector>() : journal.read();
    const resumed = chunks.filter((chunk) => !previous.vectorCache.has(chunk.contentHash) && journaled.has(chunk.contentHash)).length;
    const cache = new Map([...journaled, ...previous.vectorCache]);
    const { vectors, embedded } = await embedMissing(chunks, cache, embedder, options, (batch) => journal.append(batch));
    // Term counts of unchanged chunks come from the saved keyword index: only new text is tokenised.
    const keyword = Bm25Index.fromTermCounts(chunks.map((chunk) => previous.termsByContentHash.get(chunk.contentHash) ?? termCountsOf(chunk.text)));

    const now = new Date().toISOString();
    const manifest: IndexManifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      embedder: { name: embedder.name, dimension: embedder.dimension },
      chunking: DEFAULT_CHUNK_OPTIONS,
      createdAt: previousManifest?.createdAt ?? now,
      updatedAt: now,
      counts: { papers: merged.papers.length, chunks: chunks.length, records: records.length },
    };
    await storage.publish({ manifest, records, papers: merged.papers, chunks, vectors, keyword });
    journal.discard();

    return {
      indexDir: storage.location,
      files: parsed.files,
      ...diff,
      skipped: parsed.skipped,
      duplicatesMerged: merged.duplicatesMerged,
      papers: merged.papers.length,
      chunks: chunks.length,
      chunksEmbedded: embedded,
      vectorsReused: chunks.length - embedded,
      vectorsResumed: resumed,
      embedder: embedder.name,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await releaseLock?.();
    await storage.close();
  }
}

/** What the current version offers for reuse: papers, their chunks, vectors and term counts by chunk text. */
async function loadPreviousVersion(storage: IndexStorage, exists: boolean) {
  const papers = new Map<string, Paper>();
  const termsByContentHash = new Map<string, TermCounts>();
  if (!exists) return { papers, chunksByPaper: new Map<string, Chunk[]>(), vectorCache: new Map<string, Vector>(), termsByContentHash };
  for (const paper of await storage.readPapers()) papers.set(paper.id, paper);
  const chunks = await storage.readChunks();
  const chunksByPaper = groupByPaper(chunks);
  const keyword = await storage.readKeywordIndex();
  if (keyword && keyword.size === chunks.length) keyword.documentTerms().forEach((terms, i) => termsByContentHash.set(chunks[i]!.contentHash, terms));
  const vectorCache = await (await storage.openVectors()).vectorsByContentHash();
  return { papers, chunksByPaper, vectorCache, termsByContentHash };
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
async function embedMissing(
  chunks: Chunk[],
  cache: Map<string, Vector>,
  embedder: Embedder,
  options: IngestOptions,
  onBatch: (batch: { contentHash: string; vector: Vector }[]) => void,
) {
  const missing = chunks.filter((chunk) => !cache.has(chunk.contentHash));
  // Large batches let a multi-threaded embedder keep every core busy; progress is reported per batch.
  const batchSize = options.batchSize ?? 32;
  const fresh = new Map<string, number[]>();
  for (let i = 0; i < missing.length; i += batchSize) {
    const batch = missing.slice(i, i + batchSize);
    const embeddings = await embedder.embedDocuments(batch.map((chunk) => chunk.text));
    assertValidEmbeddings(embeddings, batch.length, embedder);
    batch.forEach((chunk, j) => fresh.set(chunk.contentHash, embeddings[j]!));
    onBatch(batch.map((chunk, j) => ({ contentHash: chunk.contentHash, vector: embeddings[j]! })));
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
