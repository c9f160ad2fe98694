import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { normalizeForHash, sha1 } from "../corpus/ids.js";
import type { RawRecord, SourceRef } from "../corpus/paper.js";
import type { ParsedInputs } from "./parse-files.js";
import { isInside } from "./read-source.js";

/** Previous records of a file kept although the file was read again, and why (shown in the ingest report). */
export interface KeptRecords {
  file: string;
  papers: number;
  reason: string;
}

/** Records that left the index, and why (a paper leaves only when the user removed it or its file). */
export interface DroppedSource {
  key: string;
  reason: string;
}

/** The file a record came from, as one key for every working folder: its real path (or, for records written before paths were kept, its name). */
export function sourceKey(source: SourceRef): string {
  return source.path ?? path.resolve(source.file);
}

/** Resolves a file the user names (e.g. papers remove --source) to the key its records carry. */
export function keyForFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/**
 * The records of the new version: for every file read this time, its records replace the previous ones —
 * unless the file now has problems. Bad input never removes a paper that was indexed from it before:
 * - a file that cannot be read any more keeps all its previous records;
 * - a file read with another format than before (e.g. --format plaintext on a .bib) keeps its previous
 *   records and contributes nothing new (re-reading it another way would replace real papers with junk);
 * - a file with records that no longer parse keeps every previous record the new parse does not contain.
 * Records of files not read this time stay, except those of a file gone from a folder being ingested
 * (the user removed it).
 */
export function mergeRecords(previous: RawRecord[], parsed: ParsedInputs): { records: RawRecord[]; kept: KeptRecords[]; dropped: DroppedSource[] } {
  const previousByFile = groupBy(previous, (record) => sourceKey(record.source));
  const freshByFile = groupBy(parsed.records, (record) => sourceKey(record.source));
  const skipsByDisplay = groupBy(parsed.skipped, (skip) => skip.file);
  const records: RawRecord[] = [];
  const kept: KeptRecords[] = [];
  const dropped: DroppedSource[] = [];
  const read = new Set(parsed.files.map((file) => file.path));

  for (const [key, group] of previousByFile) {
    if (read.has(key)) continue;
    if (!existsSync(key) && parsed.folders.some((folder) => isInside(key, folder))) {
      dropped.push({ key, reason: `its file ${group[0]!.source.file} is gone from the folder being ingested` });
      continue;
    }
    for (const record of group) records.push(record);
  }

  for (const file of parsed.files) {
    const before = previousByFile.get(file.path) ?? [];
    const fresh = freshByFile.get(file.path) ?? [];
    const problems = skipsByDisplay.get(file.file) ?? [];
    const keep = (records_: RawRecord[], reason: string) => {
      for (const record of records_) records.push(record);
      if (records_.length) kept.push({ file: file.file, papers: records_.length, reason });
    };
    if (before.length === 0) {
      for (const record of fresh) records.push(record);
      continue;
    }
    if (file.format === null) {
      keep(before, problems[0]?.reason ?? "it could not be read");
      continue;
    }
    const formatBefore = before[0]!.source.format;
    if (file.format !== formatBefore) {
      keep(
        before,
        `it was read as ${formatBefore} before and as ${file.format} now, so it was not re-read (to read it another way, first run "citewise papers remove --source ${file.file}")`,
      );
      continue;
    }
    for (const record of fresh) records.push(record);
    if (problems.length === 0) continue; // a clean file is the truth: what is gone from it, the user removed
    const present = new Set(fresh.flatMap(identityKeys));
    const missing = before.filter((record) => !identityKeys(record).some((identity) => present.has(identity)));
    const first = problems[0]!;
    keep(missing, `${first.line ? `line ${first.line}` : "the file"} no longer parses (${first.reason}); fix it and ingest the file again`);
  }
  return { records, kept, dropped };
}

/** What makes two records the same paper across edits of a file: title, abstract, arXiv id or DOI. */
function identityKeys(record: RawRecord): string[] {
  const keys = [`abs:${sha1(normalizeForHash(record.abstract), 16)}`];
  if (record.title) keys.push(`title:${normalizeForHash(record.title)}`);
  if (record.arxivId) keys.push(`arxiv:${record.arxivId}`);
  if (record.doi) keys.push(`doi:${record.doi.toLowerCase()}`);
  return keys;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Records without the ones a removal names: papers by id (every place they were found), or whole source files. */
export function withoutRemoved(records: RawRecord[], removal: { sources: Set<string>; locations: Set<string> }): { records: RawRecord[]; removed: number } {
  const remaining = records.filter((record) => !removal.sources.has(sourceKey(record.source)) && !removal.locations.has(locationKey(record.source)));
  return { records: remaining, removed: records.length - remaining.length };
}

export function locationKey(source: SourceRef): string {
  return `${sourceKey(source)}:${source.line}`;
}
