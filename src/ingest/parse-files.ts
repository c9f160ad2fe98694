import { normalizeText } from "../corpus/normalize.js";
import type { RawRecord, SkippedRecord, SourceFormat } from "../corpus/paper.js";
import { detectFormat } from "./detect.js";
import { parseBibtex } from "./parsers/bibtex.js";
import { parseCsv } from "./parsers/csv.js";
import { parseDaily } from "./parsers/daily.js";
import { parseJsonArray, parseJsonLines } from "./parsers/jsonl.js";
import { parseListing } from "./parsers/listing.js";
import { parsePlaintext } from "./parsers/plaintext.js";
import { parseRis } from "./parsers/ris.js";
import { parseXml } from "./parsers/xml.js";
import type { ParseResult } from "./parsers/types.js";
import { listInputFiles, readTextFile } from "./read-source.js";

export interface FileReport {
  file: string;
  /** Absolute path, links resolved (the source's identity across working folders). */
  path: string;
  format: SourceFormat | null;
  records: number;
  skipped: number;
  note?: string;
}

export interface ParsedInputs {
  records: RawRecord[];
  skipped: SkippedRecord[];
  files: FileReport[];
  /** Real paths of the folders that were walked (see InputListing.folders). */
  folders: string[];
}

/** Parses one file's text with the given parser, then drops records no parser should have produced (see checkRecord). */
export function parseText(text: string, file: string, format: SourceFormat): ParseResult {
  const parsed = parseWith(text, file, format);
  const records: RawRecord[] = [];
  for (const record of parsed.records) {
    const problem = checkRecord(record);
    if (problem) parsed.skipped.push({ file, line: record.source.line, reason: problem });
    else records.push(record);
  }
  parsed.skipped.sort((a, b) => a.line - b.line);
  return { records, skipped: parsed.skipped };
}

/** An abstract this long is almost certainly several records run together or a broken file, not one paper. */
export const MAX_ABSTRACT_WORDS = 20_000;
/** Same, for text without spaces (CJK, or one enormous token). */
export const MAX_ABSTRACT_CHARS = 200_000;

/**
 * Every other text field has a limit too: a 1 MB "title" is a broken record (it would be embedded with
 * every chunk for minutes), not a paper. Collaboration papers have ~3,000 authors; 10,000 leaves room.
 */
export const FIELD_LIMITS = { title: 2_000, authors: 10_000, authorName: 1_000, field: 1_000, categories: 500 } as const;

function checkFields(record: RawRecord): string | null {
  const tooLong = (name: string, value: string | null | undefined, limit: number) =>
    value && value.length > limit ? `${name} too long (${value.length} characters, limit ${limit}): probably a broken record` : null;
  const authors = record.authors ?? [];
  if (authors.length > FIELD_LIMITS.authors) return `too many authors (${authors.length}, limit ${FIELD_LIMITS.authors}): probably a broken record`;
  if ((record.categories ?? []).length > FIELD_LIMITS.categories) return `too many categories (${record.categories!.length}, limit ${FIELD_LIMITS.categories})`;
  return (
    tooLong("title", record.title, FIELD_LIMITS.title) ??
    authors.map((name) => tooLong("an author name", name, FIELD_LIMITS.authorName)).find(Boolean) ??
    tooLong("date", record.date, FIELD_LIMITS.field) ??
    tooLong("venue", record.venue, FIELD_LIMITS.field) ??
    tooLong("DOI", record.doi, FIELD_LIMITS.field) ??
    tooLong("arXiv id", record.arxivId, FIELD_LIMITS.field) ??
    tooLong("citation key", record.citationKey, FIELD_LIMITS.field) ??
    tooLong("URL", record.url, FIELD_LIMITS.field) ??
    tooLong("entry type", record.entryType, FIELD_LIMITS.field) ??
    (record.categories ?? []).map((category) => tooLong("a category", category, FIELD_LIMITS.field)).find(Boolean) ??
    null
  );
}

function checkRecord(record: RawRecord): string | null {
  const fields = checkFields(record);
  if (fields) return fields;
  const { abstract } = record;
  if (abstract.length > MAX_ABSTRACT_CHARS) return `abstract too long (${abstract.length} characters, limit ${MAX_ABSTRACT_CHARS}): probably a broken record`;
  const words = abstract.length > MAX_ABSTRACT_WORDS ? abstract.split(/\s+/).length : 0;
  if (words > MAX_ABSTRACT_WORDS) return `abstract too long (${words} words, limit ${MAX_ABSTRACT_WORDS}): probably a broken record`;
  // recordsToPapers would silently drop an abstract that is empty once normalised (e.g. only escaped control characters).
  // A title alone is a paper (a library entry without an abstract): kept, searchable, never quoted.
  if (!normalizeText(abstract) && !normalizeText(record.title ?? "")) return abstract ? "abstract has no text" : "no abstract or title";
  return null;
}

function parseWith(text: string, file: string, format: SourceFormat): ParseResult {
  switch (format) {
    case "plaintext":
      return parsePlaintext(text, file);
    case "listing":
      return parseListing(text, file);
    case "daily":
      return parseDaily(text, file);
    case "jsonl":
      // A JSON document (an array, or one object such as an API response) and JSON Lines share the extension
      // .json: a document parses whole, JSON Lines does not (parseJsonArray falls back to it).
      return isJsonDocument(text) ? parseJsonArray(text, file) : parseJsonLines(text, file);
    case "bibtex":
      return parseBibtex(text, file);
    case "csv":
      return parseCsv(text, file);
    case "ris":
      return parseRis(text, file);
    case "xml":
      return parseXml(text, file);
  }
}

/** An array, or one object that parses whole (JSON Lines with several lines fails at its second object). */
function isJsonDocument(text: string): boolean {
  const body = text.replace(/^\uFEFF/, "").trimStart();
  if (body.startsWith("[")) return true;
  if (!body.startsWith("{")) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

/** Reads and parses every input file; a bad file becomes a skip entry, never an exception. */
export function parseInputs(inputs: string[], options: { format?: SourceFormat; baseDir?: string; exclude?: string[] } = {}): ParsedInputs {
  const listing = listInputFiles(inputs, { baseDir: options.baseDir, exclude: options.exclude });
  const result: ParsedInputs = { records: [], skipped: [...listing.skipped], files: [], folders: listing.folders };
  for (const { path: file, display } of listing.files) {
    const read = readTextFile(file, display);
    if (!read.ok) {
      result.skipped.push(read.skip);
      result.files.push({ file: display, path: file, format: null, records: 0, skipped: 1 });
      continue;
    }
    const format = options.format ?? detectFormat(file, read.text);
    const parsed = parseText(read.text, display, format);
    if (parsed.records.length === 0 && parsed.skipped.length === 0) {
      parsed.skipped.push({ file: display, line: 0, reason: `no abstracts found (read as ${format})` });
    }
    // One loop, not push(...array): a file of 125,000 records would overflow the call stack.
    for (const record of parsed.records) {
      record.source.path = file;
      result.records.push(record);
    }
    for (const skip of parsed.skipped) result.skipped.push(skip);
    result.files.push({ file: display, path: file, format, records: parsed.records.length, skipped: parsed.skipped.length, note: read.note });
  }
  return result;
}
