import { createHash } from "node:crypto";
import path from "node:path";
import pg from "pg";
import type { Chunk, Paper, RawRecord } from "../../corpus/paper.js";
import { Bm25Index } from "../bm25.js";
import type { IndexManifest } from "../manifest.js";
import { hidePassword, IndexCorruptError, IndexLockedError, type IndexContents, type IndexStorage } from "../storage.js";
import type { Vector, VectorStore } from "../store.js";
import { describePgError, PostgresStoreError } from "./errors.js";
import { redactKnownSecrets, registerSecret, urlSecrets } from "../../llm/redact.js";
import { PostgresVectorStore } from "./postgres-vectors.js";
import {
  assertDimension,
  createTables,
  ensureDimension,
  ensurePgvector,
  hasHnswIndex,
  readVersion,
  SCHEMA_VERSION,
  updateHnswIndex,
  type VersionState,
} from "./schema.js";
import { syncRows, type WantedRow } from "./sync-rows.js";
import { toVectorLiteral } from "./vector-codec.js";
import { settings } from "../../settings.js";

/** Publishers of one database take this advisory lock, so two ingests never interleave their writes. */
const PUBLISH_LOCK = 0x63697465; // "cite"
/** Held (session-level) for a whole ingest, so a second ingest fails at once instead of after embedding. */
const INGEST_LOCK = 0x63697466;

export interface PostgresStorageOptions {
  /** Connections kept by the pool (default 4; citewise issues one query at a time per storage). */
  maxConnections?: number;
}

/**
 * The PostgreSQL + pgvector backend. Every read runs in a REPEATABLE READ snapshot and checks that the
 * index version is the one this storage first saw, so a command never mixes two versions; publish()
 * replaces the version in one transaction (readers see the old or the new index, a failure rolls back).
 */
export class PostgresStorage implements IndexStorage {
  /** Index version seen by the first read (0 = none yet); undefined until something was read. */
  private pinned: number | undefined;
  private closed = false;
  readonly notices: string[] = [];

