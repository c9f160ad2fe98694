import { existsSync, mkdirSync, readdirSync, statfsSync, statSync } from "node:fs";
import path from "node:path";
import { sameSum, sumOf, writeFileAtomic, type FileSum, readRegularFile, rethrowIfDenied } from "../files.js";
import type { StoredVector } from "../store.js";
import { removeOwnFiles, SEGMENTS_DIR } from "./layout.js";
import { dequantise, quantiseRows, type QuantisedRows } from "./quantise.js";
import { CitewiseError } from "../../errors.js";
import { settings } from "../../settings.js";

/**
 * Vectors are stored in immutable segments shared by index versions: an ingest writes only the vectors
 * it adds (never rewriting the whole index), and a version lists the segments it uses plus dead rows.
 * A segment holds its vectors twice: vectors.f32 (exact float32) and vectors.i8 (int8 with a scale per row,
 * the fast-scan tier of dense search), and its rows twice: rows.json and a copy in segment.json, which is
 * written last and marks the segment complete. Every file's size and SHA-256 are recorded (in segment.json
 * and in the version that lists the segment), so damage is found when the segment is read and worked
 * around from the other copy, in memory (a reader never writes into the index).
 * Segments written before 2026-12 also hold a vectra LocalIndex (index.json, ~10 KB of JSON per vector):
 * it is their redundant copy, still read; new segments write it only when asked (settings().vectors.vectraCopy).
 */
export const SEGMENT_CAPACITY = 4096;
export const SEGMENT_FILES = ["index.json", "vectors.f32", "vectors.i8", "rows.json", "segment.json"] as const;

type VectraModule = typeof import("vectra");
// vectra costs ~0.5 s to import: only a legacy segment's repair or the opt-in copy pays for it.
let vectraModule: Promise<VectraModule> | null = null;
const loadVectra = () => (vectraModule ??= import("vectra"));

export type SegmentFiles = Partial<Record<"index.json" | "vectors.f32" | "vectors.i8" | "rows.json", FileSum>>;

export interface VectorRow {
  id: string;
  paperId: string;
  contentHash: string;
}

export interface SegmentInfo {
  count: number;
  dimension: number;
  files?: SegmentFiles;
  /** The redundant copy of rows.json (segments written before 2026-12 have it in index.json instead). */
  rows?: [string, string, string][];
}

export interface LoadedSegment {
  count: number;
  dimension: number;
  files: SegmentFiles;
  rows: VectorRow[];
  /** Row-major float32 vectors: exact, or dequantised from vectors.i8 when `approximate`. */
  vectors: Float32Array;
  quantised: QuantisedRows;
  /** vectors.f32 was lost: `vectors` are int8 approximations (never reused as exact by ingest or repair). */
  approximate: boolean;
  /** What was wrong and how it was worked around (e.g. "vectors.f32 … dequantised from vectors.i8"). */
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
  const files: SegmentFiles = {};
  if (settings().vectors.vectraCopy) files["index.json"] = await writeVectraCopy(indexDir, dir, vectors);

  const matrix = new Float32Array(vectors.length * dimension);
  for (const [i, stored] of vectors.entries()) matrix.set(stored.vector, i * dimension);
  const rows = vectors.map((v): [string, string, string] => [v.id, v.paperId, v.contentHash]);
  files["vectors.f32"] = writeFileAtomic(path.join(dir, "vectors.f32"), new Uint8Array(matrix.buffer));
  files["vectors.i8"] = writeFileAtomic(path.join(dir, "vectors.i8"), quantisedBytes(quantiseRows(matrix, vectors.length, dimension)));
  files["rows.json"] = writeFileAtomic(path.join(dir, "rows.json"), JSON.stringify(rows));
  const info: SegmentInfo = { count: vectors.length, dimension, files, rows };
  writeFileAtomic(path.join(dir, "segment.json"), JSON.stringify(info));
  return { name, files };
}

/** vectra's own index.json, for tools that read vectra indexes (opt-in: it is ~10 KB of JSON per vector). */
async function writeVectraCopy(indexDir: string, dir: string, vectors: StoredVector[]): Promise<FileSum> {
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
    const code = (error as NodeJS.ErrnoException).code ?? /(E[A-Z]{3,})/.exec(message)?.[1] ?? (diskIsFull(indexDir) ? "ENOSPC" : undefined);
    throw Object.assign(new Error(message), { code, syscall: "write", path: path.join(dir, "index.json") });
  }
  return sumOf(readRegularFile(path.join(dir, "index.json")));
}

/** vectors.i8: the per-row scales (float32), then the codes; the codes start at a multiple of 4. */
function quantisedBytes(quantised: QuantisedRows): Uint8Array {
  const bytes = new Uint8Array(quantised.scales.byteLength + quantised.codes.byteLength);
  bytes.set(new Uint8Array(quantised.scales.buffer, quantised.scales.byteOffset, quantised.scales.byteLength), 0);
  bytes.set(new Uint8Array(quantised.codes.buffer, quantised.codes.byteOffset, quantised.codes.byteLength), quantised.scales.byteLength);
  return bytes;
}

