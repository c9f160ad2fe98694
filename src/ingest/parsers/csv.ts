import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import type { Parser } from "./types.js";
import { cleanDoi, stripBom, yearIn } from "../../corpus/fields.js";

interface Row {
  fields: string[];
  /** Line where the row starts; a quoted field may carry it over several lines. */
  line: number;
  /** True when a quoted field was still open at end of file. */
  unterminated: boolean;
  /**
   * Line of a quoted field that ran over a line break and was followed by stray text after its closing
   * quote: the mark of a missing closing quote that swallowed the rows after it.
   */
  swallowedFrom?: number;
}

/** Header aliases, matched case-insensitively with spaces/dashes read as "_". */
// Zotero's CSV export names its columns "Abstract Note", "Publication Year", "Publication Title", "Url",
// "Item Type", "Key", "Manual Tags" and "Automatic Tags", and writes authors "Last, First; Last, First".
const COLUMNS = {
  title: ["title"],
  abstract: ["abstract", "summary", "text", "abstract_note"],
  authors: ["authors", "author"],
  year: ["year", "publication_year"],
  date: ["date", "published", "publication_date"],
  id: ["id", "arxiv_id", "arxivid", "arxiv"],
  doi: ["doi"],
  categories: ["categories", "keywords", "manual_tags"],
  automaticTags: ["automatic_tags"],
  venue: ["venue", "journal", "publication_title", "proceedings_title", "conference_name"],
  url: ["url", "link"],
  entryType: ["item_type", "type", "entry_type"],
  key: ["key", "citation_key"],
  extra: ["extra"],
} as const;

/** CSV or TSV (delimiter guessed from the header) with RFC 4180 quoting. */
export const parseCsv: Parser = (text, file) => {
  const src = stripBom(text);
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const rows = readRows(src, detectDelimiter(src)).filter((r) => r.unterminated || r.fields.some((f) => f.trim()));
  const header = rows.shift();
  if (!header) return { records, skipped };

  const names = header.fields.map((h) =>
    h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, "_"),
  );
  const column = (aliases: readonly string[]) => aliases.map((a) => names.indexOf(a)).find((i) => i >= 0) ?? -1;
  const col = Object.fromEntries(Object.entries(COLUMNS).map(([k, v]) => [k, column(v)])) as Record<keyof typeof COLUMNS, number>;
  const zotero = names.includes("abstract_note") && names.includes("item_type");
  const venueColumns = COLUMNS.venue.map((alias) => names.indexOf(alias)).filter((index) => index >= 0);
  if (col.abstract === -1) {
    const found =
      header.fields
        .map((h) => h.trim())
        .filter(Boolean)
        .join(", ") || "none";
    skipped.push({ file, line: header.line, reason: `no abstract column (expected abstract, summary, text or Abstract Note; found: ${found})` });
    return { records, skipped };
  }

  for (const row of rows) {
    const { line } = row;
    if (row.unterminated) {
      skipped.push({ file, line, reason: "unterminated quoted field: the closing quote is missing before end of file" });
      continue;
    }
    if (row.swallowedFrom !== undefined) {
      skipped.push({
        file,
        line,
        reason: `a quoted field runs from line ${row.swallowedFrom} over the next line(s) and has text after its closing quote: a closing quote is probably missing`,
      });
      continue;
    }
    const get = (index: number) => (index >= 0 ? (row.fields[index] ?? "").replace(/\s+/g, " ").trim() : "");
    const abstract = get(col.abstract);
    // A row with a title and no abstract is a paper known by its title; one with neither, or of the wrong
    // width, is damage.
    if (!abstract && (!get(col.title) || row.fields.length !== names.length)) {
      const shape = row.fields.length === names.length ? "" : ` (row has ${row.fields.length} fields, header has ${names.length})`;
      skipped.push({ file, line, reason: `empty abstract${shape}` });
      continue;
    }
    const record: RawRecord = { title: get(col.title) || null, abstract, source: { file, line, format: "csv" } };
    const authors = zotero ? lastFirstNames(get(col.authors)) : splitList(get(col.authors), /,|\s+and\s+/);
    if (authors.length) {
      record.authors = authors;
      record.authorCount = authors.length;
    }
    const date = get(col.date);
    // A year alone is the year, not a date.
    if (date && !/^\d{4}$/.test(date)) record.date = date;
    const year = yearIn(get(col.year) || date);
    if (year) record.year = year;
    // Zotero keeps a preprint's arXiv id in "Extra" ("arXiv: 2306.01234") or its URL.
    const arxivId =
      parseArxivId(get(col.id)) ??
      parseArxivId(/arxiv:\s*(\S+)/i.exec(get(col.extra))?.[1] ?? null) ??
      (/arxiv\.org/i.test(get(col.url)) ? parseArxivId(get(col.url)) : null);
    if (arxivId) record.arxivId = arxivId;
    const doi = cleanDoi(get(col.doi));
    if (doi) record.doi = doi;
    const keywords = [get(col.categories), get(col.automaticTags)].filter(Boolean).join("; ");
    // Zotero separates tags with ";" only: one tag may have spaces ("deep learning").
    const categories = zotero ? splitList(keywords, /;/) : splitList(keywords, keywords.includes(",") ? /,/ : /\s+/);
    if (categories.length) record.categories = categories;
    // Zotero fills one of Publication Title, Proceedings Title or Conference Name, by item type.
    const venue = venueColumns.map(get).find(Boolean);
    if (venue) record.venue = venue;
    const url = get(col.url);
    if (url) record.url = url;
    const entryType = get(col.entryType);
    if (entryType) record.entryType = entryType;
    // Better BibTeX writes the citation key in "Extra"; without it, Zotero's item key ("ABCD1234") is what
    // identifies the item in the user's library.
    const key = (zotero ? /citation key:\s*(\S+)/i.exec(get(col.extra))?.[1] : undefined) ?? get(col.key);
    if (key) record.citationKey = key;
    records.push(record);
  }
  return { records, skipped };
};

