import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fromChunkRow, isChunkRowOfEitherLayout, toChunkRow } from "../../corpus/chunk-row.js";
import { type Chunk, isPaperRow, isRawRecordRow, type Paper, type RawRecord } from "../../corpus/paper.js";
import { type AcronymTable, acronymTableFromJson, acronymTableToJson } from "../acronym-table.js";
import { Bm25Index } from "../bm25.js";
import { crashPoint } from "../crash-points.js";
import { describeFsError, sameSum, sumOf, writeFileAtomic, writeJsonLines, type FileSum, readRegularFile, rethrowIfDenied } from "../files.js";
import { INDEX_FORMAT_VERSION, isManifest, type IndexManifest, READABLE_FORMATS } from "../manifest.js";
import {
  DamagedFileError,
  IndexCorruptError,
  IndexLocationError,
  IndexLockedError,
  IndexWriteError,
  type IndexContents,
  type IndexStorage,
  type LazyRows,
} from "../storage.js";
import type { StoredVector, VectorStore } from "../store.js";
import {
  createGenerationDir,
  DERIVED_FILES,
  GENERATION_FILES,
  inspectIndexFolder,
  JOURNAL_FILE,
  listGenerations,
  readPointer,
  removeOwnFiles,
  retireGenerations,
  writePointer,
} from "./layout.js";
import { LazyPaperMap, lazyChunks, type Lookup, lookupOf, parseLookup } from "./lazy-rows.js";
import { RowFile, writeRowFile } from "./row-file.js";
import { SegmentVectorStore, type SearchSegment } from "./segment-store.js";
import {
  listSegments,
  loadSegment,
  removeSegment,
  removeUnusedSegments,
  SEGMENT_CAPACITY,
  SegmentDamagedError,
  writeSegment,
  type SegmentFiles,
  type VectorRow,
} from "./segments.js";
import { acquireWriteLock, type WriteLock } from "./write-lock.js";
import { readJsonLineValues } from "../../corpus/json-lines.js";

/** A version's view of the shared segments: which it uses, which of their rows are dead, and their files' sums. */
interface SegmentList {
  dimension: number;
  segments: SegmentEntry[];
}

interface SegmentEntry {
  name: string;
  count: number;
  dead: number[];
  files?: SegmentFiles;
}

/** The version a storage reads from: chosen once (pinned), so one command never mixes two versions. */
interface PinnedVersion {
  name: string;
  dir: string;
  manifest: IndexManifest;
}

/** What CURRENT said when the version was pinned (null: missing or damaged). */
type PointerSeen = string | null;

/** A segment whose live share falls below this is rewritten (compacted) instead of carrying dead rows. */
const MIN_LIVE_SHARE = 0.5;

const REPAIR_HINT = 'run "citewise repair" to rebuild it from the intact files';
/** For damage worked around in memory: the command works, the file on disk stays damaged until repaired. */
const ON_DISK_HINT = '(run "citewise repair" to fix it on disk)';

/** The default backend: a folder with numbered versions (generations), shared vector segments and a CURRENT pointer. */
export class LocalStorage implements IndexStorage {
  readonly notices: string[] = [];
  /** undefined: not resolved yet; null: no index in the folder. */
  private pinned: PinnedVersion | null | undefined;
  /** Rows of the segments read by openVectors and whether they were intact: publish reuses only the clean ones. */
  private readonly loaded = new Map<string, { rows: VectorRow[]; files: SegmentFiles; clean: boolean }>();
  private lock: WriteLock | null = null;
  private papersRead: Paper[] | undefined;
  private pointerSeen: PointerSeen = null;

  constructor(readonly location: string) {}

  private version(): PinnedVersion | null {
    if (this.pinned === undefined) this.pinned = this.resolveVersion();
    return this.pinned;
  }