/** A view of the file's bytes (no copy when the buffer is aligned, as large reads are). */
function float32View(bytes: Buffer, offset: number, length: number): Float32Array {
  const start = bytes.byteOffset + offset;
  if (start % 4 === 0) return new Float32Array(bytes.buffer, start, length);
  return new Float32Array(bytes.buffer.slice(start, start + length * 4));
}

function parseQuantised(bytes: Buffer, count: number, dimension: number): QuantisedRows | null {
  if (bytes.byteLength !== count * 4 + count * dimension) return null;
  return { scales: float32View(bytes, 0, count), codes: new Int8Array(bytes.buffer, bytes.byteOffset + count * 4, count * dimension) };
}

const parseRows = (parsed: unknown, count: number): VectorRow[] | null =>
  Array.isArray(parsed) && parsed.length === count && parsed.every((row) => Array.isArray(row) && row.length === 3 && row.every((v) => typeof v === "string"))
    ? (parsed as [string, string, string][]).map(([id, paperId, contentHash]) => ({ id, paperId, contentHash }))
    : null;

/**
 * Reads a segment, checking each file against the sums the version recorded (`expected`, falling back to
 * segment.json's own). A damaged file is worked around from its other copy: rows.json from segment.json's
 * rows (or a legacy segment's index.json), vectors.f32 from index.json if present, else dequantised from
 * vectors.i8 (approximate), vectors.i8 quantised again from vectors.f32. Both copies damaged: SegmentDamagedError.
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
  const { count, dimension } = expected;
  // segment.json is parsed only when needed: the version usually has the sums, and its rows are a fallback.
  let info: SegmentInfo | null | undefined;
  const segmentInfo = () => {
    if (info === undefined) info = readSegmentInfo(dir);
    return info;
  };
  const repairs: string[] = [];
  if (expected.files ? !existsSync(path.join(dir, "segment.json")) : !segmentInfo()) repairs.push(`segment.json of ${name} is missing or damaged`);
  const sums = expected.files ?? segmentInfo()?.files ?? {};
  const hasQuantised = sums["vectors.i8"] !== undefined || existsSync(path.join(dir, "vectors.i8"));
  let vectraItems: VectraItem[] | null | undefined;
  const vectra = () => {
    if (vectraItems === undefined) vectraItems = sums["index.json"] || !hasQuantised ? readVectraItems(dir, sums["index.json"], count) : null;
    return vectraItems;
  };

  let rows = readChecked(path.join(dir, "rows.json"), sums["rows.json"], (bytes) => parseRows(JSON.parse(bytes.toString("utf8")), count));
  if (!rows) {
    rows = parseRows(segmentInfo()?.rows, count);
    if (rows) repairs.push(`rows.json of segment ${name} is damaged; its rows were read from the copy in segment.json`);
    else {
      const items = vectra();
      if (!items) throw new SegmentDamagedError(`vector segment ${name}: rows.json and its copy are both damaged`);
      rows = items.map((item) => ({ id: item.id, paperId: item.metadata.paperId, contentHash: item.metadata.contentHash }));
      repairs.push(`rows.json of segment ${name} is damaged; its rows were read from vectra's index.json`);
    }
  }

  let vectors = readChecked(path.join(dir, "vectors.f32"), sums["vectors.f32"], (bytes) =>
    bytes.byteLength === count * dimension * 4 ? float32View(bytes, 0, count * dimension) : null,
  );
  // Legacy segments have no vectors.i8: it is made in memory, which is not damage.
  let quantised = hasQuantised ? readChecked(path.join(dir, "vectors.i8"), sums["vectors.i8"], (bytes) => parseQuantised(bytes, count, dimension)) : null;
  let approximate = false;
  if (!vectors) {
    vectors = vectra() ? vectorsFromVectra(name, vectra()!, rows, dimension) : null;
    if (vectors) repairs.push(`vectors.f32 of segment ${name} is damaged or missing; its vectors were read from vectra's index.json`);
    else if (quantised) {
      vectors = dequantise(quantised, count, dimension);
      approximate = true;
      repairs.push(
        `vectors.f32 of segment ${name} is damaged or missing; its vectors were dequantised from vectors.i8 (dense scores are approximate, and those chunks are embedded again by the next ingest or repair)`,
      );
    } else throw new SegmentDamagedError(`vector segment ${name}: vectors.f32 and ${hasQuantised ? "vectors.i8" : "index.json"} are both damaged`);
  }
  if (!quantised) {
    if (hasQuantised) repairs.push(`vectors.i8 of segment ${name} is damaged or missing; it was rebuilt in memory from vectors.f32`);
    quantised = quantiseRows(vectors, count, dimension);
  }
  return { count, dimension, files: sums, rows, vectors, quantised, approximate, repairs };
}

function vectorsFromVectra(name: string, items: VectraItem[], rows: VectorRow[], dimension: number): Float32Array {
  const byId = new Map(items.map((item) => [item.id, item.vector]));
  const matrix = new Float32Array(rows.length * dimension);
  rows.forEach((row, i) => {
    const vector = byId.get(row.id);
    if (!vector || vector.length !== dimension) throw new SegmentDamagedError(`vector segment ${name}: index.json lacks the vector of ${row.id}`);
    matrix.set(vector, i * dimension);
  });
  return matrix;
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
