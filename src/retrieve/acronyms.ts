import type { Chunk } from "../corpus/paper.js";
import { acronymDefinitions } from "../text/acronyms.js";
import { keywordTerms } from "../text/tokenize.js";

/** What the corpus's own definitions say each abbreviation stands for, as keyword terms. */
export interface AcronymTable {
  /** "llm" → ["larg", "languag", "model"]. */
  expansions: Map<string, string[]>;
  /** The same pairs from the long side, for queries that spell the long form out. */
  abbreviations: Array<{ long: string[]; short: string }>;
}

const tables = new WeakMap<Chunk[], AcronymTable>();

/** Built on first use from the chunks of an index version and kept for that version. */
export function acronymsOf(chunks: Chunk[]): AcronymTable {
  let table = tables.get(chunks);
  if (!table) {
    table = buildTable(chunks.map((chunk) => chunk.text));
    tables.set(chunks, table);
  }
  return table;
}

export function buildTable(texts: string[]): AcronymTable {
  // short term → long terms joined → times defined so; the usual sense wins, an ambiguous one is dropped.
  const senses = new Map<string, Map<string, number>>();
  for (const text of texts) {
    if (!text.includes("(")) continue;
    for (const { short, long } of acronymDefinitions(text)) {
      const shortTerm = keywordTerms(short)[0];
      const longTerms = [...new Set(keywordTerms(long))];
      if (!shortTerm || longTerms.length < 2 || longTerms.includes(shortTerm)) continue;
      const counts = senses.get(shortTerm) ?? new Map<string, number>();
      const key = longTerms.join(" ");
      counts.set(key, (counts.get(key) ?? 0) + 1);
      senses.set(shortTerm, counts);
    }
  }
  const expansions = new Map<string, string[]>();
  const abbreviations: AcronymTable["abbreviations"] = [];
  for (const [short, counts] of senses) {
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const total = ranked.reduce((sum, [, count]) => sum + count, 0);
    const [key, count] = ranked[0]!;
    if (count * 2 < total) continue;
    const long = key.split(" ");
    expansions.set(short, long);
    abbreviations.push({ long, short });
  }
  return { expansions, abbreviations };
}
