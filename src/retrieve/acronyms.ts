import type { Chunk } from "../corpus/paper.js";
import { type AcronymTable, buildAcronymTable } from "../index/acronym-table.js";

export type { AcronymTable } from "../index/acronym-table.js";
export { buildAcronymTable as buildTable } from "../index/acronym-table.js";

const tables = new WeakMap<Chunk[], AcronymTable>();

/**
 * The table saved with the index version at ingest; for versions saved without one, built on first use from
 * the chunks (a scan of every chunk's text) and kept for that version.
 */
export function acronymsOf(index: { chunks: Chunk[]; acronyms?: AcronymTable | null }): AcronymTable {
  if (index.acronyms) return index.acronyms;
  let table = tables.get(index.chunks);
  if (!table) {
    table = buildAcronymTable(index.chunks.map((chunk) => chunk.text));
    tables.set(index.chunks, table);
  }
  return table;
}
