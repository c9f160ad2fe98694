import { decodeHTMLStrict } from "entities";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord, SkippedRecord } from "../../corpus/paper.js";
import { cleanDoi, stripBom, yearIn } from "../../corpus/fields.js";
import { lineIndex } from "./lines.js";
import type { Parser } from "./types.js";

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  textNodeName: "#text",
  // Entries, authors, links and categories may occur once or many times: always arrays.
  isArray: (name) => ["entry", "item", "author", "link", "category", "creator"].includes(name),
  processEntities: true,
  htmlEntities: true,
});

const XML_ENTITIES = new Set(["amp", "lt", "gt", "quot", "apos"]);

/**
 * Feeds written by hand or by CMSs use HTML's named entities (&eacute;, &iuml;), which fast-xml-parser leaves
 * as they are: each known one becomes the numeric reference XML understands, unknown ones stay as written.
 */
function numericEntities(text: string): string {
  return text.replace(/&([A-Za-z][A-Za-z0-9]{1,31});/g, (reference, name: string) => {
    if (XML_ENTITIES.has(name)) return reference;
    const decoded = decodeHTMLStrict(reference);
    return decoded === reference ? reference : [...decoded].map((char) => `&#${char.codePointAt(0)};`).join("");
  });
}

/**
 * arXiv API responses and feeds (Atom), and RSS 2.0 feeds (arXiv's rss.arxiv.org among them), read with
 * fast-xml-parser. arXiv RSS puts "arXiv:2306.01234v1 Announce Type: new Abstract: …" in the description.
 */
export const parseXml: Parser = (text, file) => {
  const body = numericEntities(stripBom(text));
  const records: RawRecord[] = [];
  const skipped: SkippedRecord[] = [];
  // Entity declarations are how XML bombs expand; no feed needs them. One inside a comment or CDATA declares nothing.
  const entity = /<!ENTITY/i.exec(body.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (quoted) => quoted.replace(/[^\n]/g, " ")));
  if (entity) {
    skipped.push({ file, line: lineIndex(body)(entity.index), reason: "XML entity declarations (<!ENTITY>) are not read: not a feed" });
    return { records, skipped };
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    skipped.push({ file, line: valid.err.line, reason: `invalid XML: ${valid.err.msg}` });
    return { records, skipped };
  }
  let doc: Node;
  try {
    doc = xml.parse(body) as Node;
  } catch (error) {
    // The parser's own limits (nesting depth) are a reason to skip the file, never to stop the ingest.
    skipped.push({ file, line: 1, reason: `unreadable XML: ${(error as Error).message.split("\n")[0]}` });
    return { records, skipped };
  }
  const feed = child(doc, "feed");
  const atom = feed && "entry" in feed ? children(feed, "entry") : undefined;
  const channel = child(child(doc, "rss"), "channel") ?? child(doc, "RDF");
  const rss = channel && "item" in channel ? children(channel, "item") : undefined;
  if (!atom && !rss) {
    skipped.push({ file, line: 1, reason: "no <entry> (Atom) or <item> (RSS) elements: not a feed this reader knows" });
    return { records, skipped };
  }
  const lines = elementLines(body, atom ? "entry" : "item");
  (atom ?? rss ?? []).forEach((element, i) => {
    const source = { file, line: lines[i] ?? 1, format: "xml" as const };
    const record = atom ? atomEntry(element, source) : rssItem(element, source);
    if (typeof record === "string") skipped.push({ file, line: source.line, reason: record });
    else records.push(record);
  });
  return { records, skipped };
};

