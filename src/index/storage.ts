import type { Chunk, Paper, RawRecord } from "../corpus/paper.js";
import type { AcronymTable } from "./acronym-table.js";
import type { Bm25Index } from "./bm25.js";
import type { IndexManifest } from "./manifest.js";
import type { StoredVector, VectorStore } from "./store.js";
import { displayUrl } from "../llm/redact.js";
import { CitewiseError } from "../errors.js";

/** Everything one published version of the index holds. `vectors` has one entry per chunk. */
export interface IndexContents {
  manifest: IndexManifest;
  records: RawRecord[];
  papers: Paper[];
  chunks: Chunk[];
  vectors: StoredVector[];
  keyword: Bm25Index;
  /** Built from the chunks at ingest and saved with the version (a backend without a place for it rebuilds it on use). */
  acronyms?: AcronymTable;
}

/** Papers and chunks of a version read row by row as they are used (see LocalStorage.openRows). */
export interface LazyRows {
  papers: ReadonlyMap<string, Paper>;
  chunks: Chunk[];
  /** The saved acronym table; null when the version has none (it is then built on first use). */
  acronyms: AcronymTable | null;
  close(): void;
}

/**
 * Where an index lives: a local folder (vector segments + files) or a PostgreSQL database with pgvector.
 * Ingest reads the current version and publishes a new one; queries read the current one.
 */
export interface IndexStorage {
  /** Shown in messages: the folder, or the database URL with any password hidden. */
  readonly location: string;
  readManifest(): Promise<IndexManifest | null>;
  readRecords(): Promise<RawRecord[]>;
  readPapers(): Promise<Paper[]>;
  readChunks(): Promise<Chunk[]>;
  /**
   * For a query: papers and chunks parsed only when used (each row checked against its sums first), or null
   * when this version cannot be read so (an older format, a damaged lookup.json: then readPapers/readChunks).
   */
  openRows?(): Promise<LazyRows | null>;
  /** The keyword index saved with the current version; null when there is none (it is then rebuilt from chunks). */
  readKeywordIndex(): Promise<Bm25Index | null>;
  openVectors(): Promise<VectorStore>;
  /** Replaces the current version atomically: readers see the old or the new index, never a mix. */
  publish(contents: IndexContents): Promise<void>;
  /** Takes the single-writer lock for a whole ingest (fails at once if another ingest holds it); returns its release. */
  lockForWriting(): Promise<() => Promise<void>>;
  /** Where an ingest keeps the vectors it has paid for until it publishes, so a killed run resumes. */
  readonly journalFile: string;
  /** What was found damaged and worked around while reading (shown to the user, never silent). */
  readonly notices: string[];
  /**
   * Every vector still readable anywhere in the store, by chunk content hash: what repair and --rebuild
   * reuse when the current version's own vector list is damaged. Optional: a database keeps its own integrity.
   */
  salvageVectors?(): Promise<Map<string, Float32Array>>;
  /**
   * When no version is intact (e.g. every manifest is damaged): the newest records or papers that still
   * parse, unverified, so repair can rebuild the index from them; startOver() then lets a publish replace
   * the damaged versions. Optional (local folder backend).
   */
  recoverUnverified?(options?: { newerThanPinned?: boolean }): { version: string; records: RawRecord[] | null; papers: Paper[] | null } | null;
  startOver?(): void;
  /** Removes what interrupted ingests left behind, when an ingest had nothing to publish (under the lock). */
  tidy?(): Promise<void>;
  /** True when a newer version was published after this storage pinned one (a read then starts over). */
  versionChanged?(): boolean;
  close(): Promise<void>;
}

export class IndexNotFoundError extends CitewiseError {}
export class IndexCorruptError extends CitewiseError {}
/** One file of a version fails its checksum or cannot be parsed; others may still be fine (see repair). */
export class DamagedFileError extends IndexCorruptError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}
export class IndexLockedError extends CitewiseError {}
/** A version being read was retired by newer ingests before a row of it was read: the command is run again. */
export class IndexChangedError extends CitewiseError {}
/** --index names a file, a folder of someone else's files, or a place that cannot be read. */
export class IndexLocationError extends CitewiseError {}
/** Writing a new version failed (disk full, permissions); the previous version is untouched. */
export class IndexWriteError extends CitewiseError {}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A database URL with every credential hidden (user:password@, ?password=, ?sslpassword=…), safe for messages and reports. */
export function hidePassword(location: string): string {
  return isPostgresUrl(location) ? displayUrl(location, { query: "mask" }) : location;
}
