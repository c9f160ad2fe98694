import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../files.js";
import type { StoredVector } from "../store.js";
import type { VectorRow } from "./matrix-store.js";

/**
 * Vectors are stored in immutable segments shared by index versions: an ingest writes only the vectors
 * it adds (never rewriting the whole index), and a version lists the segments it uses plus dead rows.
 * Each segment is a vectra LocalIndex (index.json) with a float32 copy of its vectors (vectors.f32)
 * that loads ~10x faster than vectra's JSON; segment.json is written last and marks it complete.
 */
export const SEGMENT_CAPACITY = 4096;

type VectraModule = typeof import("vectra");
// vectra costs ~0.5 s to import; only writes and repairs pay for it.
let vectraModule: Promise<VectraModule> | null = null;
const loadVectra = () => (vectraModule ??= import("vectra"));

export interface SegmentInfo {
  count: number;
  dimension: number;
}

export interface LoadedSegment extends SegmentInfo {
  rows: VectorRow[];
  vectors: Float32Array;
}

let segmentCounter = 0;

export function segmentsDir(indexDir: string): string {
  return path.join(indexDir, "segments");
}

export async function writeSegment(indexDir: string, vectors: StoredVector[], dimension: number): Promise<string> {
  const name = `seg-${Date.now().toString(36)}-${process.pid}-${++segmentCounter}`;
  const dir = path.join(segmentsDir(indexDir), name);
  mkdirSync(dir, { recursive: true });
  const { LocalIndex } = await loadVectra();
  const index = new LocalIndex(dir);
  await index.createIndex({ version: 1, deleteIfExists: true });
  await index.beginUpdate();
  for (const stored of vectors) {
    await index.insertItem({ id: stored.id, vector: Array.from(stored.vector), metadata: { paperId: stored.paperId, contentHash: stored.contentHash } });
  }
  await index.endUpdate();

  const matrix = new Float32Array(vectors.length * dimension);
  vectors.forEach((stored, i) => matrix.set(stored.vector, i * dimension));
  writeFileAtomic(path.join(dir, "vectors.f32"), new Uint8Array(matrix.buffer));
  writeFileAtomic(path.join(dir, "rows.json"), JSON.stringify(vectors.map((v) => [v.id, v.paperId, v.contentHash])));
  const info: SegmentInfo = { count: vectors.length, dimension };
  writeFileAtomic(path.join(dir, "segment.json"), JSON.stringify(info));
  return name;
}

export function segmentComplete(indexDir: string, name: string): boolean {
  return existsSync(path.join(segmentsDir(indexDir), name, "segment.json"));
}

export function readSegmentRows(indexDir: string, name: string): VectorRow[] {
  const rows = JSON.parse(readFileSync(path.join(segmentsDir(indexDir), name, "rows.json"), "utf8")) as [string, string, string][];
  return rows.map(([id, paperId, contentHash]) => ({ id, paperId, contentHash }));
}

export async function loadSegment(indexDir: string, name: string): Promise<LoadedSegment> {
  const dir = path.join(segmentsDir(indexDir), name);
  const info = JSON.parse(readFileSync(path.join(dir, "segment.json"), "utf8")) as SegmentInfo;
  const rows = readSegmentRows(indexDir, name);
  const file = path.join(dir, "vectors.f32");
  const expectedBytes = info.count * info.dimension * 4;
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    if (bytes.byteLength === expectedBytes) {
      return { ...info, rows, vectors: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    }
  }
  return { ...info, rows, vectors: await repairFromVectra(dir, rows, info) };
}

/** The float32 copy is derived data: if it is missing or torn, vectra's index.json is the source of truth. */
async function repairFromVectra(dir: string, rows: VectorRow[], info: SegmentInfo): Promise<Float32Array> {
  const { LocalIndex } = await loadVectra();
  const items = new Map((await new LocalIndex(dir).listItems()).map((item) => [item.id, item.vector]));
  const matrix = new Float32Array(info.count * info.dimension);
  rows.forEach((row, i) => {
    const vector = items.get(row.id);
    if (!vector) throw new Error(`segment ${dir} lacks the vector of ${row.id}`);
    matrix.set(vector, i * info.dimension);
  });
  writeFileAtomic(path.join(dir, "vectors.f32"), new Uint8Array(matrix.buffer));
  return matrix;
}

/** Removes segments no published version uses (left by replaced versions or an interrupted ingest). */
export function removeUnusedSegments(indexDir: string, used: Set<string>): void {
  const dir = segmentsDir(indexDir);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) if (!used.has(name)) rmSync(path.join(dir, name), { recursive: true, force: true });
}