function atomEntry(entry: Node, source: RawRecord["source"]): RawRecord | string {
  const title = textOf(entry.title);
  const abstract = textOf(entry.summary) ?? textOf(entry.content) ?? "";
  if (!abstract && !title) return "no <summary> or <title>";
  const record: RawRecord = { title, abstract, source };
  const authors = children(entry, "author")
    .map((author) => textOf(author.name))
    .filter((name): name is string => name !== null);
  if (authors.length) {
    record.authors = authors;
    record.authorCount = authors.length;
  }
  const date = textOf(entry.published) ?? textOf(entry.updated);
  if (date) {
    record.date = date.slice(0, 10);
    record.year = yearIn(date);
  }
  const id = textOf(entry.id);
  const page = textOf(children(entry, "link").find((link) => link["@rel"] === "alternate")?.["@href"]) ?? id;
  if (page) record.url = page;
  const arxivId = id && /arxiv\.org/i.test(id) ? parseArxivId(id) : null;
  if (arxivId) record.arxivId = arxivId;
  const doi = cleanDoi(textOf(entry.doi));
  if (doi) record.doi = doi;
  const venue = textOf(entry.journal_ref);
  if (venue) record.venue = venue;
  const categories = [
    textOf(child(entry, "primary_category")?.["@term"]),
    ...children(entry, "category").map((category) => textOf(category["@term"]) ?? textOf(category)),
  ];
  const unique = [...new Set(categories.filter((category): category is string => Boolean(category)))];
  if (unique.length) record.categories = unique;
  return record;
}

const ARXIV_RSS = /^\s*arXiv:(\S+)\s+Announce Type:\s*\S+\s*Abstract:\s*/i;

function rssItem(item: Node, source: RawRecord["source"]): RawRecord | string {
  const title = textOf(item.title);
  const description = textOf(item.description) ?? textOf(item.encoded);
  const arxiv = description ? ARXIV_RSS.exec(description) : null;
  const abstract = (arxiv ? description!.slice(arxiv[0].length).trim() : description) ?? "";
  if (!abstract && !title) return "no <description> or <title>";
  const record: RawRecord = { title, abstract, source };
  const creators = children(item, "creator")
    .flatMap((creator) => (textOf(creator) ?? "").split(/,\s*|\s+and\s+/))
    .filter(Boolean);
  if (creators.length) {
    record.authors = creators;
    record.authorCount = creators.length;
  }
  const date = textOf(item.pubDate) ?? textOf(item.date);
  if (date) {
    record.date = isoDate(date);
    record.year = yearIn(date);
  }
  const link = textOf(children(item, "link")[0]);
  if (link) record.url = link;
  const arxivId = parseArxivId(arxiv?.[1] ?? (link && /arxiv\.org/i.test(link) ? link : null));
  if (arxivId) record.arxivId = arxivId;
  const categories = children(item, "category")
    .map((category) => textOf(category))
    .filter((category): category is string => category !== null);
  if (categories.length) record.categories = categories;
  const venue = textOf(item.journal_reference);
  if (venue) record.venue = venue;
  const doi = cleanDoi(textOf(item.DOI) ?? textOf(item.doi));
  if (doi) record.doi = doi;
  return record;
}

/** "Tue, 23 Sep 2025 00:00:00 -0400" → "2025-09-23" (the day as the feed dated it, not converted to UTC). */
function isoDate(text: string): string {
  const match = /(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})/.exec(text);
  if (!match) return text;
  const month = "JanFebMarAprMayJunJulAugSepOctNovDec".indexOf(match[2]!) / 3 + 1;
  return `${match[3]}-${String(month).padStart(2, "0")}-${match[1]!.padStart(2, "0")}`;
}

/** A parsed element: child elements by name, "@attr" attributes, "#text". */
type Node = Record<string, unknown>;

function child(node: Node | undefined, name: string): Node | undefined {
  const value = node?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return typeof first === "object" ? (first as Node) : { "#text": first };
}

/** Elements that may repeat (entry, item, author, link, category, creator) are always arrays (see isArray). */
function children(node: Node, name: string): Node[] {
  const value = node[name];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  // A text-only element parses as a string: wrapped, so textOf reads it like any other.
  return list.map((item) => (item && typeof item === "object" ? (item as Node) : { "#text": item }));
}

/** Text of an element (string, number, or {"#text"}), whitespace collapsed. */
function textOf(value: unknown): string | null {
  const raw = typeof value === "object" && value !== null ? (value as Record<string, unknown>)["#text"] : value;
  if (typeof raw !== "string" && typeof raw !== "number") return null;
  return String(raw).replace(/\s+/g, " ").trim() || null;
}

/** Line of each <entry>/<item> start tag, in document order (the parser gives no positions). */
function elementLines(text: string, name: string): number[] {
  const lineAt = lineIndex(text);
  return [...text.matchAll(new RegExp(`<(?:[\\w-]+:)?${name}[\\s>]`, "g"))].map((match) => lineAt(match.index!));
}
