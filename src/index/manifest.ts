import type { FileSum } from "./files.js";
import { CitewiseError } from "../errors.js";

// 3: chunks refer to their paper's abstract by offsets; lookup.json lets a query read papers and chunks row by
// row; acronyms.json holds the acronym table. 2: vectors in shared segments (vectors.json) and a saved keyword
// index (keyword.bin).
export const INDEX_FORMAT_VERSION = 3;
/** Formats this build reads (chunk rows of both layouts are read; lookup.json and acronyms.json are optional). */
export const READABLE_FORMATS: readonly number[] = [2, 3];

export interface IndexManifest {
  formatVersion: number;
  embedder: { name: string; dimension: number };
  chunking: { maxWords: number };
  /**
   * Version of the text analysis (sentence splitting, rendering, tokenising) the chunks and keyword index were
   * made with; when it differs from this build's, ingest re-chunks and re-tokenises instead of reusing them.
   * Absent in indexes built before it was recorded.
   */
  textVersion?: number;
  createdAt: string;
  updatedAt: string;
  counts: { papers: number; chunks: number; records: number };
  /** Size and SHA-256 of each file of the version (local folder backend), checked when it is read. */
  files?: Record<string, FileSum>;
}

/** The fields every reader relies on; anything else in manifest.json is ignored. */
export function isManifest(value: unknown): value is IndexManifest {
  const m = value as IndexManifest | null;
  return (
    typeof m === "object" &&
    m !== null &&
    typeof m.formatVersion === "number" &&
    typeof m.embedder?.name === "string" &&
    typeof m.embedder?.dimension === "number" &&
    typeof m.counts?.papers === "number" &&
    typeof m.counts?.chunks === "number" &&
    typeof m.counts?.records === "number"
  );
}

export class IndexMismatchError extends CitewiseError {}

/** Vectors from different embedders live in different spaces; mixing them silently ruins retrieval. */
export function assertSameEmbedder(manifest: IndexManifest, embedder: { name: string; dimension: number }, indexDir: string): void {
  const stored = manifest.embedder;
  if (stored.name !== embedder.name || stored.dimension !== embedder.dimension) {
    throw new IndexMismatchError(
      `the index in ${indexDir} was built with embedder "${stored.name}" (${stored.dimension}-d), ` +
        `but "${embedder.name}" (${embedder.dimension}-d) was requested. ` +
        `Re-run ingest with --rebuild to re-embed everything with "${embedder.name}", or pass --embedder ${stored.name}.`,
    );
  }
}