  /**
   * The version CURRENT names, if it is intact; otherwise the newest intact generation, with a notice.
   * A folder with generations is never taken for "no index" (that would rebuild over the user's papers).
   */
  private resolveVersion(): PinnedVersion | null {
    const state = inspectIndexFolder(this.location);
    if (state.kind === "new") return null;
    if (state.kind === "foreign") {
      throw new IndexLocationError(
        `${this.location} is not a citewise index: it holds other files (${state.examples.join(", ")}${state.examples.length >= 3 ? ", …" : ""}); pass --index with an empty or new folder`,
      );
    }
    const pointer = readPointer(this.location);
    this.pointerSeen = pointer?.name ?? null;
    let problem: string;
    if (!pointer) problem = existsSync(path.join(this.location, "CURRENT")) ? "CURRENT is empty or damaged" : "CURRENT is missing";
    else {
      const checked = this.checkGeneration(pointer.name, pointer.manifestSha256);
      if (typeof checked !== "string") return checked;
      problem = `CURRENT names ${pointer.name}, which ${checked}`;
    }
    for (const name of listGenerations(this.location)) {
      if (name === pointer?.name) continue;
      const checked = this.checkGeneration(name, null, true);
      if (typeof checked === "string") continue;
      this.notices.push(
        `${problem}; reading the newest intact version instead: ${name} (${checked.manifest.counts.papers} papers, updated ${checked.manifest.updatedAt}). ` +
          `The next "citewise ingest" or "citewise repair" publishes a new version and fixes the pointer.`,
      );
      return checked;
    }
    throw new IndexCorruptError(
      `${this.location}: ${problem}, and no other version in it is intact; run "citewise --index ${this.location} repair" to recover its papers, or re-create it with "citewise --index ${this.location} ingest --rebuild <your files>"`,
    );
  }

  recoverUnverified(options: { newerThanPinned?: boolean } = {}): { version: string; records: RawRecord[] | null; papers: Paper[] | null } | null {
    const pinned = options.newerThanPinned ? this.pinned : null;
    if (options.newerThanPinned && !pinned) return null;
    for (const name of listGenerations(this.location)) {
      // Newest first: with newerThanPinned, only versions after the one read (a fallback) are of interest.
      if (pinned && generationNumber(name) <= generationNumber(pinned.name)) break;
      const dir = path.join(this.location, name);
      // Nothing vouches for these rows: a line without the expected fields is left out, not trusted.
      const parse = <T>(file: string, valid: (row: unknown) => row is T): T[] | null => {
        try {
          const rows = readJsonLineValues<unknown>(readRegularFile(path.join(dir, file)), file).filter(valid);
          return rows.length ? rows : null;
        } catch {
          return null;
        }
      };
      const records = parse("records.jsonl", isRawRecordRow);
      const papers = records ? null : parse("papers.jsonl", isPaperRow);
      if (records || papers) return { version: name, records, papers };
    }
    return null;
  }

  startOver(): void {
    this.pinned = null;
    this.papersRead = undefined;
    this.pointerSeen = readPointer(this.location)?.name ?? null;
  }

