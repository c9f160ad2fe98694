/** A chunk vector as stored: id, owning paper, content hash (for the vector cache) and the vector. */
export interface StoredVector {
  id: string;
  paperId: string;
  contentHash: string;
  vector: number[];
}

export interface VectorHit {
  id: string;
  score: number;
}

/** Where chunk vectors live. The vectra backend keeps them in a local folder. */
export interface VectorStore {
  readonly size: number;
  /** Nearest chunks by cosine similarity; `allowed` restricts the candidates (filters). */
  query(vector: number[], k: number, allowed?: (id: string) => boolean): Promise<VectorHit[]>;
  /** Every stored vector keyed by chunk content hash: the cache that makes re-ingest incremental. */
  vectorsByContentHash(): Promise<Map<string, number[]>>;
  /** Vectors of the given chunks (used for MMR diversity). */
  vectorsFor(ids: string[]): Promise<Map<string, number[]>>;
}

export interface VectorStoreFactory {
  open(dir: string): Promise<VectorStore>;
  /** Writes all vectors in one batch (one file write, not one per insert). */
  write(dir: string, vectors: StoredVector[]): Promise<void>;
}
