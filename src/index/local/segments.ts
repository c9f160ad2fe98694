import { existsSync, mkdirSync, readdirSync, statfsSync, statSync } from "node:fs";
import path from "node:path";
import { sameSum, sumOf, writeFileAtomic, type FileSum, readRegularFile, rethrowIfDenied } from "../files.js";
import type { StoredVector } from "../store.js";
import { removeOwnFiles, SEGMENTS_DIR } from "./layout.js";
import type { VectorRow } from "./matrix-store.js";
import { CitewiseError } from "../../errors.js";

/**
 * Vectors are stored in immutable segments shared by index versions: an ingest writes only the vectors
 * it adds (never rewriting the whole index), and a version lists the segments it uses plus dead rows.
 * Each segment is a vectra LocalIndex (index.json) with a float32 copy of its vectors (vectors.f32)
 * that loads ~10x faster than vectra's JSON; segment.json is written last and marks it complete.
 * Every file's size and SHA-256 are recorded (in segment.json and in the version that lists the segment),
 * so damage is found when the segment is read; vectra's index.json is the redundant copy that
 * vectors.f32 and rows.json are rebuilt from, in memory (a reader never writes into the index).
 */
export const SEGMENT_CAPACITY = 4096;
export const SEGMENT_FILES = ["index.json", "vectors.f32", "rows.json", "segment.json"] as const;

type VectraModule = typeof import("vectra");
// vectra costs ~0.5 s to import; only writes pay for it.
let vectraModule: Promise<VectraModule> | null = null;
const loadVectra = () => (vectraModule ??= import("vectra"));

export type SegmentFiles = Partial<Record<"index.json" | "vectors.f32" | "rows.json", FileSum>>;

export interface SegmentInfo {
  count: number;
  dimension: number;
  files?: SegmentFiles;
}

export interface LoadedSegment extends SegmentInfo {
  rows: VectorRow[];
  vectors: Float32Array;
  /** What was wrong and how it was worked around (e.g. "vectors.f32 … rebuilt from index.json"). */
  repairs: string[];
}

/** A segment's vectors cannot be recovered from either copy: they must be embedded again (citewise repair). */
export class SegmentDamagedError extends CitewiseError {}

let segmentCounter = 0;

export function segmentsDir(indexDir: string): string {
  return path.join(indexDir, SEGMENTS_DIR);
}

/** vectra's createIndex drops the cause ("Error creating index") and deletes the segment folder; a full disk is the usual cause, so look. */
function diskIsFull(dir: string): boolean {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize < 1 << 20;
  } catch {
    return false;
  }
}

/** Writes a new segment and returns its name and the sums of its files (recorded by the version that uses it). */
export async function writeSegment(
  indexDir: string,
  vectors: StoredVector[],
  dimension: number,
  onCreated: (name: string) => void,
): Promise<{ name: string; files: SegmentFiles }> {
  const name = `seg-${Date.now().toString(36)}-${process.pid}-${++segmentCounter}`;
  const dir = path.join(segmentsDir(indexDir), name);
  mkdirSync(dir, { recursive: true });
  onCreated(name);
  const { LocalIndex } = await loadVectra();
  const index = new LocalIndex(dir);
  try {
    await index.createIndex({ version: 1, deleteIfExists: false });
    await index.beginUpdate();
    for (const stored of vectors) {
      await index.insertItem({ id: stored.id, vector: Array.from(stored.vector), metadata: { paperId: stored.paperId, contentHash: stored.contentHash } });
    }
    await index.endUpdate();
  } catch (error) {
    // vectra wraps file-system errors in plain ones ("Error saving index: Error: ENOSPC: …"): keep the code.
    const message = (error as Error).message;
    const code = (error as NodeJS.ErrnoException).code ?? /(E[A-Z]{3,})/.exec(message)?.[1] ?? (diskIsFull(indexDir) ? "ENOSPC" : undefined);
    throw Object.assign(new Error(message), { code, syscall: "write", path: path.join(dir, "index.json") });
  }

  const matrix = new Float32Array(vectors.length * dimension);
  for (const [i, stored] of vectors.entries()) matrix.set(stored.vector, i * dimension);
  const files: SegmentFiles = {
    "index.json": sumOf(readRegularFile(path.join(dir, "index.json"))),
    "vectors.f32": writeFileAtomic(path.join(dir, "vectors.f32"), new Uint8Array(matrix.buffer)),
    "rows.json": writeFileAtomic(path.join(dir, "rows.json"), JSON.stringify(vectors.map((v) => [v.id, v.paperId, v.contentHash]))),
  };
  const info: SegmentInfo = { count: vectors.length, dimension, files };
  writeFileAtomic(path.join(dir, "segment.json"), JSON.stringify(info));
  return { name, files };
}

