import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { apiPaperToRecord, isSinglePaper, listedPapers } from "./api-json.js";
import { lineIndex } from "./lines.js";
import type { Parser, ParseResult } from "./types.js";
import { cleanDoi, stripBom, yearIn } from "../../corpus/fields.js";
import { readJsonLines } from "../../corpus/json-lines.js";

/** JSON Lines: one object per line, in the arXiv metadata shape (or close to it). */
export const parseJsonLines: Parser = (text, file) => {
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const rows = readJsonLines<unknown>(stripBom(text), file, (line, message) => skipped.push({ file, line, reason: `invalid JSON: ${collapse(message)}` }));
  for (const { value, line } of rows) addObject(value, file, line, records, skipped);
  // Bad lines were reported as they were met; the report lists them in file order.
  skipped.sort((a, b) => a.line - b.line);
  return { records, skipped };
};

/** A JSON document: an array of objects, an object with a "papers"/"records" array, or one paper object. */
export const parseJsonArray: Parser = (text, file) => {
  const body = stripBom(text);
  const result: ParseResult = { records: [], skipped: [] };
  if (!body.trim()) return result;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (error) {
    // A ".json" file is often really JSON Lines; fall back when the first line stands alone.
    if (looksLikeJsonLines(body)) return parseJsonLines(text, file);
    // A broken array (truncated, one bad element) still has good elements: parse them one by one.
    const failedElements = body.trimStart().startsWith("[") ? recoverArray(body, file, result) : 0;
    const message = (error as Error).message;
    if (failedElements === 0) result.skipped.push({ file, line: lineOfJsonError(body, message), reason: `invalid JSON: ${collapse(message)}` });
    return result;
  }
  let key: string | null = null;
  let items: unknown[];
  const listed = isObject(doc) ? listedPapers(doc) : null;
  if (Array.isArray(doc)) {
    items = doc;
  } else if (listed) {
    key = listed.key;
    items = listed.items;
  } else if (isObject(doc) && isSinglePaper(doc)) {
    items = [doc];
  } else {
    result.skipped.push({
      file,
      line: 1,
      reason:
        'expected a JSON array of papers, one paper, or a search response with a "papers", "records", "data" (Semantic Scholar), "results" (OpenAlex) or "feed.entry" array',
    });
    return result;
  }
  const lines = isObject(doc) && key === null ? [1] : elementLines(body, key);
  for (const [i, item] of items.entries()) addObject(item, file, lines[i] ?? 1, result.records, result.skipped);
  return result;
};

function addObject(value: unknown, file: string, line: number, records: RawRecord[], skipped: SkippedRecord[]): void {
  if (!isObject(value)) {
    skipped.push({ file, line, reason: `expected a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}` });
    return;
  }
  // A search response on one line (a saved API page) holds its papers in a list.
  const listed = isSinglePaper(value) ? null : listedPapers(value);
  if (listed) {
    for (const item of listed.items) addObject(item, file, line, records, skipped);
    return;
  }
  const api = apiPaperToRecord(value, { file, line, format: "jsonl" });
  const record = api ? api.record : toRecord(value, file, line);
  if (record) records.push(record);
  else skipped.push({ file, line, reason: "no abstract or title" });
}

function toRecord(obj: Record<string, unknown>, file: string, line: number): RawRecord | null {
  const abstract = collapse(str(obj.abstract) || str(obj.summary) || "");
  const title = collapse(str(obj.title) ?? "") || null;
  if (!abstract && !title) return null;
  const record: RawRecord = { abstract, title, source: { file, line, format: "jsonl" } };

  const authors = authorsOf(obj);
  if (authors) {
    record.authors = authors;
    record.authorCount = authors.length;
  }
  // Prefer first-publication dates: arXiv's update_date is the latest revision, often years later.
  const firstVersion = Array.isArray(obj.versions) && isObject(obj.versions[0]) ? str(obj.versions[0].created) : null;
  const date = str(obj.published) ?? str(obj.date) ?? firstVersion ?? str(obj.update_date);
  if (date) record.date = date.trim();
  const year = typeof obj.year === "number" ? obj.year : yearIn(str(obj.year) ?? date);
  if (year) record.year = year;

  const arxivId = parseArxivId(str(obj.id) ?? str(obj.arxiv_id) ?? str(obj.arxivId));
  if (arxivId) record.arxivId = arxivId;
  const doi = cleanDoi(str(obj.doi));
  if (doi) record.doi = doi;
  const venue = str(obj["journal-ref"]) ?? str(obj.journal_ref) ?? str(obj.venue) ?? str(obj.journal);
  if (venue?.trim()) record.venue = collapse(venue);
  const categories = listOf(obj.categories ?? obj.keywords);
  if (categories.length) record.categories = categories;
  const url = str(obj.url) ?? str(obj.link);
  if (url?.trim()) record.url = url.trim();
  return record;
}

