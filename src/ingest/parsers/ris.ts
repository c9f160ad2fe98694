import { citationJs } from "../../corpus/citation-js.js";
import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { stripBom } from "../../corpus/fields.js";
import { cslToRecord } from "./csl.js";
import type { Parser } from "./types.js";

interface RisReader {
  plugins: { input: { chain(input: string, options: Record<string, unknown>): unknown } };
}

// "TY  - JOUR": a two-letter (or letter+digit) tag, two spaces, a dash. Some tools write one space.
const TAG = /^([A-Z][A-Z0-9])\s{1,2}-(?:\s(.*))?$/;

/**
 * RIS (Zotero, Mendeley, EndNote, publishers): split into records at "TY  -" / "ER  -" here, so each keeps
 * its line, and each read by citation-js's RIS plugin into CSL-JSON (which knows the tag variants tools write:
 * A1/AU, T1/TI, JF/JO/T2, Y1/PY/DA, N2/AB). The type as written (TY) and the ID tag are kept.
 */
export const parseRis: Parser = (text, file) => {
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  let current: { line: number; lines: string[]; type: string; id: string | null } | null = null;
  const lines = stripBom(text).split(/\r\n|\r|\n/);
  const finish = () => {
    if (!current) return;
    const entry = current;
    current = null;
    const label = entry.id ? ` (entry ${entry.id})` : "";
    let items: Array<Record<string, unknown>>;
    try {
      items = citationJs<RisReader>().plugins.input.chain(`${entry.lines.join("\n")}\nER  - \n`, { forceType: "@ris/file", generateGraph: false }) as Array<
        Record<string, unknown>
      >;
    } catch (error) {
      skipped.push({ file, line: entry.line, reason: `unreadable RIS record${label}: ${(error as Error).message.split("\n")[0]}` });
      return;
    }
    const item = items[0];
    const record = item ? cslToRecord(item, { file, line: entry.line, format: "ris" }, { key: false }) : null;
    if (!record) {
      skipped.push({ file, line: entry.line, reason: `no abstract (AB or N2) or title (TI or T1)${label}` });
      return;
    }
    record.entryType = entry.type;
    // The venue's full name before its abbreviation (JO, JA), which citation-js prefers: a conference paper's
    // proceedings (C3) before the conference (T2), a journal's full name (JF, T2).
    const tag = (name: string) => entry.lines.map((line) => new RegExp(`^${name}\\s{1,2}-\\s(.+)$`).exec(line)?.[1]?.trim()).find(Boolean);
    const full = /^(CONF|CPAPER)$/.test(entry.type) ? (tag("C3") ?? tag("T2")) : (tag("JF") ?? tag("T2"));
    if (full && entry.type !== "GEN") record.venue = full;
    if (entry.id) record.citationKey = entry.id;
    records.push(record);
  };
  for (const [i, raw] of lines.entries()) {
    // "ty - JOUR", "TI - …": tags as some tools write them, normalised to "TY  - " for the RIS reader.
    const tag = TAG.exec(raw.replace(/\s+$/, "").replace(/^([a-z][a-z0-9])(?=\s{1,2}-)/, (name) => name.toUpperCase()));
    const line = tag ? `${tag[1]}  - ${tag[2] ?? ""}`.trimEnd() : raw.replace(/\s+$/, "");
    if (tag?.[1] === "TY") {
      finish(); // a record without its "ER  -" ends where the next begins
      current = { line: i + 1, lines: [line], type: (tag[2] ?? "").trim(), id: null };
      continue;
    }
    if (!current) {
      if (line.trim() && tag) skipped.push({ file, line: i + 1, reason: `"${tag[1]}" tag outside a record (records start with "TY  -")` });
      continue;
    }
    if (tag?.[1] === "ER") {
      finish();
      continue;
    }
    if (tag?.[1] === "ID") current.id = (tag[2] ?? "").trim() || null;
    current.lines.push(line);
  }
  // A last record without its "ER  -" (a hand-edited or cut file) is still complete up to there.
  finish();
  skipped.sort((a, b) => a.line - b.line);
  return { records, skipped };
};
