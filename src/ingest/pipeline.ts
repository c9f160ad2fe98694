import { existsSync } from "node:fs";
import path from "node:path";
import { type Chunk, type Paper, type RawRecord, type SkippedRecord, type SourceFormat, searchableFields } from "../corpus/paper.js";
import { Bm25Index, termCountsOf, termKey } from "../index/bm25.js";
import { assertValidEmbeddings, type Embedder } from "../index/embedder.js";
import { buildAcronymTable } from "../index/acronym-table.js";
import { assertSameEmbedder, INDEX_FORMAT_VERSION, type IndexManifest } from "../index/manifest.js";
import { openStorage } from "../index/open-storage.js";
import { isPostgresUrl } from "../index/storage.js";
import type { StoredVector, Vector } from "../index/store.js";
import { VectorJournal } from "../index/vector-journal.js";
import { chunkPaper, DEFAULT_CHUNK_OPTIONS, TEXT_VERSION } from "./chunk.js";
import { keyForFile, locationKey, mergeRecords, sourceKey, withoutRemoved, type KeptRecords } from "./merge-sources.js";
import { type FileReport, parseInputs, type ParsedInputs } from "./parse-files.js";
import { recordsToPapers } from "./papers.js";
import { loadPreviousVersion } from "./previous-version.js";
import { fingerprintInputs, type InputsFingerprint, saveInputsState, unchangedSince } from "./unchanged-inputs.js";

export interface IngestOptions {
  inputs: string[];
  /** Records parsed elsewhere (e.g. a BEIR corpus); when given, `inputs` is not read. */
  parsed?: ParsedInputs;
  /** Index folder, or a postgres:// URL for the PostgreSQL backend. */
  indexDir: string;
  embedder: Embedder;
  format?: SourceFormat;
  /** Chunk and embed every stored paper again (needed to switch embedders); the papers themselves are kept. */
  rebuild?: boolean;
  /** Papers to take out of the index (papers remove): by id, or every paper of a source file. */
  remove?: { paperIds?: string[]; sources?: string[] };
  /** citewise repair: when no version is intact, start from the records that still parse (see loadPreviousVersion). */
  repair?: boolean;
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
  /** Papers no longer in the index: the user removed them, or the file they came from. */
  removed: string[];
  /** Why each removed paper left. */
  removals: Array<{ id: string; title: string; reason: string }>;
  /** Previous papers of files read again that were kept because the file now has problems. */
  kept: KeptRecords[];
  skipped: SkippedRecord[];
  duplicatesMerged: number;
  papers: number;
  chunks: number;
  chunksEmbedded: number;
  vectorsReused: number;
  /** Vectors recovered from an interrupted earlier ingest instead of being embedded again. */
  vectorsResumed: number;
  /** Damaged files of the previous version and how each was rebuilt. */
  repairs: string[];
  /** False when nothing changed and nothing was published. */
  published: boolean;
  /**
   * Set when every input (file path, size and SHA-256, or the parsed records' digest) matched what the
   * last ingest recorded for the current version: nothing was parsed or loaded. The number of files.
   */
  unchangedFiles?: number;
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
    const local = !isPostgresUrl(storage.location);
    // The index folder is never read as a source of papers (its files are JSON Lines too).
    const exclude = local ? [storage.location] : [];
    // Nothing changed since the last ingest of these inputs: answer from its record (unchanged-inputs.ts).
    const fingerprint: InputsFingerprint | null =
      local && !options.rebuild && !options.remove && !options.repair
        ? fingerprintInputs(options.inputs, {
            parsed: options.parsed,
            format: options.format,
            baseDir: options.baseDir,
            exclude,
            embedder: `${embedder.name}:${embedder.dimension}`,
          })
        : null;
    if (fingerprint && !existsSync(storage.journalFile)) {
      const current = await storage.readManifest().catch(() => null);
      const last =
        current && current.embedder.name === embedder.name && current.embedder.dimension === embedder.dimension
          ? unchangedSince(storage.location, current, fingerprint)
          : null;
      if (last) {
        await storage.tidy?.();
        return {
          indexDir: storage.location,
          files: last.files,
          added: [],
          updated: [],
          unchanged: last.paperIds,
          removed: [],
          removals: [],
          kept: [],
          skipped: last.skipped,
          duplicatesMerged: last.duplicatesMerged,
          papers: last.paperIds.length,
          chunks: last.chunks,
          chunksEmbedded: 0,
          vectorsReused: last.chunks,
          vectorsResumed: 0,
          repairs: [],
          published: false,
          unchangedFiles: fingerprint.files?.length ?? last.files.length,
          embedder: embedder.name,
          seconds: (performance.now() - started) / 1000,
        };
      }
    }
    // repair (forcePublish) and --rebuild may start over from what still parses when no version is intact.
    const previous = await loadPreviousVersion(storage, { reuse: !options.rebuild, recover: options.rebuild || options.repair, dimension: embedder.dimension });
    if (previous.manifest && !options.rebuild) assertSameEmbedder(previous.manifest, embedder, storage.location);

