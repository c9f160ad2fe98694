import type { Chunk, Paper, RawRecord } from "../corpus/paper.js";
import type { Bm25Index } from "./bm25.js";
import type { IndexManifest } from "./manifest.js";
import type { StoredVector, VectorStore } from "./store.js";

/** Everything one published version of the index holds. `vectors` has one entry per chunk. */
export interface IndexContents {
  manifest: IndexManifest;
  records: RawRecord[];
  papers: Paper[];
  chunks: Chunk[];
  vectors: StoredVector[];
  keyword: Bm25Index;
}

/**
 * Where an index lives: a local folder (vectra segments + files) or a PostgreSQL database with pgvector.
 * Ingest reads the current version and publishes a new one; queries read the current one.
 */
export interface IndexStorage {
  /** Shown in messages: the folder, or the database URL with any password hidden. */
  readonly location: string;
  readManifest(): Promise<IndexManifest | null>;
  readRecords(): Promise<RawRecord[]>;
  readPapers(): Promise<Paper[]>;
  readChunks(): Promise<Chunk[]>;
  /** The keyword index saved with the current version; null when there is none (it is then rebuilt from chunks). */
  readKeywordIndex(): Promise<Bm25Index | null>;
  openVectors(): Promise<VectorStore>;
  /** Replaces the current version atomically: readers see the old or the new index, never a mix. */
  publish(contents: IndexContents): Promise<void>;
  /** Takes the single-writer lock for a whole ingest (fails at once if another ingest holds it); returns its release. */
  lockForWriting(): Promise<() => Promise<void>>;
  /** Where an ingest keeps the vectors it has paid for until it publishes, so a killed run resumes. */
  readonly journalFile: string;
  close(): Promise<void>;
}

export class IndexNotFoundError extends Error {}
export class IndexCorruptError extends Error {}
export class IndexLockedError extends Error {}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A database URL with its password replaced (user:password@ or ?password=), safe for messages and reports. */
export function hidePassword(location: string): string {
  if (!isPostgresUrl(location)) return location;
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@]+:)[^/?#]*@/i, "$1***@").replace(/([?&]password=)[^&#]*/gi, "$1***");
}
