import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord } from "../../corpus/paper.js";
import { cleanDoi, yearIn } from "../../corpus/fields.js";
import { cslToRecord } from "./csl.js";

/**
 * Papers as literature APIs return them, one JSON object each: CSL-JSON items, Semantic Scholar Graph API
 * papers, OpenAlex works (their abstracts stored as an inverted index) and arXiv entries converted from
 * Atom. Null when the object is none of these (the caller reads it as arXiv metadata).
 */
export function apiPaperToRecord(obj: Record<string, unknown>, source: RawRecord["source"]): { record: RawRecord | null } | null {
  if (isCsl(obj)) return { record: cslToRecord(obj, source) };
  if (isOpenAlex(obj)) return { record: openAlexToRecord(obj, source) };
  if (isSemanticScholar(obj)) return { record: semanticScholarToRecord(obj, source) };
  return null;
}

/** Where a search response keeps its papers: Semantic Scholar "data", OpenAlex "results", feeds "entry"/"items". */
export function listedPapers(doc: Record<string, unknown>): { key: string; items: unknown[] } | null {
  for (const key of ["papers", "records", "data", "results", "items", "entries", "entry"])
    if (Array.isArray(doc[key])) return { key, items: doc[key] as unknown[] };
  const feed = doc.feed;
  if (feed && typeof feed === "object" && Array.isArray((feed as Record<string, unknown>).entry))
    return { key: "feed.entry", items: (feed as Record<string, unknown>).entry as unknown[] };
  return null;
}

/** One paper object on its own (a single-paper API response). */
export function isSinglePaper(doc: Record<string, unknown>): boolean {
  return "abstract" in doc || "summary" in doc || "abstract_inverted_index" in doc || isCsl(doc);
}

function isCsl(obj: Record<string, unknown>): boolean {
  return (
    typeof obj.type === "string" &&
    ("issued" in obj ||
      "container-title" in obj ||
      (Array.isArray(obj.author) && obj.author.some((a) => a && typeof a === "object" && ("family" in a || "literal" in a))))
  );
}

function isOpenAlex(obj: Record<string, unknown>): boolean {
  return "abstract_inverted_index" in obj || "authorships" in obj || (typeof obj.id === "string" && obj.id.includes("openalex.org"));
}

function isSemanticScholar(obj: Record<string, unknown>): boolean {
  return "paperId" in obj || "externalIds" in obj;
}

function semanticScholarToRecord(obj: Record<string, unknown>, source: RawRecord["source"]): RawRecord | null {
  // A paper without an abstract is kept by its title (Semantic Scholar often withholds abstracts).
  const record = startRecord(
    {
      title: text(obj.title),
      abstract: text(obj.abstract),
      authors: names(obj.authors, (author) => author.name),
      date: text(obj.publicationDate),
      year: obj.year,
    },
    source,
  );
  if (!record) return null;
  const ids = (obj.externalIds ?? {}) as Record<string, unknown>;
  const doi = cleanDoi(text(ids.DOI));
  if (doi) record.doi = doi;
  const arxivId = parseArxivId(text(ids.ArXiv));
  if (arxivId) record.arxivId = arxivId;
  const venue = text(obj.venue) ?? text((obj.journal as Record<string, unknown> | undefined)?.name);
  if (venue) record.venue = venue;
  const url = text(obj.url);
  if (url) record.url = url;
  const fields = Array.isArray(obj.fieldsOfStudy) ? obj.fieldsOfStudy.map(text).filter((field): field is string => field !== null) : [];
  if (fields.length) record.categories = fields;
  const types = Array.isArray(obj.publicationTypes) ? obj.publicationTypes.map(text).filter(Boolean) : [];
  if (types.length) record.entryType = types.join(", ");
  return record;
}

function openAlexToRecord(obj: Record<string, unknown>, source: RawRecord["source"]): RawRecord | null {
  const authors = names(
    obj.authorships,
    (authorship) => (authorship.author as Record<string, unknown> | undefined)?.display_name ?? authorship.raw_author_name,
  );
  const abstract = text(obj.abstract) ?? invertedIndexText(obj.abstract_inverted_index);
  const record = startRecord(
    { title: text(obj.title) ?? text(obj.display_name), abstract, authors, date: text(obj.publication_date), year: obj.publication_year },
    source,
  );
  if (!record) return null;
  const doi = cleanDoi(text(obj.doi));
  if (doi) record.doi = doi;
  const location = (obj.primary_location ?? {}) as Record<string, unknown>;
  const venue = text((location.source as Record<string, unknown> | undefined)?.display_name);
  if (venue) record.venue = venue;
  const url = text(location.landing_page_url) ?? text(obj.id);
  if (url) record.url = url;
  // A published work's arXiv version is one of its other locations.
  const locations = [location, ...(Array.isArray(obj.locations) ? obj.locations : []), obj.best_oa_location] as Array<Record<string, unknown> | null>;
  const arxivUrl = locations.map((place) => text(place?.landing_page_url)).find((page) => page && /arxiv\.org\/abs\//i.test(page));
  const arxivId = /arxiv/i.test(doi ?? "") ? parseArxivId(doi) : arxivUrl ? parseArxivId(arxivUrl) : null;
  if (arxivId) record.arxivId = arxivId;
  const keywords = names(obj.keywords, (keyword) => keyword.display_name ?? keyword.keyword);
  if (keywords.length) record.categories = keywords;
  const type = text(obj.type);
  if (type) record.entryType = type;
  return record;
}

/** Title, abstract, authors, date and year as every API gives them; null with neither title nor abstract. */
function startRecord(
  fields: { title: string | null; abstract: string | null; authors: string[]; date: string | null; year: unknown },
  source: RawRecord["source"],
): RawRecord | null {
  if (!fields.abstract && !fields.title) return null;
  const record: RawRecord = { title: fields.title, abstract: fields.abstract ?? "", source };
  if (fields.authors.length) {
    record.authors = fields.authors;
    record.authorCount = fields.authors.length;
  }
  if (fields.date) record.date = fields.date;
  const year = typeof fields.year === "number" ? fields.year : yearIn(fields.date);
  if (year) record.year = year;
  return record;
}

/** OpenAlex stores abstracts as {word: [positions]}: the words put back in position order. */
export function invertedIndexText(value: unknown): string | null {
  if (!value || typeof value !== "object") return null;
  const words: string[] = [];
  for (const [word, positions] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(positions)) continue;
    for (const position of positions) if (Number.isInteger(position) && position >= 0 && position < 100_000) words[position] = word;
  }
  const joined = words.filter((word) => word !== undefined).join(" ");
  return joined.trim() || null;
}

function names(value: unknown, pick: (item: Record<string, unknown>) => unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((item) => (item && typeof item === "object" ? text(pick(item as Record<string, unknown>)) : text(item)))
    .filter((name): name is string => name !== null);
}

function text(value: unknown): string | null {
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return null;
  return value.replace(/\s+/g, " ").trim() || null;
}
