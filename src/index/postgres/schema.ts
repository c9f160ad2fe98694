import type pg from "pg";
import { missingPgvector, PostgresStoreError } from "./errors.js";
import { settings } from "../../settings.js";

/**
 * Layout of an index in PostgreSQL (all tables prefixed citewise_, in the connection's search_path schema):
 * - citewise_meta: one row per database: schema version, index version (bumped by every publish), the
 *   manifest (jsonb), the order of records/papers/chunks (text[] of ids) and the BM25 index (bytea).
 * - citewise_records / citewise_papers / citewise_chunks: one immutable row each, keyed by id; a publish
 *   only deletes rows that went away and inserts new ones. Order lives in citewise_meta so that inserting
 *   one paper does not renumber (rewrite) every row after it.
 * Row payloads are `json`, not `jsonb`: json keeps key order, and ingest compares papers by their JSON text.
 */
export const SCHEMA_VERSION = 1;
export const HNSW_INDEX = "citewise_chunks_embedding_hnsw";
/** pgvector limits: a vector column holds up to 16000 dimensions, an HNSW index up to 2000. */
const MAX_DIMENSION = 16000;
const MAX_HNSW_DIMENSION = 2000;

export interface VersionState {
  /** 0 when no index has been published in this database yet. */
  version: number;
}

export async function readVersion(client: pg.PoolClient): Promise<VersionState> {
  const present = await client.query<{ present: boolean }>("SELECT to_regclass('citewise_meta') IS NOT NULL AS present");
  if (!present.rows[0]?.present) return { version: 0 };
  const { rows } = await client.query<{ version: number; schema_version: number }>("SELECT version::float8 AS version, schema_version FROM citewise_meta");
  const row = rows[0];
  if (!row) return { version: 0 };
  if (row.schema_version !== SCHEMA_VERSION) {
    throw new PostgresStoreError(
      `the citewise tables use schema version ${row.schema_version}, this citewise reads version ${SCHEMA_VERSION}; upgrade citewise or re-ingest into another database`,
    );
  }
  return { version: row.version };
}

/** Enables pgvector if it is not yet enabled in this database; a clear error when the server lacks it. */
export async function ensurePgvector(client: pg.PoolClient, location: string): Promise<void> {
  const enabled = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
  if (enabled.rowCount) return;
  try {
    await client.query("CREATE EXTENSION IF NOT EXISTS vector");
  } catch (error) {
    // A server-side refusal carries a five-character SQLSTATE; anything else (a dropped connection) passes through.
    if (/^[0-9A-Z]{5}$/.test((error as { code?: string }).code ?? "")) throw missingPgvector(error, location);
    throw error;
  }
}

export function assertDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new PostgresStoreError(`cannot store ${dimension}-dimensional vectors: pgvector columns hold 1 to ${MAX_DIMENSION} dimensions`);
  }
}

/** Creates the tables on first publish (idempotent; publishers hold an advisory lock, so no race). */
export async function createTables(client: pg.PoolClient, dimension: number): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS citewise_meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    schema_version integer NOT NULL,
    version bigint NOT NULL,
    manifest jsonb NOT NULL,
    record_order text[] NOT NULL,
    paper_order text[] NOT NULL,
    chunk_order text[] NOT NULL,
    keyword bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now())`);
  await client.query("CREATE TABLE IF NOT EXISTS citewise_records (id text PRIMARY KEY, fingerprint text NOT NULL, data json NOT NULL)");
  await client.query("CREATE TABLE IF NOT EXISTS citewise_papers (id text PRIMARY KEY, fingerprint text NOT NULL, data json NOT NULL)");
  await createChunksTable(client, dimension);
}

async function createChunksTable(client: pg.PoolClient, dimension: number): Promise<void> {
  assertDimension(dimension);
  await client.query(`CREATE TABLE IF NOT EXISTS citewise_chunks (
    id text PRIMARY KEY,
    paper_id text NOT NULL,
    position integer NOT NULL,
    content_hash text NOT NULL,
    fingerprint text NOT NULL,
    data json NOT NULL,
    embedding vector(${dimension}) NOT NULL)`);
  await client.query("CREATE INDEX IF NOT EXISTS citewise_chunks_paper_id ON citewise_chunks (paper_id)");
}

/**
 * A vector column has one dimension. Switching to an embedder of another dimension (ingest --rebuild)
 * drops and recreates the chunks table with the new vector(<dim>) column; its rows are all re-inserted.
 */
export async function ensureDimension(client: pg.PoolClient, dimension: number): Promise<void> {
  const { rows } = await client.query<{ dimension: number }>(
    "SELECT atttypmod AS dimension FROM pg_attribute WHERE attrelid = 'citewise_chunks'::regclass AND attname = 'embedding' AND NOT attisdropped",
  );
  if (rows[0]?.dimension === dimension) return;
  await client.query("DROP TABLE citewise_chunks");
  await createChunksTable(client, dimension);
}

export function hnswMinChunks(): number {
  return settings().postgres.hnswMinChunks;
}

export async function hasHnswIndex(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('${HNSW_INDEX}') IS NOT NULL AS present`);
  return rows[0]?.present ?? false;
}

/**
 * Large tables get an HNSW index (approximate, fast); small ones keep exact sequential-scan search and
 * lose the index if they shrink below the threshold.
 */
export async function updateHnswIndex(client: pg.PoolClient, chunks: number, dimension: number): Promise<void> {
  const wanted = chunks >= hnswMinChunks() && dimension <= MAX_HNSW_DIMENSION;
  const present = await hasHnswIndex(client);
  if (wanted && !present) await client.query(`CREATE INDEX ${HNSW_INDEX} ON citewise_chunks USING hnsw (embedding vector_cosine_ops)`);
  if (!wanted && present) await client.query(`DROP INDEX ${HNSW_INDEX}`);
}