/** Zotero's "Vaswani, Ashish; Shazeer, Noam" → ["Ashish Vaswani", "Noam Shazeer"]; a name without a comma stays as written. */
function lastFirstNames(text: string): string[] {
  return splitList(text, /;/).map((name) => {
    const comma = name.indexOf(",");
    if (comma < 0) return name;
    // "Whitfield, Thomas, Jr." → "Thomas Whitfield Jr.".
    const [family, given, suffix] = name.split(",").map((part) => part.trim());
    return [given, family, suffix].filter(Boolean).join(" ");
  });
}

/** ";" separates when present (names and keywords may contain commas or spaces); else `fallback`. */
function splitList(text: string, fallback: RegExp): string[] {
  return text
    .split(text.includes(";") ? ";" : fallback)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The candidate that occurs most often in the header line (outside quotes); "," when none does. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [",", 0],
    ["\t", 0],
    [";", 0],
  ]);
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

/** Splits text into rows of fields; slices rather than building strings char by char, for large files. */
function readRows(text: string, delimiter: string): Row[] {
  const rows: Row[] = [];
  const stop = new RegExp(`[${delimiter === "\t" ? "\\t" : delimiter}\\r\\n]`, "g");
  const nextStop = (from: number) => {
    stop.lastIndex = from;
    return stop.exec(text)?.index ?? text.length;
  };
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const row: Row = { fields: [], line, unterminated: false };
    rows.push(row);
    for (;;) {
      // A quote opens a quoted field only before any other content (leading spaces tolerated).
      let quote = pos;
      while (text[quote] === " ") quote++;
      let value: string;
      if (text[quote] === '"') {
        value = "";
        const openedAt = line;
        let from = quote + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          const end = close === -1 ? text.length : close;
          line += countNewlines(text, from, end);
          value += text.slice(from, end);
          if (close === -1) {
            row.unterminated = true;
            break;
          }
          if (text[close + 1] !== '"') {
            from = close + 1;
            break;
          }
          value += '"';
          from = close + 2;
        }
        if (row.unterminated) {
          row.fields.push(value);
          return rows;
        }
        // Stray text after the closing quote is kept rather than rejected, unless the field also spanned lines.
        pos = nextStop(from);
        const stray = text.slice(from, pos);
        if (line > openedAt && stray.trim()) row.swallowedFrom ??= openedAt;
        value += stray;
      } else {
        const end = nextStop(pos);
        value = text.slice(pos, end);
        pos = end;
      }
      row.fields.push(value);
      if (text[pos] === delimiter) {
        pos++;
        continue;
      }
      if (pos < text.length) {
        pos += text[pos] === "\r" && text[pos + 1] === "\n" ? 2 : 1;
        line++;
      }
      break;
    }
  }
  return rows;
}

/** Line breaks in text[from, to): "\r\n", "\r" or "\n", as at the end of a row. */
function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count++;
  }
  return count;
}
