import { loadChunks, loadRecords, type BenchChunk } from "../dataset.js";

/** The chunks citewise made from the synthetic records, with their vectors as plain arrays (the peers' input). */
export function loadPeerInput(dataDir: string): { records: number; chunks: BenchChunk[]; vectors: number[][] } {
  const { chunks, vectors } = loadChunks(dataDir);
  const dimension = vectors.length / Math.max(1, chunks.length);
  return {
    records: loadRecords(dataDir).length,
    chunks,
    vectors: chunks.map((_, i) => Array.from(vectors.subarray(i * dimension, (i + 1) * dimension))),
  };
}