function authorsOf(obj: Record<string, unknown>): string[] | null {
  // authors_parsed ([last, first, suffix]) is cleaner than the free-text "authors" string.
  if (Array.isArray(obj.authors_parsed) && obj.authors_parsed.length) {
    const names = obj.authors_parsed
      .filter(Array.isArray)
      .map((parts: unknown[]) => {
        const [last, first, suffix] = parts.map((p) => (typeof p === "string" ? p.trim() : ""));
        return collapse([first, last, suffix].filter(Boolean).join(" "));
      })
      .filter(Boolean);
    if (names.length) return names;
  }
  const authors = obj.authors ?? obj.author;
  if (typeof authors === "string") {
    // Affiliations in parentheses may contain commas, so drop them before splitting.
    let text = authors;
    while (/\([^()]*\)/.test(text)) text = text.replace(/\([^()]*\)/g, " ");
    // BibTeX style, "Zhu, Hongyu and Phanishayee, Amar": each name is "Last, First".
    const bibtexStyle = text.split(/\s+and\s+/);
    if (bibtexStyle.length > 1 && bibtexStyle.every((name) => name.split(",").length === 2))
      return bibtexStyle.map((name) => collapse(name.split(",").reverse().join(" ")));
    const names = text
      .split(/,|\s+and\s+/)
      .map(collapse)
      .filter(Boolean);
    return names.length ? names : null;
  }
  if (Array.isArray(authors)) {
    const names = authors
      .map((a) => (typeof a === "string" ? a : isObject(a) ? (str(a.name) ?? "") : ""))
      .map(collapse)
      .filter(Boolean);
    return names.length ? names : null;
  }
  return null;
}

/**
 * Parses the elements of a top-level array that is not valid JSON as a whole, one by one; returns how many failed.
 * After a bad element, parsing resumes at the next line starting with "{" (where the next element most
 * likely starts in a pretty-printed export), so one damaged element does not take the rest with it.
 */
function recoverArray(text: string, file: string, result: ParseResult): number {
  const lineAt = lineIndex(text);
  const objectLines = [...text.matchAll(/(?<=^|[\r\n])[ \t]*\{/g)].map((m) => m.index + m[0].length - 1);
  let next = 0;
  let failed = 0;
  let pos = text.indexOf("[") + 1;
  while (pos < text.length) {
    const c = text[pos]!;
    if (/[\s,]/.test(c)) {
      pos++;
      continue;
    }
    if (c === "]" || c === "}") {
      // The closing bracket ends the array, unless more follows (a stray bracket from the damage).
      const more = /\S/g;
      more.lastIndex = pos + 1;
      if (!more.test(text)) break;
      pos++;
      continue;
    }
    const end = elementEnd(text, pos);
    const line = lineAt(pos);
    try {
      addObject(JSON.parse(text.slice(pos, end)), file, line, result.records, result.skipped);
      pos = end;
      continue;
    } catch (error) {
      // Positions in the message are relative to the element, so they are left out; the line says where.
      const message = collapse((error as Error).message).replace(/ at position \d+.*$/, "");
      result.skipped.push({ file, line, reason: `invalid JSON in array element: ${message}` });
      failed++;
    }
    while (next < objectLines.length && objectLines[next]! <= pos) next++;
    pos = Math.max(end, pos + 1);
    if (next < objectLines.length && objectLines[next]! < end) pos = objectLines[next]!;
  }
  return failed;
}

/**
 * End of the array element starting at `start`: the first "," or closing bracket at its own nesting level.
 * Strings end at a line break (JSON strings cannot contain one), and an object still open when a line
 * starts with "{" ends there, so damage stays within one element.
 */
function elementEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== "\n" && text[i] !== "\r"; i++) if (text[i] === "\\") i++;
    } else if (c === "{" || c === "[") {
      depth++;
    } else if (c === "}" || c === "]") {
      if (depth === 0) return i;
      depth--;
    } else if (c === "," && depth === 0) {
      return i;
    } else if ((c === "\n" || c === "\r") && depth === 1 && text[start] === "{" && /^[ \t]*\{/.test(text.slice(i + 1, i + 200))) {
      return i;
    }
  }
  return text.length;
}

/**
 * Line of each element of the top-level array (key null) or of the array under `key`.
 * JSON.parse gives no positions, so this walks the (already validated) text once.
 */
function elementLines(text: string, key: string | null): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let target = -1;
  let awaiting = false;
  let lastString = "";
  let currentKey = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
    if (/\s/.test(c)) continue;
    if (awaiting) {
      if (c !== "]") lines.push(line);
      awaiting = false;
    }
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (depth === 1) lastString = JSON.parse(text.slice(i, end + 1)) as string;
      i = end;
    } else if (c === "{" || c === "[") {
      depth++;
      if (c === "[" && (key === null ? depth === 1 : depth === 2 && currentKey === key)) {
        target = depth;
        awaiting = true;
      }
    } else if (c === "}" || c === "]") {
      if (depth === target) return lines;
      depth--;
    } else if (c === "," && depth === target) {
      awaiting = true;
    } else if (c === ":" && depth === 1) {
      currentKey = lastString;
    }
  }
  return lines;
}

/** Best-effort line of a JSON.parse error; V8 messages give a position, or only a text snippet. */
function lineOfJsonError(text: string, message: string): number {
  const lineOf = lineIndex(text);
  const position = /position (\d+)/.exec(message);
  if (position) return lineOf(Number(position[1]));
  if (/end of JSON input/.test(message)) return lineOf(text.trimEnd().length);
  const snippet = /"([\s\S]+)" is not valid JSON$/.exec(message)?.[1];
  const at = snippet ? text.indexOf(snippet) : -1;
  const token = /^Unexpected token '(.)'/.exec(message)?.[1];
  if (at === -1) return 1;
  return lineOf(at + Math.max(0, token ? snippet!.indexOf(token) : 0));
}

function looksLikeJsonLines(text: string): boolean {
  const first = text.split("\n").find((l) => l.trim());
  if (!first) return false;
  try {
    return isObject(JSON.parse(first));
  } catch {
    return false;
  }
}

function listOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value))
    return value
      .filter((v): v is string => typeof v === "string")
      .map(collapse)
      .filter(Boolean);
  return [];
}

function str(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
