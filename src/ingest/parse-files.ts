import path from "node:path";
import { normalizeText } from "../corpus/normalize.js";
import type { RawRecord, SkippedRecord, SourceFormat } from "../corpus/paper.js";
import { detectFormat } from "./detect.js";
import { parseBibtex } from "./parsers/bibtex.js";
import { parseCsv } from "./parsers/csv.js";
import { parseDaily } from "./parsers/daily.js";
import { parseJsonArray, parseJsonLines } from "./parsers/jsonl.js";
import { parseListing } from "./parsers/listing.js";
import { parsePlaintext } from "./parsers/plaintext.js";
import type { ParseResult } from "./parsers/types.js";
import { listInputFiles, readTextFile } from "./read-source.js";

export interface FileReport {
  file: string;
  format: SourceFormat | null;
  records: number;
  skipped: number;
  note?: string;
}

export interface ParsedInputs {
  records: RawRecord[];
  skipped: SkippedRecord[];
  files: FileReport[];
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

function checkRecord(record: RawRecord): string | null {
  const { abstract } = record;
  if (abstract.length > MAX_ABSTRACT_CHARS) return `abstract too long (${abstract.length} characters, limit ${MAX_ABSTRACT_CHARS}): probably a broken record`;
  const words = abstract.length > MAX_ABSTRACT_WORDS ? abstract.split(/\s+/).length : 0;
  if (words > MAX_ABSTRACT_WORDS) return `abstract too long (${words} words, limit ${MAX_ABSTRACT_WORDS}): probably a broken record`;
  // recordsToPapers would silently drop an abstract that is empty once normalised (e.g. only escaped control characters).
  if (!normalizeText(abstract)) return "abstract has no text";
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
      // A JSON document (array) and JSON Lines share the extension .json; the first character tells them apart.
      return text.trimStart().startsWith("[") ? parseJsonArray(text, file) : parseJsonLines(text, file);
    case "bibtex":
      return parseBibtex(text, file);
    case "csv":
      return parseCsv(text, file);
  }
}

/** Reads and parses every input file; a bad file becomes a skip entry, never an exception. */
export function parseInputs(inputs: string[], options: { format?: SourceFormat; baseDir?: string } = {}): ParsedInputs {
  const result: ParsedInputs = { records: [], skipped: [], files: [] };
  for (const file of listInputFiles(inputs)) {
    const display = options.baseDir ? path.relative(options.baseDir, file) || file : file;
    const read = readTextFile(file, display);
    if (!read.ok) {
      result.skipped.push(read.skip);
      result.files.push({ file: display, format: null, records: 0, skipped: 1 });
      continue;
    }
    const format = options.format ?? detectFormat(file, read.text);
    const parsed = parseText(read.text, display, format);
    if (parsed.records.length === 0 && parsed.skipped.length === 0) {
      parsed.skipped.push({ file: display, line: 0, reason: `no abstracts found (read as ${format})` });
    }
    result.records.push(...parsed.records);
    result.skipped.push(...parsed.skipped);
    result.files.push({ file: display, format, records: parsed.records.length, skipped: parsed.skipped.length, note: read.note });
  }
  return result;
}
