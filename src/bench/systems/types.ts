import type { QueryVector } from "../dataset.js";
import type { LatencyPlan, LatencyStats } from "../measure.js";

export type BenchMode = "bm25" | "dense" | "hybrid";
export const BENCH_MODES: BenchMode[] = ["bm25", "dense", "hybrid"];

export interface InsertStats {
  seconds: number;
  records: number;
  chunks: number;
  abstractsPerSecond: number;
  chunksPerSecond: number;
}

/** What a system run gets from the worker: its inputs, the query plan, and a way to record results as they come. */
export interface SystemContext {
  dataDir: string;
  /** Fixture queries with vectors from the real embedder, shared by every system. */
  queries: QueryVector[];
  plan: LatencyPlan;
  /** Results to return per query: citewise returns papers, the peers chunks (see report notes). */
  k: number;
  /** The file holding the known source sentences (JSON array), for the sentence-mean embedder. */
  sentencesFile: string;
  sentenceCacheFile: string;
  /** Stores a result field and saves the partial result file (kept if the run is killed later). */
  set(key: string, value: unknown): void;
  /** Notes the RSS once the inputs are loaded, before the system builds anything. */
  baseline(): void;
  /** Records peak RSS now; later phases (extras) do not count towards it. */
  snapshotPeak(): void;
  log(message: string): void;
}

export function insertStats(seconds: number, records: number, chunks: number): InsertStats {
  return { seconds, records, chunks, abstractsPerSecond: records / seconds, chunksPerSecond: chunks / seconds };
}

export type LatencyByMode = Partial<Record<BenchMode, LatencyStats & { peerMode?: string }>>;
