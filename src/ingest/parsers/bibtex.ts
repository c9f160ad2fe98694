import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { lineIndex } from "./lines.js";
import type { Parser } from "./types.js";
import { cleanDoi, stripBom, yearIn } from "../../corpus/fields.js";
import { renderAccents } from "../../corpus/latex.js";

/** BibTeX's predefined month macros, so `month = apr` reads as printed. */
const MONTHS: Record<string, string> = {
  jan: "January",
  feb: "February",
  mar: "March",
  apr: "April",
  may: "May",
  jun: "June",
  jul: "July",
  aug: "August",
  sep: "September",
  oct: "October",
  nov: "November",
  dec: "December",
};

const ENTRY_HEAD = /@[ \t]*([A-Za-z][\w-]*)\s*([{(])/y;
/** A line that opens a new entry; used to recover from an entry whose braces never balance. */
const ENTRY_LINE = /[ \t]*@[ \t]*[A-Za-z][\w-]*\s*[{(]/y;
const FIELD_NAME = /[^\s=,{}"#()]+/y;
const BARE_VALUE = /[^\s,#{}"=]+/y;

interface Body {
  key: string | null;
  fields: Map<string, string>;
  error: string | null;
}

export const parseBibtex: Parser = (text, file) => {
  const src = stripBom(text);
  const lineAt = lineIndex(src);
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const macros = new Map(Object.entries(MONTHS));
  const stringEntries = new Map<string, string>();
  let at = src.indexOf("@");
  // Text between entries is a comment in BibTeX, so only "@type{" / "@type(" starts anything.
  while (at !== -1) {
    ENTRY_HEAD.lastIndex = at;
    const head = ENTRY_HEAD.exec(src);
    if (!head) {
      at = src.indexOf("@", at + 1);
      continue;
    }
    const type = head[1]!.toLowerCase();
    const start = ENTRY_HEAD.lastIndex;
    const line = lineAt(at);
    const close = findClose(src, start, head[2]!);
    if ("resume" in close) {
      // A broken @comment is just more comment text; anything else is a lost entry worth reporting.
      if (type === "comment") {
        at = src.indexOf("@", start);
        continue;
      }
      const key = /^\s*([^\s,={}]+)\s*,/.exec(src.slice(start, start + 200))?.[1] ?? "(no key)";
      const until = close.resume < src.length ? "before the next entry" : "before end of file";
      skipped.push({ file, line, reason: `unbalanced braces: entry ${key} is not closed ${until}` });
      at = close.resume < src.length ? close.resume : -1;
      continue;
    }
    const body = src.slice(start, close.end);
    const entryText = src.slice(at, close.end + 1);
    at = src.indexOf("@", close.end + 1);
    if (type === "comment" || type === "preamble") continue;
    if (type === "string") {
      const { fields } = parseBody(body, macros, false);
      for (const [name, value] of fields) {
        macros.set(name, value);
        stringEntries.set(name, entryText);
      }
      continue;
    }
    const entry = parseBody(body, macros, true);
    const record = toRecord(entry, { file, line, format: "bibtex" });
    if (typeof record === "string") skipped.push({ file, line, reason: record });
    else {
      record.entryType = type;
      // The @string definitions it uses travel with it, so the copy reads the same in a file of its own.
      const used = [
        ...new Set(
          macroNames(body)
            .map((name) => stringEntries.get(name))
            .filter((text): text is string => text !== undefined),
        ),
      ];
      record.bibtex = [...used, entryText].join(lineEnding(src));
      records.push(record);
    }
  }
  return { records, skipped };
};

/** Index of the entry's closing delimiter, or where to resume when it never closes. */
/** Bare words used as field values ("journal = jmlr", "booktitle = neurips # { 34}"), lower-cased. */
function macroNames(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(/(?:=|#)\s*([A-Za-z][\w:.+-]*)\s*(?=[,#}\s]|$)/g)) names.push(match[1]!.toLowerCase());
  return names;
}

/** The file's own line ending, for text citewise joins together from it. */
export function lineEnding(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

function findClose(src: string, start: number, open: string): { end: number } | { resume: number } {
  let depth = 0;
  let inQuote = false;
  for (let j = start; j < src.length; j++) {
    const c = src[j];
    // "\r" too: a file with old Mac line endings has no "\n" at all.
    if (c === "\n" || c === "\r") {
      ENTRY_LINE.lastIndex = j + 1;
      if (ENTRY_LINE.test(src)) return { resume: src.indexOf("@", j + 1) };
    } else if (c === "{") {
      depth++;
    } else if (c === "}") {
      if (depth === 0) return open === "{" ? { end: j } : { resume: nextEntryLine(src, j) };
      depth--;
    } else if (open === "(" && depth === 0) {
      if (c === '"') inQuote = !inQuote;
      else if (c === ")" && !inQuote) return { end: j };
    }
  }
  return { resume: src.length };
}

function nextEntryLine(src: string, from: number): number {
  const lineBreak = /[\r\n]/g;
  lineBreak.lastIndex = from;
  for (let m = lineBreak.exec(src); m; m = lineBreak.exec(src)) {
    ENTRY_LINE.lastIndex = m.index + 1;
    if (ENTRY_LINE.test(src)) return src.indexOf("@", m.index + 1);
  }
  return src.length;
}

/** Parses `key, name = value, ...`; stops at the first malformed field and says why. */
function parseBody(body: string, macros: Map<string, string>, withKey: boolean): Body {
  const fields = new Map<string, string>();
  let pos = 0;
  let key: string | null = null;
  if (withKey) {
    const comma = body.indexOf(",");
    const first = comma === -1 ? body : body.slice(0, comma);
    if (!first.includes("=")) {
      key = first.trim() || null;
      pos = comma === -1 ? body.length : comma + 1;
    }
  }
  const skipSpace = (extra = "") => {
    while (pos < body.length && (body.charCodeAt(pos) <= 32 || extra.includes(body[pos]!))) pos++;
  };
  const fail = (error: string): Body => ({ key, fields, error });
  for (;;) {
    skipSpace(",");
    if (pos >= body.length) return { key, fields, error: null };
    FIELD_NAME.lastIndex = pos;
    const match = FIELD_NAME.exec(body);
    if (!match) return fail(`unexpected "${body[pos]}"`);
    pos = FIELD_NAME.lastIndex;
    skipSpace();
    if (body[pos] !== "=") return fail(`expected "=" after "${match[0]}"`);
    pos++;
    let value = "";
    // A value is one or more parts joined by "#": {braced}, "quoted", a number or a @string macro.
    for (;;) {
      skipSpace();
      const c = body[pos];
      if (c === "{" || c === '"') {
        const end = closingOf(body, pos);
        if (end === -1) return fail(`unterminated value for "${match[0]}"`);
        value += body.slice(pos + 1, end);
        pos = end + 1;
      } else {
        BARE_VALUE.lastIndex = pos;
        const token = BARE_VALUE.exec(body)?.[0];
        if (!token) return fail(`missing value for "${match[0]}"`);
        value += /^\d+$/.test(token) ? token : (macros.get(token.toLowerCase()) ?? token);
        pos = BARE_VALUE.lastIndex;
      }
      skipSpace();
      if (body[pos] !== "#") break;
      pos++;
    }
    const fieldName = match[0].toLowerCase();
    if (!fields.has(fieldName)) fields.set(fieldName, value);
  }
}

/** Position of the brace or quote closing the one at `pos` (quotes close only outside braces). */
function closingOf(text: string, pos: number): number {
  const quoted = text[pos] === '"';
  let depth = quoted ? 0 : 1;
  for (let j = pos + 1; j < text.length; j++) {
    const c = text[j];
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === '"' && quoted && depth === 0) return j;
    if (!quoted && depth === 0) return j;
  }
  return -1;
}

function toRecord(entry: Body, source: RawRecord["source"]): RawRecord | string {
  const raw = (name: string) => entry.fields.get(name) ?? null;
  const field = (name: string) => {
    const value = raw(name);
    return value === null ? null : bibtexFieldText(value) || null;
  };
  const label = entry.key ?? "(no key)";
  const abstract = field("abstract") ?? "";
  if (!abstract && entry.error) return `malformed entry ${label}: ${entry.error}`;
  // An entry with a title and no abstract is a paper known by its title: searchable, never quoted.
  if (!abstract && !field("title")) return `no abstract or title field (entry ${label})`;
  const record: RawRecord = { title: field("title"), abstract, citationKey: entry.key, source };

  const authorField = raw("author");
  if (authorField) {
    const names = splitOutsideBraces(authorField, /\s+and\s+/gi)
      .map(personName)
      .filter(Boolean);
    // "and others" means the list is truncated, so the count is unknown.
    const truncated = names.some((n) => n.toLowerCase() === "others");
    record.authors = names.filter((n) => n.toLowerCase() !== "others");
    if (!truncated) record.authorCount = record.authors.length;
  }
  const yearText = field("year");
  const month = field("month");
  const printedMonth = month && /^\d{1,2}$/.test(month) ? `${yearText}-${month.padStart(2, "0")}` : `${month} ${yearText}`;
  const date = field("date") ?? (yearText && month ? printedMonth : yearText);
  if (date) record.date = date;
  const year = yearIn(yearText ?? date);
  if (year) record.year = year;

  const doi = cleanDoi(field("doi"));
  if (doi) record.doi = doi;
  const prefix = field("archiveprefix") ?? field("eprinttype");
  const eprint = !prefix || /arxiv/i.test(prefix) ? field("eprint") : null;
  const journal = field("journal");
  const arxivId =
    parseArxivId(eprint) ??
    parseArxivId(field("arxivid") ?? field("arxiv")) ??
    (journal && /arxiv/i.test(journal) ? parseArxivId(journal) : null) ??
    (/arxiv\.org/i.test(field("url") ?? "") ? parseArxivId(field("url")) : null) ??
    (doi && /arxiv/i.test(doi) ? parseArxivId(doi) : null);
  if (arxivId) record.arxivId = arxivId;
  const venue = journal ?? field("booktitle");
  if (venue) record.venue = venue;
  const url = field("url");
  if (url) record.url = url;
  const keywords = field("keywords");
  if (keywords)
    record.categories = keywords
      .split(/[,;]/)
      .map((k) => k.trim())
      .filter(Boolean);
  return record;
}

/** "Last, First" -> "First Last"; "Last, Jr., First" -> "First Last Jr." */
function personName(raw: string): string {
  const parts = splitOutsideBraces(raw, /,/g).map((p) => p.trim());
  const ordered = parts.length === 2 ? [parts[1], parts[0]] : parts.length >= 3 ? [parts.slice(2).join(" "), parts[0], parts[1]] : parts;
  return bibtexFieldText(ordered.filter(Boolean).join(" "));
}

/** Splits on `separator` only at brace depth 0, so "{Barnes and Noble}" stays one name. */
function splitOutsideBraces(text: string, separator: RegExp): string[] {
  let depth = 0;
  let mask = "";
  for (const c of text) {
    if (c === "{") depth++;
    mask += depth > 0 ? "x".repeat(c.length) : c;
    if (c === "}") depth = Math.max(0, depth - 1);
  }
  const parts: string[] = [];
  let last = 0;
  for (const m of mask.matchAll(separator)) {
    parts.push(text.slice(last, m.index));
    last = m.index! + m[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p.trim());
}

/** Plain text from BibTeX field text: accents, escapes, and capitalisation braces resolved. */
function bibtexFieldText(text: string): string {
  if (!/[\\{}~-]/.test(text)) return text.replace(/\s+/g, " ").trim();
  return (
    renderAccents(text)
      .replace(/\\([&%$#_])/g, "$1")
      .replace(/\\\{/g, "\uE000")
      .replace(/\\\}/g, "\uE001")
      .replace(/\\(?:La)?TeX\b\s*(\{\})?/g, (m) => (m.startsWith("\\La") ? "LaTeX" : "TeX"))
      // Formatting commands (\emph{x}, \textbf{x}) keep their argument; the braces go below.
      .replace(/\\[A-Za-z]+\s*(?=\{)/g, "")
      .replace(/\\\\|\\ /g, " ")
      .replace(/---/g, "—")
      .replace(/--/g, "–")
      .replace(/[{}]/g, "")
      .replace(/~/g, " ")
      .replace(/\uE000/g, "{")
      .replace(/\uE001/g, "}")
      .replace(/\s+/g, " ")
      .trim()
  );
}
