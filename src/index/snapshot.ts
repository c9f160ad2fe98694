import { type Chunk, type Paper, searchableFields } from "../corpus/paper.js";
import type { AcronymTable } from "./acronym-table.js";
import { Bm25Index, termCountsOf } from "./bm25.js";
import { INDEX_FORMAT_VERSION, type IndexManifest, READABLE_FORMATS } from "./manifest.js";
import { openStorage } from "./open-storage.js";
import { hidePassword, IndexCorruptError, IndexNotFoundError, type IndexStorage } from "./storage.js";
import type { VectorStore } from "./store.js";

/** Everything one version of the index holds, loaded for querying. */
export interface IndexSnapshot {
  /** The folder or database it came from (password hidden). */
  location: string;
  manifest: IndexManifest;
  /** Read row by row as they are used, for a version that allows it (see IndexStorage.openRows). */
  papers: ReadonlyMap<string, Paper>;
  /** In BM25 document order; a chunk's text may be read (and checked) only when first used. */
  chunks: Chunk[];
  chunkById: Map<string, Chunk>;
  /** Each paper's chunks in order. */
  chunksByPaper: Map<string, Chunk[]>;
  /** Position of each chunk in `chunks`, which is also its BM25 document number. */
  chunkPosition: Map<string, number>;
  keyword: Bm25Index;
  vectors: VectorStore;
  /** The acronym table saved at ingest; null for versions without one (built from the chunks on first use). */
  acronyms: AcronymTable | null;
  /** Damage found and worked around while loading (e.g. a keyword index rebuilt in memory): shown to the user. */
  notices: string[];
  /** Releases the database connection (no-op for a folder). */
  close(): Promise<void>;
}

export async function hasIndex(location: string): Promise<boolean> {
  const storage = await openStorage(location);
  try {
    return (await storage.readManifest()) !== null;
  } finally {
    await storage.close();
  }
}

export async function loadIndexManifest(location: string): Promise<IndexManifest> {
  const storage = await openStorage(location);
  try {
    const manifest = await storage.readManifest();
    if (!manifest) throw new IndexNotFoundError(`no index in ${storage.location}`);
    return manifest;
  } finally {
    await storage.close();
  }
}

export async function readPapers(location: string): Promise<Paper[]> {
  const storage = await openStorage(location);
  try {
    if (!(await storage.readManifest())) throw new IndexNotFoundError(`no index in ${storage.location}`);
    return await storage.readPapers();
  } finally {
    await storage.close();
  }
}

export function assertReadableFormat(manifest: IndexManifest, location: string): void {
  if (!READABLE_FORMATS.includes(manifest.formatVersion)) {
    throw new IndexCorruptError(
      `index format ${manifest.formatVersion} in ${hidePassword(location)} is not supported (expected ${INDEX_FORMAT_VERSION}); run "citewise ingest --rebuild" to rebuild it from its stored records`,
    );
  }
}

/**
 * Opens the current index version from a folder, a postgres:// URL or an already open storage. Every file
 * comes from one pinned version; if a newer version is published while this one is read (and the old one
 * is retired under it), the read starts over on the new one.
 */
export async function loadIndex(source: string | IndexStorage): Promise<IndexSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const storage = typeof source === "string" ? await openStorage(source) : source;
    try {
      return await loadFrom(storage);
    } catch (error) {
      const retry = typeof source === "string" && attempt < 3 && storage.versionChanged?.() === true;
      await storage.close();
      if (!retry) throw error;
    }
  }
}

async function loadFrom(storage: IndexStorage): Promise<IndexSnapshot> {
  const manifest = await storage.readManifest();
  if (!manifest) throw new IndexNotFoundError(`no index in ${storage.location}; run "citewise ingest <files>" first`);
  assertReadableFormat(manifest, storage.location);
  const rows = (await storage.openRows?.()) ?? null;
  try {
    const papers = rows?.papers ?? new Map((await storage.readPapers()).map((paper) => [paper.id, paper]));
    const chunks = rows?.chunks ?? (await storage.readChunks());
    // Older or damaged versions without a usable keyword index still open: it is rebuilt from the chunks.
    const keyword =
      (await storage.readKeywordIndex()) ??
      Bm25Index.fromTermCounts(chunks.map((chunk) => termCountsOf(chunk.text, searchableFields(papers.get(chunk.paperId) ?? { authors: [], venue: null }))));
    if (keyword.size !== chunks.length) throw new IndexCorruptError(`keyword index of ${storage.location} does not match its chunks; run "citewise repair"`);
    const vectors = await storage.openVectors();
    if (vectors.size !== chunks.length)
      throw new IndexCorruptError(`the vectors of ${storage.location} do not match its chunks (${vectors.size} vs ${chunks.length}); run "citewise repair"`);
    // The lookups by id are built when a query first needs them (most commands use one or two).
    let chunkById: Map<string, Chunk> | undefined;
    let chunksByPaper: Map<string, Chunk[]> | undefined;
    let chunkPosition: Map<string, number> | undefined;
    return {
      location: storage.location,
      manifest,
      papers,
      chunks,
      get chunkById() {
        chunkById ??= new Map(chunks.map((chunk) => [chunk.id, chunk]));
        return chunkById;
      },
      get chunksByPaper() {
        chunksByPaper ??= groupByPaper(chunks);
        return chunksByPaper;
      },
      get chunkPosition() {
        chunkPosition ??= new Map(chunks.map((chunk, i) => [chunk.id, i]));
        return chunkPosition;
      },
      keyword,
      vectors,
      acronyms: rows?.acronyms ?? null,
      notices: storage.notices,
      close: async () => {
        rows?.close();
        await storage.close();
      },
    };
  } catch (error) {
    rows?.close();
    throw error;
  }
}

export function groupByPaper(chunks: Chunk[]): Map<string, Chunk[]> {
  const byPaper = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const list = byPaper.get(chunk.paperId);
    if (list) list.push(chunk);
    else byPaper.set(chunk.paperId, [chunk]);
  }
  return byPaper;
}