  private constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  /** Opens a pool and checks that the server answers, so a wrong URL fails at once with a clear message. */
  static async connect(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const location = hidePassword(url);
    for (const secret of urlSecrets(url)) registerSecret(secret);
    assertUnambiguousUrl(url, location);
    let pool: pg.Pool;
    try {
      pool = new pg.Pool({
        connectionString: url,
        max: options.maxConnections ?? 4,
        // CLI commands exit even when a code path forgets close().
        allowExitOnIdle: true,
        connectionTimeoutMillis: 15_000,
        application_name: "citewise",
      });
    } catch (error) {
      throw new PostgresStoreError(`invalid PostgreSQL URL ${location}: ${(error as Error).message}`);
    }
    // An idle pooled connection that drops emits 'error' on the pool; unhandled, it would crash the process.
    pool.on("error", () => {});
    const storage = new PostgresStorage(pool, location);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end().catch(() => {});
      throw storage.explain(error);
    }
    return storage;
  }

  async readManifest(): Promise<IndexManifest | null> {
    return this.read(async (client, state) => {
      if (!state.version) return null;
      const { rows } = await client.query<{ manifest: IndexManifest }>("SELECT manifest FROM citewise_meta");
      return rows[0]?.manifest ?? null;
    });
  }

  async readRecords(): Promise<RawRecord[]> {
    return this.readOrdered<RawRecord>("citewise_records", "record_order");
  }

  async readPapers(): Promise<Paper[]> {
    return this.readOrdered<Paper>("citewise_papers", "paper_order");
  }

  async readChunks(): Promise<Chunk[]> {
    return this.readOrdered<Chunk>("citewise_chunks", "chunk_order");
  }

  async readKeywordIndex(): Promise<Bm25Index | null> {
    return this.read(async (client, state) => {
      if (!state.version) return null;
      const { rows } = await client.query<{ keyword: Buffer }>("SELECT keyword FROM citewise_meta");
      const bytes = rows[0]?.keyword;
      if (!bytes) return null;
      try {
        return Bm25Index.fromBinary(bytes);
      } catch (error) {
        throw new IndexCorruptError(`the keyword index in ${this.location} is unreadable (${(error as Error).message}); re-run ingest with --rebuild`);
      }
    });
  }

  async openVectors(): Promise<VectorStore> {
    const { size, approximate } = await this.read(async (client, state) => {
      if (!state.version) return { size: 0, approximate: false };
      const { rows } = await client.query<{ size: number }>("SELECT count(*)::int AS size FROM citewise_chunks");
      return { size: rows[0]?.size ?? 0, approximate: await hasHnswIndex(client) };
    });
    return new PostgresVectorStore(
      { transaction: (query) => this.read((client) => query(client)), statement: (sql, params) => this.readStatement(sql, params) },
      size,
      approximate,
    );
  }

  async publish(contents: IndexContents): Promise<void> {
    const { manifest } = contents;
    const dimension = manifest.embedder.dimension;
    assertDimension(dimension);
    const vectorById = new Map<string, Vector>(contents.vectors.map((stored) => [stored.id, stored.vector]));
    const published = await this.withClient(async (client) => {
      await client.query("BEGIN");
      try {
        await client.query("SELECT pg_advisory_xact_lock($1)", [PUBLISH_LOCK]);
        await ensurePgvector(client, this.location);
        await createTables(client, dimension);
        const { version } = await readVersion(client);
        if (this.pinned !== undefined && version !== this.pinned) {
          throw new PostgresStoreError(`another ingest published a new version of the index in ${this.location} while this one ran; run ingest again`);
        }
        await ensureDimension(client, dimension);
        // Same dimension, other model: every stored vector is in the wrong space.
        const previous = version
          ? (await client.query<{ name: string }>("SELECT manifest->'embedder'->>'name' AS name FROM citewise_meta")).rows[0]
          : undefined;
        if (previous && previous.name !== manifest.embedder.name) await client.query("DELETE FROM citewise_chunks");

        const records = keyedRecords(contents.records);
        await syncRows(
          client,
          "citewise_records",
          [text("id"), text("fingerprint"), json("data")],
          records.map(({ id, json }) => ({ id, fingerprint: id, values: () => [id, id, json] })),
        );
        await syncRows(
          client,
          "citewise_papers",
          [text("id"), text("fingerprint"), json("data")],
          contents.papers.map((paper) => jsonRow(paper.id, paper)),
        );
        await syncRows(
          client,
          "citewise_chunks",
          [
            text("id"),
            text("fingerprint"),
            text("paper_id"),
            { name: "position", arrayType: "integer" },
            text("content_hash"),
            json("data"),
            { name: "embedding", arrayType: "text", cast: "vector" },
          ],
          contents.chunks.map((chunk) => chunkRow(chunk, vectorById)),
        );
        await client.query(
          `INSERT INTO citewise_meta (singleton, schema_version, version, manifest, record_order, paper_order, chunk_order, keyword, updated_at)
           VALUES (true, $1, $2, $3::jsonb, $4::text[], $5::text[], $6::text[], $7, now())
           ON CONFLICT (singleton) DO UPDATE SET schema_version = EXCLUDED.schema_version, version = EXCLUDED.version, manifest = EXCLUDED.manifest,
             record_order = EXCLUDED.record_order, paper_order = EXCLUDED.paper_order, chunk_order = EXCLUDED.chunk_order,
             keyword = EXCLUDED.keyword, updated_at = EXCLUDED.updated_at`,
          [
            SCHEMA_VERSION,
            version + 1,
            JSON.stringify(manifest),
            records.map((record) => record.id),
            contents.papers.map((paper) => paper.id),
            contents.chunks.map((chunk) => chunk.id),
            toBuffer(contents.keyword.toBinary()),
          ],
        );
        await updateHnswIndex(client, contents.chunks.length, dimension);
        await client.query("COMMIT");
        return version + 1;
      } catch (error) {
        // Nothing of this publish becomes visible; on a dead connection the server rolls back by itself.
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    });
    this.pinned = published;
  }

  /** Outside the index: the database holds no half-done ingest, the journal stays on this machine. */
  get journalFile(): string {
    return path.join(settings().postgres.journalDir, `pending-vectors-${createHash("sha1").update(this.location).digest("hex").slice(0, 16)}.jsonl`);
  }

  async lockForWriting(): Promise<() => Promise<void>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.explain(error);
    }
    client.on("error", () => {});
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [INGEST_LOCK]);
    if (!rows[0]?.locked) {
      client.release();
      throw new IndexLockedError(`another citewise ingest is writing the index in ${this.location}; wait for it to finish`);
    }
    // A killed process loses its connection, and the server drops the session lock with it.
    return async () => {
      await client.query("SELECT pg_advisory_unlock($1)", [INGEST_LOCK]).catch(() => {});
      client.release();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs `query` in one read-only snapshot after checking the index version (see the class comment). */
  private read<T>(query: (client: pg.PoolClient, state: VersionState) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      try {
        const state = await readVersion(client);
        this.checkVersion(state.version);
        const result = await query(client, state);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    });
  }

  /**
   * One statement without a transaction (one round trip for hot queries): its own snapshot covers the
   * `version` column it selects first, `(SELECT version FROM citewise_meta) AS version`.
   */
  private async readStatement<R>(sql: string, params: unknown[]): Promise<R[]> {
    const rows = await this.withClient(async (client) => (await client.query(sql, params)).rows as (R & { version: number })[]);
    if (rows[0]) this.checkVersion(rows[0].version);
    else await this.read(async () => undefined); // no row to carry the version: check it separately
    return rows;
  }

  private checkVersion(version: number): void {
    if (this.pinned === undefined) this.pinned = version;
    else if (version !== this.pinned) {
      throw new PostgresStoreError(`the index in ${this.location} was replaced by another ingest while this command was using it; run the command again`);
    }
  }

  private async readOrdered<T>(table: string, orderColumn: string): Promise<T[]> {
    return this.read(async (client, state) => {
      if (!state.version) return [];
      const order = (await client.query<{ ids: string[] }>(`SELECT ${orderColumn} AS ids FROM citewise_meta`)).rows[0]?.ids ?? [];
      const { rows } = await client.query<{ id: string; data: T }>(`SELECT id, data FROM ${table}`);
      const byId = new Map(rows.map((row) => [row.id, row.data]));
      return order.map((id) => {
        const row = byId.get(id);
        if (row === undefined) throw new IndexCorruptError(`${table} in ${this.location} lacks row ${id}; re-run ingest with --rebuild`);
        return row;
      });
    });
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`the connection to ${this.location} is closed`);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.explain(error);
    }
    // A connection that drops mid-query rejects the query and also emits 'error' on the client, which
    // would crash the process if nobody listened; the rejected query already reports it.
    const ignore = () => {};
    client.on("error", ignore);
    let failed = false;
    try {
      return await work(client);
    } catch (error) {
      failed = true;
      throw this.explain(error);
    } finally {
      client.off("error", ignore);
      // A client that saw an error may be mid-transaction or disconnected: discard it instead of reusing it.
      client.release(failed);
    }
  }

  /** One-line message for connection and setup problems; never lets the password through. */
  private explain(error: unknown): unknown {
    const described = describePgError(error, this.location);
    if (described instanceof Error) described.message = redactKnownSecrets(described.message);
    return described;
  }
}

