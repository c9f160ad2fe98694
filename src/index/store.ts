/** A vector as stored: plain arrays from embedders, Float32Array views when loaded from disk. */
export type Vector = ArrayLike<number>;

/** A chunk vector as stored: id, owning paper, content hash (for the vector cache) and the vector. */
export interface StoredVector {
  id: string;
  paperId: string;
  contentHash: string;
  vector: Vector;
}

export interface VectorHit {
  id: string;
  score: number;
}

export interface QueryOptions {
  /**
   * Rank every vector by its exact score (brute force; pgvector: no HNSW scan). Default settings().search.exact;
   * otherwise the local store scans int8 copies first and re-ranks the best few hundred exactly.
   */
  exact?: boolean;
}

/** Chunk vectors of one index version, opened for querying (local segments or pgvector). */
export interface VectorStore {
  readonly size: number;
  /** Nearest chunks by cosine similarity (vectors are unit length); `allowed` restricts the candidates (filters). */
  query(vector: Vector, k: number, allowed?: (id: string) => boolean, options?: QueryOptions): Promise<VectorHit[]>;
  /** Every stored vector keyed by chunk content hash: the cache that makes re-ingest incremental. */
  vectorsByContentHash(): Promise<Map<string, Vector>>;
  /** Vectors of the given chunks (used for MMR diversity and themes). */
  vectorsFor(ids: string[]): Promise<Map<string, Vector>>;
}
