import type pg from "pg";

/** One row as the new version wants it; `values` (every column, id and fingerprint first) is computed only if the row is inserted. */
export interface WantedRow {
  id: string;
  /** Hash of everything stored in the row: a different fingerprint means the row is replaced. */
  fingerprint: string;
  values: () => unknown[];
}

export interface RowColumn {
  name: string;
  /** Type of the array parameter that carries the column (text, integer). */
  arrayType: string;
  /** Cast from that type to the column type (json, vector), if any. */
  cast?: string;
}

/** Rows go to the server in multi-row statements of at most this many rows or (roughly) bytes. */
const BATCH_ROWS = 1000;
const BATCH_BYTES = 8 << 20;

export interface SyncCounts {
  inserted: number;
  deleted: number;
  kept: number;
}

/**
 * Makes `table` hold exactly `rows`: rows with an unchanged id and fingerprint stay untouched, the rest
 * are deleted and (re)inserted. The first two columns are always id and fingerprint.
 */
export async function syncRows(client: pg.PoolClient, table: string, columns: RowColumn[], rows: WantedRow[]): Promise<SyncCounts> {
  const wanted = new Map<string, WantedRow>();
  for (const row of rows) {
    if (wanted.has(row.id)) throw new Error(`duplicate id ${row.id} in ${table}`);
    wanted.set(row.id, row);
  }
  const existing = await client.query<{ id: string; fingerprint: string }>(`SELECT id, fingerprint FROM ${table}`);
  const stale: string[] = [];
  const kept = new Set<string>();
  for (const { id, fingerprint } of existing.rows) {
    if (wanted.get(id)?.fingerprint === fingerprint) kept.add(id);
    else stale.push(id);
  }
  if (stale.length) await client.query(`DELETE FROM ${table} WHERE id = ANY($1::text[])`, [stale]);
  const fresh = rows.filter((row) => !kept.has(row.id));
  await insertRows(client, table, columns, fresh);
  return { inserted: fresh.length, deleted: stale.length, kept: kept.size };
}

/** INSERT … SELECT FROM unnest($1, $2, …): one round trip per batch instead of one per row. */
async function insertRows(client: pg.PoolClient, table: string, columns: RowColumn[], rows: WantedRow[]): Promise<void> {
  const names = columns.map((column) => column.name).join(", ");
  const params = columns.map((column, i) => `$${i + 1}::${column.arrayType}[]`).join(", ");
  const select = columns.map((column) => (column.cast ? `${column.name}::${column.cast}` : column.name)).join(", ");
  const sql = `INSERT INTO ${table} (${names}) SELECT ${select} FROM unnest(${params}) AS u(${names})`;
  let batch: unknown[][] = columns.map(() => []);
  let count = 0;
  let bytes = 0;
  const flush = async () => {
    if (count) await client.query(sql, batch);
    batch = columns.map(() => []);
    count = 0;
    bytes = 0;
  };
  for (const row of rows) {
    row.values().forEach((value, i) => {
      batch[i]!.push(value);
      if (typeof value === "string") bytes += value.length;
    });
    count++;
    if (count >= BATCH_ROWS || bytes >= BATCH_BYTES) await flush();
  }
  await flush();
}