/**
 * Reads a segment, checking each file against the sums the version recorded (`expected`, falling back to
 * segment.json's own). A damaged or missing vectors.f32 or rows.json is rebuilt from vectra's index.json;
 * if that is damaged too, SegmentDamagedError.
 */
export function loadSegment(indexDir: string, name: string, expected: { count: number; dimension: number; files?: SegmentFiles }): LoadedSegment {
  const dir = path.join(segmentsDir(indexDir), name);
  if (!existsSync(dir)) {
    // existsSync says false for a folder this user may not enter: that is a permission problem, not a loss.
    try {
      statSync(dir);
    } catch (error) {
      rethrowIfDenied(error, dir);
    }
    throw new SegmentDamagedError(`vector segment ${name} is missing`);
  }
  const info = readSegmentInfo(dir);
  const sums = expected.files ?? info?.files ?? {};
  const repairs: string[] = info ? [] : [`segment.json of ${name} is missing or damaged`];
  const { count, dimension } = expected;
  let vectraItems: VectraItem[] | null | undefined;
  const vectra = () => {
    if (vectraItems === undefined) vectraItems = readVectraItems(dir, sums["index.json"], count);
    return vectraItems;
  };

  let rows = readChecked(path.join(dir, "rows.json"), sums["rows.json"], (bytes) => {
    const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as [string, string, string][];
    return parsed.length === count ? parsed.map(([id, paperId, contentHash]) => ({ id, paperId, contentHash })) : null;
  });
  if (!rows) {
    const items = vectra();
    if (!items) throw new SegmentDamagedError(`vector segment ${name}: rows.json and index.json are both damaged`);
    rows = items.map((item) => ({ id: item.id, paperId: item.metadata.paperId, contentHash: item.metadata.contentHash }));
    repairs.push(`rows.json of segment ${name} is damaged; its rows were read from vectra's index.json`);
  }

  let vectors = readChecked(path.join(dir, "vectors.f32"), sums["vectors.f32"], (bytes) =>
    bytes.byteLength === count * dimension * 4 ? new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) : null,
  );
  if (!vectors) {
    const items = vectra();
    if (!items) throw new SegmentDamagedError(`vector segment ${name}: vectors.f32 and index.json are both damaged`);
    const byId = new Map(items.map((item) => [item.id, item.vector]));
    const matrix = new Float32Array(count * dimension);
    rows.forEach((row, i) => {
      const vector = byId.get(row.id);
      if (!vector || vector.length !== dimension) throw new SegmentDamagedError(`vector segment ${name}: index.json lacks the vector of ${row.id}`);
      matrix.set(vector, i * dimension);
    });
    vectors = matrix;
    repairs.push(`vectors.f32 of segment ${name} is damaged or missing; its vectors were read from vectra's index.json`);
  }
  return { count, dimension, files: sums, rows, vectors, repairs };
}

/** Parses a file whose recorded sum matches (or, for segments written before sums, any readable file); null when damaged. */
function readChecked<T>(file: string, sum: FileSum | undefined, parse: (bytes: Buffer) => T | null): T | null {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (error) {
    rethrowIfDenied(error, file);
    return null;
  }
  if (sum && !sameSum(bytes, sum)) return null;
  try {
    return parse(bytes);
  } catch {
    return null;
  }
}

interface VectraItem {
  id: string;
  vector: number[];
  metadata: { paperId: string; contentHash: string };
}

function readVectraItems(dir: string, sum: FileSum | undefined, count: number): VectraItem[] | null {
  return readChecked(path.join(dir, "index.json"), sum, (bytes) => {
    const items = (JSON.parse(bytes.toString("utf8")) as { items?: VectraItem[] }).items;
    return Array.isArray(items) && items.length === count ? items : null;
  });
}

function readSegmentInfo(dir: string): SegmentInfo | null {
  try {
    const info = JSON.parse(readRegularFile(path.join(dir, "segment.json")).toString("utf8")) as SegmentInfo;
    return Number.isInteger(info.count) && Number.isInteger(info.dimension) ? info : null;
  } catch (error) {
    rethrowIfDenied(error, path.join(dir, "segment.json"));
    return null;
  }
}

/** Segment folders present on disk (any state). */
export function listSegments(indexDir: string): string[] {
  const dir = segmentsDir(indexDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.startsWith("seg-"));
}

/** Removes segments no kept version uses (left by replaced versions or an interrupted ingest); users' files stay. */
export function removeUnusedSegments(indexDir: string, used: Set<string>): void {
  for (const name of listSegments(indexDir)) if (!used.has(name)) removeSegment(indexDir, name);
}

export function removeSegment(indexDir: string, name: string): void {
  removeOwnFiles(path.join(segmentsDir(indexDir), name), SEGMENT_FILES);
}