  /** The generation if its manifest is intact (and, for a fallback, every file matches its sum); else what is wrong. */
  private checkGeneration(name: string, manifestSha256: string | null, verifyFiles = false): PinnedVersion | string {
    const dir = path.join(this.location, name);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(path.join(dir, "manifest.json"));
    } catch (error) {
      rethrowIfDenied(error, path.join(dir, "manifest.json"));
      return existsSync(dir) ? "has no manifest (an unfinished version)" : "does not exist";
    }
    if (manifestSha256 && sumOf(bytes).sha256 !== manifestSha256) return "has a damaged manifest.json (checksum mismatch)";
    let manifest: unknown;
    try {
      manifest = JSON.parse(bytes.toString("utf8"));
    } catch {
      return "has a damaged manifest.json (not JSON)";
    }
    if (!isManifest(manifest)) return "has a manifest.json without the expected fields";
    if (!READABLE_FORMATS.includes(manifest.formatVersion)) return `has index format ${manifest.formatVersion} (expected ${INDEX_FORMAT_VERSION})`;
    if (verifyFiles) {
      for (const file of GENERATION_FILES.filter((f) => f !== "manifest.json")) {
        const sum = manifest.files?.[file];
        try {
          const content = readRegularFile(path.join(dir, file));
          if (sum && !sameSum(content, sum)) return `has a damaged ${file}`;
        } catch (error) {
          rethrowIfDenied(error, path.join(dir, file));
          if (!DERIVED_FILES.includes(file)) return `lacks ${file}`;
        }
      }
    }
    return { name, dir, manifest };
  }

  /** Reads one file of the pinned version, checking its sum and the count the manifest recorded. */
  private readFile<T>(file: (typeof GENERATION_FILES)[number], parse: (bytes: Buffer) => T, count?: (value: T) => number, expected?: number): T | null {
    const version = this.version();
    return version ? this.readVersionFile(version, file, parse, count, expected) : null;
  }

  private readVersionFile<T>(
    version: PinnedVersion,
    file: (typeof GENERATION_FILES)[number],
    parse: (bytes: Buffer) => T,
    count?: (value: T) => number,
    expected?: number,
  ): T | null {
    const full = path.join(version.dir, file);
    let bytes: Buffer;
    try {
      bytes = readRegularFile(full);
    } catch (error) {
      rethrowIfDenied(error, full);
      // keyword.bin is derived from the chunks; any other file missing is damage.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && file === "keyword.bin") {
        this.notices.push(`keyword.bin of ${version.name} is missing; the keyword index was rebuilt in memory from the chunks ${ON_DISK_HINT}`);
        return null;
      }
      throw new DamagedFileError(file, `cannot read ${full} (${describeFsError(error)}); ${REPAIR_HINT}`);
    }
    const sum = version.manifest.files?.[file];
    if (sum && !sameSum(bytes, sum))
      throw new DamagedFileError(file, `${full} is damaged (its checksum does not match the one recorded when it was written); ${REPAIR_HINT}`);
    let value: T;
    try {
      value = parse(bytes);
    } catch (error) {
      throw new DamagedFileError(file, `${full} is damaged (${(error as Error).message}); ${REPAIR_HINT}`);
    }
    if (count && expected !== undefined && count(value) !== expected) {
      throw new DamagedFileError(file, `${full} holds ${count(value)} entries where the manifest recorded ${expected}; ${REPAIR_HINT}`);
    }
    return value;
  }

  async readManifest(): Promise<IndexManifest | null> {
    return this.version()?.manifest ?? null;
  }
  async readRecords(): Promise<RawRecord[]> {
    return (
      this.readFile(
        "records.jsonl",
        // A row without the fields citewise writes (even under a matching sum) counts as a missing line.
        (bytes) => readJsonLineValues<unknown>(bytes, "records.jsonl").filter(isRawRecordRow),
        (rows) => rows.length,
        this.version()?.manifest.counts.records,
      ) ?? []
    );
  }
  async readPapers(): Promise<Paper[]> {
    // Kept: since format 3 the chunks need them too (their text is spans of the abstracts).
    this.papersRead ??=
      this.readFile(
        "papers.jsonl",
        (bytes) => readJsonLineValues<unknown>(bytes, "papers.jsonl").filter(isPaperRow),
        (rows) => rows.length,
        this.version()?.manifest.counts.papers,
      ) ?? [];
    return this.papersRead;
  }
  async readChunks(): Promise<Chunk[]> {
    const rows =
      this.readFile(
        "chunks.jsonl",
        (bytes) => readJsonLineValues<unknown>(bytes, "chunks.jsonl").filter(isChunkRowOfEitherLayout),
        (rows) => rows.length,
        this.version()?.manifest.counts.chunks,
      ) ?? [];
    if (rows.every((row) => typeof row.text === "string")) return rows.map((row) => fromChunkRow(row, undefined));
    const papers = new Map((await this.readPapers()).map((paper) => [paper.id, paper]));
    return rows.map((row, i) => {
      const paper = papers.get(row.paperId);
      if (!paper && row.text === undefined)
        throw new DamagedFileError(
          "chunks.jsonl",
          `${path.join(this.version()!.dir, "chunks.jsonl")} is damaged (line ${i + 1} names a paper that is not in papers.jsonl); ${REPAIR_HINT}`,
        );
      return fromChunkRow(row, paper);
    });
  }

  /**
   * Papers and chunks read row by row: lookup.json (small, checked whole) says where each row is and holds
   * every block's sum, so opening parses neither file and a query checks only the blocks it reads.
   */
  async openRows(): Promise<LazyRows | null> {
    const version = this.version();
    if (!version?.manifest.files?.["lookup.json"]) return null;
    let lookup: Lookup | null;
    try {
      lookup = this.readVersionFile(version, "lookup.json", parseLookup);
    } catch (error) {
      if (!(error instanceof DamagedFileError)) throw error;
      this.notices.push(`lookup.json of ${version.name} is damaged; papers and chunks were read whole instead ${ON_DISK_HINT}`);
      return null;
    }
    if (!lookup) return null;
    const { counts, files } = version.manifest;
    if (lookup.papers.ids.length !== counts.papers || lookup.chunks.paper.length !== counts.chunks)
      throw new DamagedFileError("lookup.json", `${path.join(version.dir, "lookup.json")} does not match the manifest's counts; ${REPAIR_HINT}`);
    const papersFile = new RowFile(path.join(version.dir, "papers.jsonl"), "papers.jsonl", lookup.papers, files?.["papers.jsonl"]?.bytes, REPAIR_HINT);
    let chunksFile: RowFile;
    try {
      chunksFile = new RowFile(path.join(version.dir, "chunks.jsonl"), "chunks.jsonl", lookup.chunks, files?.["chunks.jsonl"]?.bytes, REPAIR_HINT);
    } catch (error) {
      papersFile.close();
      throw error;
    }
    const papers = new LazyPaperMap(papersFile, lookup.papers.ids);
    return {
      papers,
      chunks: lazyChunks(lookup, chunksFile, papers),
      acronyms: this.readAcronyms(version),
      close: () => {
        papersFile.close();
        chunksFile.close();
      },
    };
  }

  /** The saved acronym table; a missing or damaged one is rebuilt on first use (with a notice if damaged). */
  private readAcronyms(version: PinnedVersion): AcronymTable | null {
    if (!version.manifest.files?.["acronyms.json"]) return null;
    try {
      return this.readVersionFile(version, "acronyms.json", acronymTableFromJson);
    } catch (error) {
      if (!(error instanceof DamagedFileError)) throw error;
      this.notices.push(`acronyms.json of ${version.name} is damaged; the acronym table is rebuilt from the chunks ${ON_DISK_HINT}`);
      return null;
    }
  }

  /** A damaged keyword index is not fatal: null makes the reader rebuild it from the chunks (said in a notice). */
  async readKeywordIndex(): Promise<Bm25Index | null> {
    try {
      return this.readFile("keyword.bin", (bytes) => Bm25Index.fromBinary(bytes));
    } catch (error) {
      if (!(error instanceof DamagedFileError)) throw error;
      this.notices.push(`keyword.bin of ${this.version()!.name} is damaged; the keyword index was rebuilt in memory from the chunks ${ON_DISK_HINT}`);
      return null;
    }
  }

  private segmentList(version = this.version()): SegmentList | null {
    return version ? this.readVersionFile(version, "vectors.json", parseSegmentList) : null;
  }

  async openVectors(): Promise<VectorStore> {
    const list = this.segmentList();
    if (!list) return new SegmentVectorStore([], this.version()?.manifest.embedder.dimension ?? 0);
    const segments: SearchSegment[] = [];
    for (const entry of list.segments) {
      try {
        const loaded = loadSegment(this.location, entry.name, { count: entry.count, dimension: list.dimension, files: entry.files });
        this.loaded.set(entry.name, { rows: loaded.rows, files: loaded.files, clean: loaded.repairs.length === 0 });
        for (const repair of loaded.repairs) this.notices.push(`${repair} ${ON_DISK_HINT}`);
        let live: Uint8Array | null = null;
        if (entry.dead.length) {
          live = new Uint8Array(entry.count).fill(1);
          for (const row of entry.dead) live[row] = 0;
        }
        // Searched in place: the segments' own arrays, not a concatenated copy.
        segments.push({ rows: loaded.rows, vectors: loaded.vectors, quantised: loaded.quantised, approximate: loaded.approximate, live });
      } catch (error) {
        if (!(error instanceof SegmentDamagedError)) throw error;
        throw new DamagedFileError("vectors", `${error.message} in ${this.location}; run "citewise repair" to embed those chunks again`);
      }
    }
    return new SegmentVectorStore(segments, list.dimension);
  }

  /** Every vector readable in any segment of the folder (a damaged version's own list is not needed). */
  async salvageVectors(): Promise<Map<string, Float32Array>> {
    const found = new Map<string, Float32Array>();
    for (const name of listSegments(this.location)) {
      const info = segmentShape(path.join(this.location, "segments", name));
      if (!info) continue;
      try {
        const loaded = loadSegment(this.location, name, info);
        // Dequantised vectors are approximate: those chunks are embedded again instead.
        if (loaded.approximate) continue;
        for (const [i, row] of loaded.rows.entries()) found.set(row.contentHash, loaded.vectors.subarray(i * info.dimension, (i + 1) * info.dimension));
      } catch {
        // Unrecoverable segment: its chunks are embedded again.
      }
    }
    return found;
  }

  async publish(contents: IndexContents): Promise<void> {
    const previous = this.version();
    // Under the lock nobody else publishes; if the pointer moved anyway, the lock was broken: do not overwrite.
    if ((readPointer(this.location)?.name ?? null) !== this.pointerSeen) {
      throw new IndexLockedError(`the index in ${this.location} was changed by another process while this one worked; run the command again`);
    }
    const created: { segments: string[]; generation: string | null } = { segments: [], generation: null };
    let name: string;
    try {
      const dimension = contents.manifest.embedder.dimension;
      const segments = await this.placeVectors(contents, dimension, created.segments);
      crashPoint("after-segments");
      const generationDir = createGenerationDir(this.location);
      created.generation = generationDir;
      name = path.basename(generationDir);
      const paperRow = new Map(contents.papers.map((paper, i) => [paper.id, i]));
      const papers = writeRowFile(path.join(generationDir, "papers.jsonl"), contents.papers);
      const chunks = writeRowFile(
        path.join(generationDir, "chunks.jsonl"),
        (function* () {
          for (const chunk of contents.chunks) yield toChunkRow(chunk, contents.papers[paperRow.get(chunk.paperId)!]!);
        })(),
      );
      const lookup = lookupOf(contents.papers, contents.chunks, { papers: papers.table, chunks: chunks.table });
      const files: Record<string, FileSum> = {
        "records.jsonl": writeJsonLines(path.join(generationDir, "records.jsonl"), contents.records),
        "chunks.jsonl": chunks.sum,
        "papers.jsonl": papers.sum,
        "lookup.json": writeFileAtomic(path.join(generationDir, "lookup.json"), JSON.stringify(lookup)),
        ...(contents.acronyms ? { "acronyms.json": writeFileAtomic(path.join(generationDir, "acronyms.json"), acronymTableToJson(contents.acronyms)) } : {}),
        "keyword.bin": writeFileAtomic(path.join(generationDir, "keyword.bin"), contents.keyword.toBinary()),
        "vectors.json": writeFileAtomic(path.join(generationDir, "vectors.json"), JSON.stringify({ dimension, segments } satisfies SegmentList)),
      };
      const manifest: IndexManifest = { ...contents.manifest, files };
      // The manifest is written last: a generation without one is incomplete and never published.
      const manifestSum = writeFileAtomic(path.join(generationDir, "manifest.json"), JSON.stringify(manifest, null, 2));
      crashPoint("before-pointer-swap");
      if (this.lock && !this.lock.stillHeld())
        throw new IndexLockedError(`the lock of ${this.location} was taken by another process while this ingest ran; nothing was published, run it again`);
      writePointer(this.location, name, manifestSum.sha256);
      this.pinned = { name, dir: generationDir, manifest };
      this.papersRead = undefined;
      this.pointerSeen = name;
    } catch (error) {
      // A failed publish leaves nothing behind: freeing space (or fixing permissions) is enough to retry.
      if (created.generation) removeOwnFiles(created.generation, GENERATION_FILES);
      for (const segment of created.segments) removeSegment(this.location, segment);
      throw this.explainWriteError(error);
    }
    crashPoint("after-pointer-swap");
    // The replaced version stays as a fallback (and for readers that pinned it); older ones go.
    this.retire([this.pinned!, ...(previous ? [previous] : [])]);
  }

  /**
   * After an ingest that had nothing to publish: what an interrupted run left (unpublished versions, unused
   * segments) is removed, keeping the current version and the newest intact one before it.
   */
  async tidy(): Promise<void> {
    const current = this.version();
    if (!current) return;
    const fallback = listGenerations(this.location)
      .filter((name) => name !== current.name)
      .map((name) => this.checkGeneration(name, null))
      .find((checked): checked is PinnedVersion => typeof checked !== "string");
    this.retire([current, ...(fallback ? [fallback] : [])]);
  }

  /**
   * Removes every generation but `keep` (the current version first), and every segment no kept generation
   * uses. A fallback whose segment list is unreadable is not kept; if the current one's is unreadable, no
   * segment is removed (repair may still salvage vectors from them).
   */
  private retire(keep: PinnedVersion[]): void {
    const used = new Set<string>();
    const kept = new Set<string>([keep[0]!.name]);
    let complete = true;
    keep.forEach((version, i) => {
      const segments = this.segmentsOf(version);
      if (segments === null) {
        if (i === 0) complete = false;
        return;
      }
      kept.add(version.name);
      for (const segment of segments) used.add(segment);
    });
    retireGenerations(this.location, kept);
    if (complete) removeUnusedSegments(this.location, used);
  }

  /** Segment names a kept version uses; null when its list is damaged (that version is then not kept). */
  private segmentsOf(version: PinnedVersion): string[] | null {
    try {
      return this.segmentList(version)?.segments.map((segment) => segment.name) ?? null;
    } catch (error) {
      if (error instanceof DamagedFileError) return null;
      throw error;
    }
  }

  private explainWriteError(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return error;
    const advice = writeAdvice(code);
    return new IndexWriteError(
      `cannot write the index in ${this.location}: ${describeFsError(error)}; nothing was published and the previous version is intact${advice ? `; ${advice}` : ""}`,
    );
  }

  /**
   * Keeps every row of the current segments that the new version still needs (same chunk id and text,
   * same embedder) when the segment was read back intact, marks the others dead, rewrites mostly-dead
   * segments, and writes only new vectors.
   */
  private async placeVectors(contents: IndexContents, dimension: number, created: string[]): Promise<SegmentEntry[]> {
    const previous = this.version();
    const list = previous && sameEmbedder(previous.manifest, contents.manifest) ? this.readSegmentListQuietly() : null;
    // Only segments this ingest read back clean (openVectors) are reused: a damaged one is replaced.
    const reusable = (list?.segments ?? []).filter(
      (entry) => this.loaded.get(entry.name)?.clean === true && existsSync(path.join(this.location, "segments", entry.name, "segment.json")),
    );
    const located = new Map<string, { segment: number; row: number }>();
    const claimed = reusable.map(() => new Set<number>());
    reusable.forEach((entry, segment) => {
      const dead = new Set(entry.dead);
      this.loaded.get(entry.name)!.rows.forEach((row, i) => {
        if (!dead.has(i)) located.set(rowKey(row), { segment, row: i });
      });
    });
    const placed = new Map<StoredVector, { segment: number; row: number }>();
    for (const vector of contents.vectors) {
      const at = located.get(rowKey(vector));
      if (!at) continue;
      located.delete(rowKey(vector));
      claimed[at.segment]!.add(at.row);
      placed.set(vector, at);
    }

    const kept: SegmentEntry[] = [];
    const keptSegments = new Set<number>();
    reusable.forEach((entry, segment) => {
      const live = claimed[segment]!;
      if (live.size === 0 || live.size < entry.count * MIN_LIVE_SHARE) return;
      keptSegments.add(segment);
      const dead = Array.from({ length: entry.count }, (_, i) => i).filter((i) => !live.has(i));
      kept.push({ name: entry.name, count: entry.count, dead, files: entry.files ?? this.loaded.get(entry.name)!.files });
    });
    const pending = contents.vectors.filter((vector) => {
      const at = placed.get(vector);
      return !at || !keptSegments.has(at.segment);
    });
    for (let i = 0; i < pending.length; i += SEGMENT_CAPACITY) {
      const batch = pending.slice(i, i + SEGMENT_CAPACITY);
      const written = await writeSegment(this.location, batch, dimension, (name) => created.push(name));
      kept.push({ name: written.name, count: batch.length, dead: [], files: written.files });
    }
    return kept;
  }

  private readSegmentListQuietly(): SegmentList | null {
    try {
      return this.segmentList();
    } catch {
      return null;
    }
  }

  get journalFile(): string {
    return path.join(this.location, JOURNAL_FILE);
  }

  async lockForWriting(): Promise<() => Promise<void>> {
    // Checked before anything is created: a foreign folder is refused, not written into.
    const state = inspectIndexFolder(this.location);
    if (state.kind === "foreign") this.resolveVersion();
    try {
      mkdirSync(this.location, { recursive: true });
    } catch (error) {
      throw new IndexWriteError(`cannot create the index folder ${this.location}: ${describeFsError(error)}`);
    }
    let lock: WriteLock;
    try {
      lock = acquireWriteLock(this.location);
    } catch (error) {
      if (error instanceof IndexLockedError) throw error;
      const advice = writeAdvice((error as NodeJS.ErrnoException).code) ?? "check that you may write to that folder";
      throw new IndexWriteError(`cannot lock the index in ${this.location}: ${describeFsError(error)}; ${advice}`);
    }
    this.lock = lock;
    if (lock.tookOverFrom)
      process.stderr.write(`citewise: taking over the lock of an ingest that is gone (pid ${lock.tookOverFrom.pid}, started ${lock.tookOverFrom.startedAt})\n`);
    // Ctrl-C or a kill: release the lock, then let the signal end the process as it would have.
    const onSignal = (signal: NodeJS.Signals) => {
      lock.release();
      removeHandlers();
      process.kill(process.pid, signal);
    };
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const removeHandlers = () => {
      for (const signal of signals) process.off(signal, onSignal);
    };
    for (const signal of signals) process.once(signal, onSignal);
    return async () => {
      removeHandlers();
      lock.release();
      this.lock = null;
    };
  }

  /** True when CURRENT no longer names the version this storage read (a newer one was published meanwhile). */
  versionChanged(): boolean {
    return this.pinned !== undefined && (readPointer(this.location)?.name ?? null) !== this.pointerSeen;
  }

  async close(): Promise<void> {}
}