    const parsed = options.parsed ?? parseInputs(options.inputs, { format: options.format, baseDir: options.baseDir, exclude });
    const merged = mergeRecords(previous.records, parsed);
    const reasons = new Map(merged.dropped.map((drop) => [drop.key, drop.reason]));
    let records = merged.records;
    if (options.remove) {
      const removal = removalOf(options.remove, records, previous.papers.values());
      records = withoutRemoved(records, removal).records;
      for (const key of [...removal.sources, ...removal.locations]) reasons.set(key, "removed by you (citewise papers remove)");
    }
    const result = recordsToPapers(records, previous.papers.values());
    const diff = diffPapers(previous.papers, result.papers);
    // An index made by another text analysis is re-chunked and re-tokenised (its vectors are reused by text).
    const sameText = previous.manifest?.textVersion === TEXT_VERSION;
    const changed =
      diff.added.length + diff.updated.length + diff.removed.length > 0 || records.length !== previous.records.length || (!!previous.manifest && !sameText);
    const publish = !previous.manifest || changed || options.rebuild || previous.repairs.length > 0;
    let current = previous.manifest;

    const paperById = new Map(result.papers.map((paper) => [paper.id, paper]));
    const chunks = result.papers.flatMap((paper) => {
      const old = previous.papers.get(paper.id);
      const reusable = sameText && old && old.contentHash === paper.contentHash ? previous.chunksByPaper.get(paper.id) : undefined;
      return reusable ?? chunkPaper(paper, DEFAULT_CHUNK_OPTIONS);
    });
    // Vectors embedded by an earlier run that was killed before publishing (see VectorJournal).
    const journal = new VectorJournal(storage.journalFile, embedder);
    const journaled = options.rebuild ? new Map<string, Vector>() : journal.read();
    const resumed = chunks.filter((chunk) => !previous.vectorCache.has(chunk.contentHash) && journaled.has(chunk.contentHash)).length;
    const cache = new Map([...journaled, ...previous.vectorCache]);
    let embedded = 0;
    if (publish) {
      const { vectors, embedded: count } = await embedMissing(chunks, cache, embedder, options, (batch) => journal.append(batch));
      embedded = count;
      // Term counts of unchanged chunks come from the saved keyword index: only new text is tokenised.
      const keyword = Bm25Index.fromTermCounts(
        chunks.map((chunk) => {
          const fields = searchableFields(paperById.get(chunk.paperId)!);
          return (sameText ? previous.termsByContentHash.get(termKey(chunk.contentHash, fields)) : undefined) ?? termCountsOf(chunk.text, fields);
        }),
      );
      const now = new Date().toISOString();
      const manifest: IndexManifest = {
        formatVersion: INDEX_FORMAT_VERSION,
        embedder: { name: embedder.name, dimension: embedder.dimension },
        chunking: DEFAULT_CHUNK_OPTIONS,
        textVersion: TEXT_VERSION,
        createdAt: previous.manifest?.createdAt ?? now,
        updatedAt: now,
        counts: { papers: result.papers.length, chunks: chunks.length, records: records.length },
      };
      // Saved with the version so no query has to scan every chunk's text for definitions.
      const acronyms = buildAcronymTable(chunks.map((chunk) => chunk.text));
      await storage.publish({ manifest, records, papers: result.papers, chunks, vectors, keyword, acronyms });
      current = manifest;
    } else {
      await storage.tidy?.();
    }
    // Records kept from an earlier ingest (a file that now has problems) depend on more than the inputs.
    if (fingerprint && merged.kept.length === 0)
      saveInputsState(storage.location, current, fingerprint, {
        files: parsed.files,
        skipped: parsed.skipped,
        paperIds: result.papers.map((paper) => paper.id),
        chunks: chunks.length,
        duplicatesMerged: result.duplicatesMerged,
      });
    // Published (or nothing to publish): every vector the journal held is in the index now.
    journal.discard();

