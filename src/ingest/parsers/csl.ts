import { parseArxivId } from "../../corpus/ids.js";
import type { RawRecord } from "../../corpus/paper.js";
import { cleanDoi } from "../../corpus/fields.js";

/**
 * One CSL-JSON item (Zotero's "CSL JSON" export, citation-js output, and what citation-js makes of RIS) as a
 * record: authors with their particles and suffixes, issued date, container title, DOI, URL, keywords, type,
 * and the item's key. Null when it has neither abstract nor title (a title alone is a paper).
 */
export function cslToRecord(item: Record<string, unknown>, source: RawRecord["source"], options: { key?: boolean } = {}): RawRecord | null {
  const abstract = text(item.abstract) ?? "";
  const title = text(item.title);
  if (!abstract && !title) return null;
  const record: RawRecord = { title, abstract, source };
  const authors = Array.isArray(item.author) ? item.author.map(cslName).filter((name): name is string => name !== null) : [];
  if (authors.length) {
    record.authors = authors;
    record.authorCount = authors.length;
  }
  const issued = cslDate(item.issued) ?? cslDate(item["original-date"]);
  if (issued) {
    if (issued.date) record.date = issued.date;
    record.year = issued.year;
  }
  const doi = cleanDoi(text(item.DOI) ?? text(item.doi));
  if (doi) record.doi = doi;
  const url = text(item.URL) ?? text(item.url);
  if (url) record.url = url;
  const arxivId =
    parseArxivId(/arxiv:\s*(\S+)/i.exec(text(item.note) ?? "")?.[1] ?? null) ??
    (/arxiv/i.test(text(item.archive) ?? text(item.publisher) ?? "") ? parseArxivId(text(item.number)) : null) ??
    (url && /arxiv\.org/i.test(url) ? parseArxivId(url) : null) ??
    (doi && /arxiv/i.test(doi) ? parseArxivId(doi) : null);
  if (arxivId) record.arxivId = arxivId;
  const venue = text(item["container-title"]) ?? text(item["event-title"]) ?? text(item.event);
  if (venue) record.venue = venue;
  const keywords = Array.isArray(item.keyword) ? item.keyword.map(text) : (text(item.keyword) ?? "").split(/[,;]/);
  const categories = keywords.map((keyword) => keyword?.trim() ?? "").filter(Boolean);
  if (categories.length) record.categories = categories;
  const type = text(item.type);
  if (type) record.entryType = type;
  // Better BibTeX writes "citation-key"; Zotero's own export puts its item URI's key in "id".
  const key = text(item["citation-key"]) ?? text(item.citationKey) ?? (options.key === false ? null : text(item.id));
  if (key) record.citationKey = key;
  return record;
}

/** {family, given, "non-dropping-particle", suffix} → "Mart van Baalen", "Christopher De Sa", "Jr." kept; {literal}. */
function cslName(value: unknown): string | null {
  if (typeof value === "string") return value.trim() || null;
  if (!value || typeof value !== "object") return null;
  const name = value as Record<string, unknown>;
  const literal = text(name.literal);
  if (literal) return literal;
  const parts = [name.given, name["dropping-particle"], name["non-dropping-particle"], name.family].map(text).filter(Boolean);
  const suffix = text(name.suffix);
  const full = parts.join(" ") + (suffix ? ` ${suffix}` : "");
  return full.trim() || null;
}

/** {"date-parts": [[2023, 5, 12]]} → "2023-05-12"; {"raw": "2023-05"}; a bare year. */
function cslDate(value: unknown): { date: string | null; year: number } | null {
  if (!value || typeof value !== "object") return null;
  const parts = (value as Record<string, unknown>)["date-parts"];
  const first = Array.isArray(parts) && Array.isArray(parts[0]) ? (parts[0] as unknown[]).map(Number) : null;
  if (first && Number.isInteger(first[0]) && first[0]! > 1000 && first[0]! < 2200) {
    const [year, rawMonth, rawDay] = first as [number, number?, number?];
    // Months 13–24 are CSL seasons and a day past 31 is a typo: the year stands, the rest is dropped.
    const month = rawMonth && rawMonth >= 1 && rawMonth <= 12 ? rawMonth : undefined;
    const day = month && rawDay && rawDay >= 1 && rawDay <= 31 ? rawDay : undefined;
    // A year alone is the year, not a date ("2024" would be shown twice).
    const date = month ? [String(year), String(month).padStart(2, "0"), day ? String(day).padStart(2, "0") : null].filter(Boolean).join("-") : null;
    return { date, year };
  }
  const raw = text((value as Record<string, unknown>).raw) ?? text((value as Record<string, unknown>).literal);
  const year = raw ? /\b(1[89]\d\d|20\d\d)\b/.exec(raw)?.[1] : undefined;
  if (!raw || !year) return null;
  // RIS writes "2019/10/27/" (and "2019///" for a year alone).
  const ris = /^(\d{4})\/(\d{1,2})?\/?(\d{1,2})?\/?/.exec(raw);
  if (ris) return { date: ris[2] ? [ris[1], ris[2].padStart(2, "0"), ris[3]?.padStart(2, "0")].filter(Boolean).join("-") : null, year: Number(year) };
  return { date: raw, year: Number(year) };
}

function text(value: unknown): string | null {
  if (Array.isArray(value)) return text(value[0]);
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return null;
  const collapsed = value.replace(/\s+/g, " ").trim();
  return collapsed || null;
}
