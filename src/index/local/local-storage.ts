import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Chunk, Paper, RawRecord } from "../../corpus/paper.js";
import { Bm25Index } from "../bm25.js";
import { readJsonFile, readJsonLinesFile, writeFileAtomic, writeJsonLines } from "../files.js";
import type { IndexManifest } from "../manifest.js";
import { IndexCorruptError, type IndexContents, type IndexStorage } from "../storage.js";
import type { StoredVector, VectorStore } from "../store.js";
import { createGenerationDir, currentGeneration, publishGeneration } from "./layout.js";
import { MatrixVectorStore } from "./matrix-store.js";
import { acquireWriteLock } from "./write-lock.js";
import { crashPoint } from "../crash-points.js";
import { loadSegment, readSegmentRows, removeUnusedSegments, SEGMENT_CAPACITY, writeSegment } from "./segments.js";

/** A version's view of the shared segments: which it uses and which of their rows are dead. */
interface SegmentList {
  dimension: number;
  segments: { name: string; count: number; dead: number[] }[];
}

/** A segment whose live share falls below this is rewritten (compacted) instead of carrying dead rows. */
const MIN_LIVE_SHARE = 0.5;

/** The default backend: a folder with numbered versions (generations), shared vector segments and a CURRENT pointer. */
export class LocalStorage implements IndexStorage {
  constructor(readonly location: string) {}

  private generation(): string | null {
    return currentGeneration(this.location);
  }

  private read<T>(file: string, parse: (file: string) => T, fallback: T): T {
    const generation = this.generation();
    if (!generation) return fallback;
    try {
      return parse(path.join(generation, file));
    } catch (error) {
      throw new IndexCorruptError(`cannot read ${path.join(generation, file)}: ${(error as Error).message}; re-run ingest with --rebuild`);
    }
  }

  async readManifest(): Promise<IndexManifest | null> {
    return this.read<IndexManifest | null>("manifest.json", readJsonFile, null);
  }
  async readRecords(): Promise<RawRecord[]> {
    return this.read("records.jsonl", readJsonLinesFile<RawRecord>, []);
  }
  async readPapers(): Promise<Paper[]> {
    return this.read("papers.jsonl", readJsonLinesFile<Paper>, []);
  }
  async readChunks(): Promise<Chunk[]> {
    return this.read("chunks.jsonl", readJsonLinesFile<Chunk>, []);
  }
  async readKeywordIndex(): Promise<Bm25Index | null> {
    return this.read("keyword.bin", (file) => (existsSync(file) ? Bm25Index.fromBinary(readFileSync(file)) : null), null);
  }

  private segmentList(): SegmentList | null {
    return this.read<SegmentList | null>("vectors.json", (file) => (existsSync(file) ? readJsonFile<SegmentList>(file) : null), null);
  }

  async openVectors(): Promise<VectorStore> {
    const list = this.segmentList();
    if (!list) return new MatrixVectorStore([], new Float32Array(0), 0);
    const segments = [];
    for (const entry of list.segments) {
      try {
        segments.push({ entry, loaded: await loadSegment(this.location, entry.name) });
      } catch (error) {
        throw new IndexCorruptError(`vector segment ${entry.name} in ${this.location} is unreadable (${(error as Error).message}); re-run ingest with --rebuild`);
      }
    }
    const live = segments.reduce((sum, { entry }) => sum + entry.count - entry.dead.length, 0);
    const matrix = new Float32Array(live * list.dimension);
    const rows = [];
    for (const { entry, loaded } of segments) {
      const dead = new Set(entry.dead);
      for (let i = 0; i < loaded.rows.length; i++) {
        if (dead.has(i)) continue;
        matrix.set(loaded.vectors.subarray(i * list.dimension, (i + 1) * list.dimension), rows.length * list.dimension);
        rows.push(loaded.rows[i]!);
      }
    }
    return new MatrixVectorStore(rows, matrix, list.dimension);
  }

  async publish(contents: IndexContents): Promise<void> {
    const dimension = contents.manifest.embedder.dimension;
    const segments = await this.placeVectors(contents, dimension);
    crashPoint("after-segments");
    const generationDir = createGenerationDir(this.location);
    writeJsonLines(path.join(generationDir, "records.jsonl"), contents.records);
    writeJsonLines(path.join(generationDir, "chunks.jsonl"), contents.chunks);
    writeJsonLines(path.join(generationDir, "papers.jsonl"), contents.papers);
    writeFileAtomic(path.join(generationDir, "keyword.bin"), contents.keyword.toBinary());
    writeFileAtomic(path.join(generationDir, "vectors.json"), JSON.stringify({ dimension, segments } satisfies SegmentList));
    // The manifest is written last: a generation without one is incomplete and never published.
    writeFileAtomic(path.join(generationDir, "manifest.json"), JSON.stringify(contents.manifest, null, 2));
    crashPoint("before-pointer-swap");
    publishGeneration(this.location, generationDir);
    removeUnusedSegments(this.location, new Set(segments.map((segment) => segment.name)));
  }

  /**
   * Keeps every row of the current segments that the new version still needs (same chunk id and text,
   * same embedder), marks the others dead, rewrites mostly-dead segments, and writes only new vectors.
   */
  private async placeVectors(contents: IndexContents, dimension: number): Promise<SegmentList["segments"]> {
    const previous = await this.readManifest();
    const list = previous && sameEmbedder(previous, contents.manifest) ? this.segmentList() : null;
    const located = new Map<string, { segment: number; row: number }>();
    const claimed = (list?.segments ?? []).map(() => new Set<number>());
    list?.segments.forEach((entry, segment) => {
      const dead = new Set(entry.dead);
      readSegmentRows(this.location, entry.name).forEach((row, i) => {
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

    const kept: SegmentList["segments"] = [];
    const keptSegments = new Set<number>();
    list?.segments.forEach((entry, segment) => {
      const live = claimed[segment]!;
      if (live.size === 0 || live.size < entry.count * MIN_LIVE_SHARE) return;
      keptSegments.add(segment);
      const dead = Array.from({ length: entry.count }, (_, i) => i).filter((i) => !live.has(i));
      kept.push({ name: entry.name, count: entry.count, dead });
    });
    const pending = contents.vectors.filter((vector) => {
      const at = placed.get(vector);
      return !at || !keptSegments.has(at.segment);
    });
    for (let i = 0; i < pending.length; i += SEGMENT_CAPACITY) {
      const batch = pending.slice(i, i + SEGMENT_CAPACITY);
      kept.push({ name: await writeSegment(this.location, batch, dimension), count: batch.length, dead: [] });
    }
    return kept;
  }

  get journalFile(): string {
    return path.join(this.location, "pending-vectors.jsonl");
  }

  async lockForWriting(): Promise<() => Promise<void>> {
    mkdirSync(this.location, { recursive: true });
    const lock = acquireWriteLock(this.location);
    if (lock.tookOverFrom) process.stderr.write(`citewise: taking over the lock of an ingest that is gone (pid ${lock.tookOverFrom.pid}, started ${lock.tookOverFrom.startedAt})\n`);
    return async () => lock.release();
  }

  async close(): Promise<void> {}
}

function rowKey(row: { id: string; contentHash: string }): string {
  return `${row.id}\u0000${row.contentHash}`;
}

function sameEmbedder(a: IndexManifest, b: IndexManifest): boolean {
  return a.embedder.name === b.embedder.name && a.embedder.dimension === b.embedder.dimension;
}
