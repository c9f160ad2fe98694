import { TopK } from "../top-k.js";
import type { Vector, VectorHit, VectorStore } from "../store.js";

export interface VectorRow {
  id: string;
  paperId: string;
  contentHash: string;
}

/**
 * All live vectors of a local index in one Float32Array (row-major), searched exactly by brute force.
 * 4 bytes per dimension instead of vectra's JSON numbers: 100k x 512-d is 200 MB and ~50 ms per query.
 */
export class MatrixVectorStore implements VectorStore {
  private readonly rowById: Map<string, number>;

  constructor(
    private readonly rows: VectorRow[],
    private readonly matrix: Float32Array,
    readonly dimension: number,
  ) {
    this.rowById = new Map(rows.map((row, i) => [row.id, i]));
  }

  get size(): number {
    return this.rows.length;
  }

  private vectorAt(row: number): Float32Array {
    return this.matrix.subarray(row * this.dimension, (row + 1) * this.dimension);
  }

  async query(vector: Vector, k: number, allowed?: (id: string) => boolean): Promise<VectorHit[]> {
    const { matrix, dimension, rows } = this;
    const query = Float32Array.from(vector);
    const best = new TopK<number>(k);
    for (let row = 0, offset = 0; row < rows.length; row++, offset += dimension) {
      if (allowed && !allowed(rows[row]!.id)) continue;
      let score = 0;
      for (let j = 0; j < dimension; j++) score += query[j]! * matrix[offset + j]!;
      best.push(row, score);
    }
    return best.sorted().map(({ item, score }) => ({ id: rows[item]!.id, score }));
  }

  async vectorsFor(ids: string[]): Promise<Map<string, Vector>> {
    const found = new Map<string, Vector>();
    for (const id of ids) {
      const row = this.rowById.get(id);
      if (row !== undefined) found.set(id, this.vectorAt(row));
    }
    return found;
  }

  async vectorsByContentHash(): Promise<Map<string, Vector>> {
    return new Map(this.rows.map((row, i) => [row.contentHash, this.vectorAt(i)]));
  }
}
