import path from "node:path";
import { dot } from "./embedder.js";
import type { StoredVector, VectorHit, VectorStore, VectorStoreFactory } from "./store.js";

type VectraModule = typeof import("vectra");
type ChunkMetadata = { paperId: string; contentHash: string };

// vectra costs ~0.5 s to import; only commands that touch vectors pay for it.
let vectraModule: Promise<VectraModule> | null = null;
const loadVectra = () => (vectraModule ??= import("vectra"));

const folderOf = (dir: string) => path.join(dir, "vectors");

class VectraStore implements VectorStore {
  constructor(
    private readonly index: InstanceType<VectraModule["LocalIndex"]>,
    readonly size: number,
  ) {}

  async query(vector: number[], k: number, allowed?: (id: string) => boolean): Promise<VectorHit[]> {
    if (!allowed) {
      const results = await this.index.queryItems(vector, "", k);
      return results.map((result) => ({ id: result.item.id, score: result.score }));
    }
    // Filtering by callback keeps filters independent of vectra's metadata query language.
    const hits: VectorHit[] = [];
    for (const item of await this.index.listItems<ChunkMetadata>()) {
      if (allowed(item.id)) hits.push({ id: item.id, score: dot(vector, item.vector) / (item.norm || 1) });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, k);
  }

  async vectorsFor(ids: string[]): Promise<Map<string, number[]>> {
    const wanted = new Set(ids);
    const items = await this.index.listItems<ChunkMetadata>();
    return new Map(items.filter((item) => wanted.has(item.id)).map((item) => [item.id, item.vector]));
  }

  async vectorsByContentHash(): Promise<Map<string, number[]>> {
    const items = await this.index.listItems<ChunkMetadata>();
    return new Map(items.map((item) => [item.metadata.contentHash, item.vector]));
  }
}

export const vectraStores: VectorStoreFactory = {
  async open(dir: string): Promise<VectorStore> {
    const { LocalIndex } = await loadVectra();
    const index = new LocalIndex(folderOf(dir));
    if (!(await index.isIndexCreated())) throw new Error(`vector store missing in ${dir}`);
    const stats = await index.getIndexStats();
    return new VectraStore(index, stats.items);
  },

  async write(dir: string, vectors: StoredVector[]): Promise<void> {
    const { LocalIndex } = await loadVectra();
    const index = new LocalIndex(folderOf(dir));
    await index.createIndex({ version: 1, deleteIfExists: true });
    await index.beginUpdate();
    for (const stored of vectors) {
      const metadata: ChunkMetadata = { paperId: stored.paperId, contentHash: stored.contentHash };
      await index.insertItem({ id: stored.id, vector: stored.vector, metadata });
    }
    await index.endUpdate();
  },
};
