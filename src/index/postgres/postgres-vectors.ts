import type pg from "pg";
import { settings } from "../../settings.js";
import type { QueryOptions, Vector, VectorHit, VectorStore } from "../store.js";
import { fromVectorBinary, toVectorLiteral } from "./vector-codec.js";

/** How the store reads, always checked against the index version it was opened on (see PostgresStorage). */
export interface VersionedReader {
  /** Several statements in one read-only snapshot. */
  transaction<T>(query: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** One statement whose rows carry `version` (selected as `VERSION`). */
  statement<R>(sql: string, params: unknown[]): Promise<R[]>;
}

/** Selected by every single-statement read; one snapshot covers it and the rows. */
const VERSION = "(SELECT version::float8 FROM citewise_meta) AS version";
/** pgvector's HNSW returns at most ef_search rows (1000 at most); larger k and filters scan exactly. */
const MAX_EF_SEARCH = 1000;

/**
 * Chunk vectors in citewise_chunks, searched by cosine distance (`<=>`) in the database. Without an HNSW
 * index the server scans every row, which is exact: the same chunks as the local brute-force store.
 */
export class PostgresVectorStore implements VectorStore {
  private ids: Promise<string[]> | null = null;

  constructor(
    private readonly reader: VersionedReader,
    readonly size: number,
    /** An HNSW index exists (large tables): unfiltered queries are approximate. */
    private readonly approximate: boolean,
  ) {}

  async query(vector: Vector, k: number, allowed?: (id: string) => boolean, options: QueryOptions = {}): Promise<VectorHit[]> {
    if (this.size === 0 || k <= 0) return [];
    // Filters are predicates over chunk ids: apply them here and let the server rank only those ids.
    const candidates = allowed ? (await this.allIds()).filter(allowed) : null;
    if (candidates?.length === 0) return [];
    const sql =
      `SELECT ${VERSION}, id, embedding <=> $1::vector AS distance FROM citewise_chunks ` +
      `${candidates ? "WHERE id = ANY($3::text[]) " : ""}ORDER BY embedding <=> $1::vector LIMIT $2`;
    const params = candidates ? [toVectorLiteral(vector), k, candidates] : [toVectorLiteral(vector), k];
    type Row = { id: string; distance: number };
    const exact = options.exact ?? settings().search.exact;
    const rows = this.approximate
      ? await this.reader.transaction(async (client) => {
          // With a filter or a large k the HNSW scan could return too few rows: fall back to an exact scan.
          if (exact || candidates || k > MAX_EF_SEARCH) await client.query("SET LOCAL enable_indexscan = off");
          else await client.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, k)}`);
          return (await client.query<Row>(sql, params)).rows;
        })
      : await this.reader.statement<Row>(sql, params);
    return rows.map((row) => ({ id: row.id, score: 1 - row.distance }));
  }

  async vectorsFor(ids: string[]): Promise<Map<string, Vector>> {
    if (ids.length === 0) return new Map();
    const rows = await this.reader.statement<{ id: string; vector: Buffer }>(
      `SELECT ${VERSION}, id, vector_send(embedding) AS vector FROM citewise_chunks WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, fromVectorBinary(row.vector)]));
  }

  async vectorsByContentHash(): Promise<Map<string, Vector>> {
    if (this.size === 0) return new Map();
    const rows = await this.reader.statement<{ content_hash: string; vector: Buffer }>(
      `SELECT ${VERSION}, content_hash, vector_send(embedding) AS vector FROM citewise_chunks`,
      [],
    );
    return new Map(rows.map((row) => [row.content_hash, fromVectorBinary(row.vector)]));
  }

  private allIds(): Promise<string[]> {
    this.ids ??= this.reader
      .statement<{ id: string }>(`SELECT ${VERSION}, id FROM citewise_chunks`, [])
      .then((rows) => rows.map((row) => row.id))
      .catch((error) => {
        this.ids = null; // a failed load is retried by the next filtered query
        throw error;
      });
    return this.ids;
  }
}