function parseSegmentList(bytes: Buffer): SegmentList {
  const list = JSON.parse(bytes.toString("utf8")) as SegmentList;
  if (!Number.isInteger(list.dimension) || !Array.isArray(list.segments)) throw new Error("not a segment list");
  return list;
}

function rowKey(row: { id: string; contentHash: string }): string {
  return `${row.id}\u0000${row.contentHash}`;
}

function sameEmbedder(a: IndexManifest, b: IndexManifest): boolean {
  return a.embedder.name === b.embedder.name && a.embedder.dimension === b.embedder.dimension;
}

/** What the user can do about a failed write of the index, by its error code (null: nothing to advise). */
function writeAdvice(code: string | undefined): string | null {
  if (code === "ENOSPC" || code === "EDQUOT") return "free some space and run the command again";
  if (code === "EACCES" || code === "EPERM" || code === "EROFS") return "check that you may write to that folder";
  return null;
}

/** count and dimension of a segment from segment.json, or (if that is gone) from rows.json and the size of vectors.f32. */
function segmentShape(dir: string): { count: number; dimension: number } | null {
  try {
    return JSON.parse(readRegularFile(path.join(dir, "segment.json")).toString("utf8")) as { count: number; dimension: number };
  } catch {
    try {
      const count = (JSON.parse(readRegularFile(path.join(dir, "rows.json")).toString("utf8")) as unknown[]).length;
      const dimension = count ? statSync(path.join(dir, "vectors.f32")).size / 4 / count : 0;
      return count && Number.isInteger(dimension) ? { count, dimension } : null;
    } catch {
      return null;
    }
  }
}

function generationNumber(name: string): number {
  return Number(/^gen-(\d+)$/.exec(name)?.[1] ?? -1);
}
