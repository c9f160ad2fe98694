import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { ingest, type IngestReport } from "../../src/ingest/pipeline.js";
import { loadIndex } from "../../src/index/snapshot.js";
import { ROOT } from "../helpers.js";
import { corpusVectorEmbedder } from "./corpus-vectors.js";

/**
 * A small real index built in a second from files of data/, with the corpus index's vectors (the same
 * vectors USE-Lite gives those chunks), for tests that damage, lock or race an index of their own.
 */
export async function buildSmallIndex(indexDir: string, files: string[]): Promise<IngestReport> {
  const { embedder } = await corpusVectorEmbedder(inject("corpusIndex"));
  return ingest({ inputs: files.map((file) => path.join(ROOT, file)), indexDir, embedder, baseDir: ROOT });
}

/** Paper ids as the library reads them (throws on a damaged index). */
export async function paperIdsOf(indexDir: string): Promise<Set<string>> {
  const index = await loadIndex(indexDir);
  await index.close();
  return new Set(index.papers.keys());
}

export function lostPapers(before: Set<string>, after: Set<string>): number {
  return [...before].filter((id) => !after.has(id)).length;
}

/** Every file under a folder with its size and mtime: a fingerprint that shows any write. */
export function folderFingerprint(dir: string): string[] {
  const rows: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stats = statSync(full);
        rows.push(`${path.relative(dir, full)} ${stats.size} ${stats.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return rows.sort();
}

/** How many files of a fingerprint are gone or changed in another: what a test measures as data lost. */
export function changedFiles(before: string[], after: string[]): number {
  const now = new Set(after);
  return before.filter((row) => !now.has(row)).length;
}