/**
 * "postgres://ann:p@ss/w0rd#x@host/db": the driver reads password "p", host "ss" and database "w0rd", so the
 * user would connect somewhere else with part of the password shown as a host name. Refused, with the fix.
 */
function assertUnambiguousUrl(url: string, location: string): void {
  const authority = /^[a-z]+:\/\/([^?]*)@/i.exec(url)?.[1];
  if (authority && /[@/#]/.test(authority)) {
    throw new PostgresStoreError(
      `the user or password in the PostgreSQL URL ${location} contains an unencoded "@", "/" or "#"; percent-encode it (@ → %40, / → %2F, # → %23)`,
    );
  }
}

function fingerprint(json: string): string {
  return createHash("sha256").update(json).digest("base64url").slice(0, 22);
}

/** Records have no id: a record is keyed by the hash of its JSON (plus a counter for exact duplicates). */
function keyedRecords(records: RawRecord[]): { id: string; json: string }[] {
  const seen = new Map<string, number>();
  return records.map((record) => {
    const json = JSON.stringify(record);
    const hash = fingerprint(json);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return { id: n === 1 ? hash : `${hash}:${n}`, json };
  });
}

function jsonRow(id: string, value: unknown): WantedRow {
  const json = JSON.stringify(value);
  const hash = fingerprint(json);
  return { id, fingerprint: hash, values: () => [id, hash, json] };
}

/** A chunk's vector follows from its text (content hash) and the embedder, both covered by the fingerprint or a reset. */
function chunkRow(chunk: Chunk, vectors: Map<string, Vector>): WantedRow {
  const json = JSON.stringify(chunk);
  const hash = fingerprint(json);
  return {
    id: chunk.id,
    fingerprint: hash,
    values: () => {
      const vector = vectors.get(chunk.id);
      if (!vector) throw new Error(`no vector for chunk ${chunk.id}`);
      return [chunk.id, hash, chunk.paperId, chunk.index, chunk.contentHash, json, toVectorLiteral(vector)];
    },
  };
}

function text(name: string) {
  return { name, arrayType: "text" };
}

function json(name: string) {
  return { name, arrayType: "text", cast: "json" };
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
