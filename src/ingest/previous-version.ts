import { type Chunk, type Paper, type RawRecord, searchableFields } from "../corpus/paper.js";
import { type TermCounts, termKey } from "../index/bm25.js";
import type { IndexManifest } from "../index/manifest.js";
import { assertReadableFormat, groupByPaper } from "../index/snapshot.js";
import { DamagedFileError, IndexCorruptError, type IndexStorage } from "../index/storage.js";
import type { Vector } from "../index/store.js";
import { recordsFromPapers, recordsToPapers } from "./papers.js";

/** What the current version offers an ingest: its records, and for reuse its papers, chunks, vectors and term counts. */
export interface PreviousVersion {
  manifest: IndexManifest | null;
  records: RawRecord[];
  papers: Map<string, Paper>;
  chunksByPaper: Map<string, Chunk[]>;
  vectorCache: Map<string, Vector>;
  termsByContentHash: Map<string, TermCounts>;
  /** Damaged files of the version and how each was rebuilt from the others (reported by ingest and repair). */
  repairs: string[];
}

const EMPTY = (): PreviousVersion => ({
  manifest: null,
  records: [],
  papers: new Map(),
  chunksByPaper: new Map(),
  vectorCache: new Map(),
  termsByContentHash: new Map(),
  repairs: [],
});

/**
 * Reads the current version for an ingest, repairing what can be repaired: records and papers are
 * derived from each other, chunks from papers, the keyword index from chunks, and vectors come from any
 * intact segment of the folder (the rest are embedded again). Only when both records and papers are lost
 * is the version unusable. `reuse: false` (--rebuild) keeps the records and papers but nothing derived.
 */
export async function loadPreviousVersion(storage: IndexStorage, options: { reuse: boolean; recover?: boolean; dimension?: number }): Promise<PreviousVersion> {
  let manifest: IndexManifest | null;
  try {
    manifest = await storage.readManifest();
  } catch (error) {
    if (!(error instanceof IndexCorruptError) || !options.recover) throw error;
    return recover(storage, error, options.dimension);
  }
  if (!manifest) return EMPTY();
  assertReadableFormat(manifest, storage.location);
  // A fallback to an older version must not make repair publish old data: a newer version whose manifest is
  // damaged may still hold records that parse, and those are the user's latest papers.
  const newer = storage.recoverUnverified?.({ newerThanPinned: true });
  if (newer)
    return recover(storage, new IndexCorruptError(storage.notices[0] ?? `a newer version than ${manifest.updatedAt} is damaged`), options.dimension, newer);
  const previous = EMPTY();
  previous.manifest = manifest;
  const repairs = previous.repairs;

  let records = await attempt(() => storage.readRecords(), repairs);
  let papers = await attempt(() => storage.readPapers(), repairs);
  if (!records && !papers) {
    throw new IndexCorruptError(
      `both records.jsonl and papers.jsonl of the index in ${storage.location} are damaged, so its papers cannot be recovered; re-create it with "citewise ingest --rebuild <your files>"`,
    );
  }
  if (!papers) {
    papers = recordsToPapers(records!).papers;
    repairs.push(`papers.jsonl was rebuilt from records.jsonl (${papers.length} papers)`);
  }
  if (!records) {
    records = recordsFromPapers(papers);
    repairs.push(`records.jsonl was rebuilt from papers.jsonl (${records.length} records)`);
  }
  previous.records = records;
  for (const paper of papers) previous.papers.set(paper.id, paper);
  if (!options.reuse) return previous;

  const chunks = await attempt(() => storage.readChunks(), repairs);
  if (!chunks) repairs.push("chunks.jsonl was rebuilt by chunking the papers again");
  else {
    previous.chunksByPaper = groupByPaper(chunks);
    const keyword = await storage.readKeywordIndex();
    if (keyword && keyword.size === chunks.length)
      for (const [i, terms] of keyword.documentTerms().entries()) {
        const paper = previous.papers.get(chunks[i]!.paperId);
        previous.termsByContentHash.set(termKey(chunks[i]!.contentHash, paper ? searchableFields(paper) : ""), terms);
      }
  }
  try {
    previous.vectorCache = await (await storage.openVectors()).vectorsByContentHash();
  } catch (error) {
    if (!(error instanceof DamagedFileError) || !storage.salvageVectors) throw error;
    previous.vectorCache = await storage.salvageVectors();
    repairs.push(
      `${error.message.replace(/; run "citewise repair".*$/, "")}: the vectors still readable were kept (${previous.vectorCache.size}), the rest are embedded again`,
    );
  }
  for (const notice of storage.notices) repairs.push(notice.replace(/ \(run "citewise repair" to fix it on disk\)$/, ""));
  return previous;
}

/** No intact version: the newest records (or papers) that still parse become the base of a new version. */
async function recover(
  storage: IndexStorage,
  damage: IndexCorruptError,
  dimension: number | undefined,
  given?: ReturnType<NonNullable<IndexStorage["recoverUnverified"]>>,
): Promise<PreviousVersion> {
  const found = given ?? storage.recoverUnverified?.();
  if (!found || !storage.startOver) throw damage;
  storage.startOver();
  const previous = EMPTY();
  const records = found.records ?? recordsFromPapers(found.papers!);
  previous.records = records;
  for (const paper of found.papers ?? recordsToPapers(records).papers) previous.papers.set(paper.id, paper);
  // Without a manifest the embedder of old vectors is unknown: only vectors of this embedder's size are reused.
  for (const [hash, vector] of (await storage.salvageVectors?.()) ?? new Map<string, Float32Array>())
    if (vector.length === dimension) previous.vectorCache.set(hash, vector);
  previous.repairs.push(
    `${damage.message.replace(/; run "citewise.*$/, "")}; the papers were recovered from ${found.version}/${found.records ? "records.jsonl" : "papers.jsonl"} (${previous.papers.size} papers, not verifiable: its manifest is damaged) and ${previous.vectorCache.size} vectors from the segments`,
  );
  return previous;
}

async function attempt<T>(read: () => Promise<T>, repairs: string[]): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof DamagedFileError)) throw error;
    repairs.push(error.message.replace(/; run "citewise repair".*$/, ""));
    return null;
  }
}
