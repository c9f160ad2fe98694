import { acronymDefinitions } from "../text/acronyms.js";
import { keywordTerms } from "../text/tokenize.js";

/** What the corpus's own definitions say each abbreviation stands for, as keyword terms. */
export interface AcronymTable {
  /** "llm" → ["larg", "languag", "model"]. */
  expansions: Map<string, string[]>;
  /** The same pairs from the long side, for queries that spell the long form out. */
  abbreviations: Array<{ long: string[]; short: string }>;
}

/**
 * Bumped when buildAcronymTable changes: a table saved by an ingest with another version is ignored and
 * rebuilt from the chunks on first use (as for versions saved before tables were).
 */
export const ACRONYM_TABLE_VERSION = 1;

/** Built from every chunk's text at ingest (saved with the version as acronyms.json), or on first use. */
export function buildAcronymTable(texts: Iterable<string>): AcronymTable {
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
  const pairs: Array<[string, string[]]> = [];
  for (const [short, counts] of senses) {
    const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const total = ranked.reduce((sum, [, count]) => sum + count, 0);
    const [key, count] = ranked[0]!;
    if (count * 2 < total) continue;
    pairs.push([short, key.split(" ")]);
  }
  return tableOf(pairs);
}

function tableOf(pairs: Array<[string, string[]]>): AcronymTable {
  return { expansions: new Map(pairs), abbreviations: pairs.map(([short, long]) => ({ long, short })) };
}

/** acronyms.json: the pairs in the order they were found (abbreviations keep that order). */
export function acronymTableToJson(table: AcronymTable): string {
  return JSON.stringify({ version: ACRONYM_TABLE_VERSION, pairs: [...table.expansions] });
}

/** null when the file was saved by another version of the table builder (it is then rebuilt). */
export function acronymTableFromJson(bytes: Uint8Array): AcronymTable | null {
  const value = JSON.parse(Buffer.from(bytes).toString("utf8")) as { version?: unknown; pairs?: unknown };
  if (value.version !== ACRONYM_TABLE_VERSION) return null;
  const valid =
    Array.isArray(value.pairs) &&
    value.pairs.every(
      (pair) =>
        Array.isArray(pair) && typeof pair[0] === "string" && Array.isArray(pair[1]) && (pair[1] as unknown[]).every((term) => typeof term === "string"),
    );
  if (!valid) throw new Error("not an acronym table");
  return tableOf(value.pairs as Array<[string, string[]]>);
}