    return {
      indexDir: storage.location,
      files: parsed.files,
      ...diff,
      removals: diff.removed.map((id) => {
        const paper = previous.papers.get(id)!;
        const reason = paper.sources.map((source) => reasons.get(locationKey(source)) ?? reasons.get(sourceKey(source))).find(Boolean);
        return { id, title: paper.displayTitle, reason: reason ?? `no longer in ${paper.sources.map((source) => source.file).join(", ")}` };
      }),
      kept: merged.kept,
      skipped: parsed.skipped,
      duplicatesMerged: result.duplicatesMerged,
      papers: result.papers.length,
      chunks: chunks.length,
      chunksEmbedded: embedded,
      vectorsReused: chunks.length - embedded,
      vectorsResumed: resumed,
      repairs: previous.repairs,
      published: publish,
      embedder: embedder.name,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await releaseLock?.();
    await storage.close();
  }
}

/** The stored records' source files that can be read again: what a bare `citewise ingest` refreshes. */
export async function storedSourceFiles(indexDir: string): Promise<{ files: string[]; papers: number }> {
  const storage = await openStorage(indexDir);
  try {
    const previous = await loadPreviousVersion(storage, { reuse: false });
    const files = [...new Set(previous.records.map((record) => sourceKey(record.source)))].filter((file) => path.isAbsolute(file) && existsSync(file));
    return { files, papers: previous.papers.size };
  } finally {
    await storage.close();
  }
}

/** Which records a removal names: whole files, and every place each named paper was found. */
function removalOf(
  remove: NonNullable<IngestOptions["remove"]>,
  records: RawRecord[],
  previous: Iterable<Paper>,
): { sources: Set<string>; locations: Set<string> } {
  const sources = new Set((remove.sources ?? []).map(keyForFile));
  const locations = new Set<string>();
  if (remove.paperIds?.length) {
    const wanted = new Set(remove.paperIds);
    for (const paper of recordsToPapers(records, previous).papers)
      if (wanted.has(paper.id)) for (const source of paper.sources) locations.add(locationKey(source));
  }
  return { sources, locations };
}

function diffPapers(before: Map<string, Paper>, after: Paper[]) {
  const added: string[] = [];
  const updated: string[] = [];
  const unchanged: string[] = [];
  const afterIds = new Set(after.map((paper) => paper.id));
  // An untitled paper's id is a hash of its abstract, so an edit changes the id: a paper that vanished
  // from the same file:line as a new one appeared is the same paper, updated.
  const vanishedBySource = new Map<string, string>();
  for (const [id, paper] of before) if (!afterIds.has(id)) vanishedBySource.set(locationKey(paper.sources[0]!), id);
  for (const paper of after) {
    const old = before.get(paper.id);
    if (old) {
      if (JSON.stringify(old) !== JSON.stringify(paper)) updated.push(paper.id);
      else unchanged.push(paper.id);
    } else if (vanishedBySource.delete(locationKey(paper.sources[0]!))) {
      updated.push(paper.id);
    } else {
      added.push(paper.id);
    }
  }
  return { added, updated, unchanged, removed: [...vanishedBySource.values()] };
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
  // Large batches let a multi-threaded embedder keep every core (or a remote one every request slot) busy; progress is reported per batch.
  const batchSize = options.batchSize ?? embedder.batchTexts ?? 32;
  // Float32Array, not the embedder's number[]: a quarter of the memory (1M chunks: 2 GB instead of 8+).
  const fresh = new Map<string, Float32Array>();
  for (let i = 0; i < missing.length; i += batchSize) {
    const batch = missing.slice(i, i + batchSize);
    const embeddings = await embedder.embedDocuments(
      batch.map((chunk) => chunk.text),
      // A remote embedder finishes a call's requests one by one: the bar moves with each of them.
      (done) => options.onProgress?.({ phase: "embed", done: i + Math.min(done, batch.length), total: missing.length }),
    );
    assertValidEmbeddings(embeddings, batch.length, embedder);
    const packed = embeddings.map((embedding) => Float32Array.from(embedding));
    for (const [j, chunk] of batch.entries()) fresh.set(chunk.contentHash, packed[j]!);
    onBatch(batch.map((chunk, j) => ({ contentHash: chunk.contentHash, vector: packed[j]! })));
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
